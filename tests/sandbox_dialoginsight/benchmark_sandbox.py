"""Server-side time of Contacts.Merge (1,000 records) and Contacts.Get (1,000 rows) at 100,000.

Runs the sandbox's method handlers in process (no HTTP, no TLS), so the figures are what the
server spends per call, JSON encoding of the answer included. Prints figures; asserts nothing.

    .venv/bin/python -m tests.sandbox_dialoginsight.benchmark_sandbox [--contacts 100000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ditoolkit.sandbox.dialoginsight.methods import Caller, contacts_get, contacts_merge
from ditoolkit.sandbox.dialoginsight.store import ADMIN_ID_KEY, Store

Timing = tuple[float, float]  # (wall-clock ms, CPU ms)


def _timed(call: Callable[[], dict[str, Any]]) -> tuple[Timing, dict[str, Any]]:
    """Wall-clock and CPU ms of one call (CPU time stays steady on a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    answer = call()
    json.dumps(answer)
    wall = (time.perf_counter() - start) * 1000
    return (wall, (time.process_time() - cpu) * 1000), answer


def _report(name: str, timings: list[Timing]) -> None:
    times = [wall for wall, _ in timings]
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    cpu = statistics.median(c for _, c in timings)
    print(
        f"{name:<32} calls={len(times):>4}  median={statistics.median(times):6.1f} ms  "
        f"p95={p95:6.1f} ms  max={max(times):6.1f} ms  median CPU={cpu:6.1f} ms"
    )


def _records(start: int, count: int, tag: str) -> list[dict[str, Any]]:
    return [
        {
            "ID": {"key_f_EMail": f"person{i}@example.com"},
            "Data": {
                "f_EMail": f"person{i}@example.com",
                "f_FirstName": "Bench",
                "f_LastName": f"{tag}{i}",
                "f_Company": "Acme",
                "f_Phone": "+1 514-555-0101",
                "optin_Newsletter": "1",
            },
        }  # fmt: skip
        for i in range(start, start + count)
    ]


def run(contacts: int) -> None:
    store = Store(Path(tempfile.mkdtemp()) / "bench.sqlite")
    key = Caller(store, store.api_key(ADMIN_ID_KEY) or {})
    inserts: list[Timing] = []
    updates: list[Timing] = []
    pages: list[Timing] = []
    for start in range(0, contacts, 1000):
        body = {"idProject": 1002, "Records": _records(start, 1000, "L")}
        inserts.append(_timed(lambda b=body: contacts_merge(key, b))[0])
    for start in range(0, min(contacts, 20_000), 1000):
        body = {"idProject": 1002, "Records": _records(start, 1000, "U")}
        updates.append(_timed(lambda b=body: contacts_merge(key, b))[0])
    last, read = 0, 0
    while True:
        clause = {"$type": "FieldClause", "Field": {"Name": "idContact"},
                  "TypeOperator": "GreaterThan", "ComparisonValue": last}  # fmt: skip
        body = {"idProject": 1002, "Clause": clause, "MaxRows": 1000}
        elapsed, answer = _timed(lambda b=body: contacts_get(key, b))
        if not answer["Records"]:
            break
        pages.append(elapsed)
        read += len(answer["Records"])
        last = answer["Records"][-1]["idContact"]
    print(f"contacts written and read back: {read:,}")
    _report("Contacts.Merge 1,000 (inserts)", inserts)
    _report("Contacts.Merge 1,000 (updates)", updates)
    _report("Contacts.Get page of 1,000", pages)
    store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    run(parser.parse_args().contacts)

"""Throughput of the Salesforce sandbox's bulk paths, measured with simple-salesforce unchanged.

Starts its own sandbox (empty seed) in a temporary folder, then times:

(a) Bulk API 2.0 ingest of N Contacts (``sf.bulk2.Contact.insert``),
(b) REST ``sf.query_all`` of those N rows (2,000 per page),
(c) Bulk API 2.0 query of those N rows (``sf.bulk2.Contact.query``),

and prints rows per second for each against the 20,000 rows/s target, with the CPU seconds
the sandbox process and this client spent (wall time suffers when other work shares the
machine; CPU seconds much less).

Usage::

    .venv/bin/python benchmarks/sandbox_salesforce.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from simple_salesforce import Salesforce

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ditoolkit.sandbox.process import start_sandbox  # noqa: E402
from tests.sandbox_salesforce.conftest import VERSION, oauth_login  # noqa: E402

TARGET_ROWS_PER_SECOND = 20_000
FIELDS = "Id, FirstName, LastName, Email, Phone, Birthdate, HasOptedOutOfEmail, DI_Contact_Id__c"


def connect(info: dict[str, Any]) -> Salesforce:
    """simple-salesforce on a session that trusts the sandbox's CA, logged in with OAuth."""
    http, token = oauth_login(info)
    return Salesforce(
        instance_url=info["instance_url"], session_id=token, session=http, version=VERSION
    )


def contacts(count: int) -> list[dict[str, str]]:
    """``count`` distinct, valid Contact rows."""
    return [
        {
            "FirstName": f"First{i}",
            "LastName": f"Last{i:06d}",
            "Email": f"person{i}@example.com",
            "Phone": f"+1 514 555 {i % 10_000:04d}",
            "Birthdate": f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}",
            "HasOptedOutOfEmail": "true" if i % 3 == 0 else "false",
            "DI_Contact_Id__c": f"B{i:07d}",
        }
        for i in range(count)
    ]


@dataclass
class Measure:
    """One timed run: rows, wall seconds, CPU seconds spent by the sandbox and by the client."""

    name: str
    rows: int
    seconds: float
    server_cpu: float
    client_cpu: float


def timed(name: str, run: Callable[[], int], *, server: psutil.Process) -> Measure:
    def server_cpu() -> float:
        times = server.cpu_times()
        return float(times.user + times.system)

    server_before, client_before = server_cpu(), time.process_time()
    started = time.perf_counter()
    rows = run()
    seconds = time.perf_counter() - started
    return Measure(
        name,
        rows,
        seconds,
        server_cpu() - server_before,
        time.process_time() - client_before,
    )


def bulk_ingest(sf: Salesforce, records: list[dict[str, str]]) -> int:
    outcomes = sf.bulk2.Contact.insert(records=records, wait=0)
    failed = sum(int(o["numberRecordsFailed"]) for o in outcomes)
    if failed:
        raise SystemExit(f"the bulk insert failed {failed} rows; the benchmark needs all of them")
    return sum(int(o["numberRecordsProcessed"]) for o in outcomes)


def rest_query_all(sf: Salesforce) -> int:
    return len(sf.query_all(f"SELECT {FIELDS} FROM Contact")["records"])


def bulk_query(sf: Salesforce) -> int:
    pages = sf.bulk2.Contact.query(f"SELECT {FIELDS} FROM Contact", wait=0)
    return sum(sum(1 for _ in csv.DictReader(io.StringIO(str(page)))) for page in pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="Contacts to load and read")
    args = parser.parse_args()
    records = contacts(args.rows)
    with (
        tempfile.TemporaryDirectory(prefix="sf-bench-") as folder,
        start_sandbox(folder, seed="empty") as sandbox,
    ):
        sf = connect(sandbox.salesforce)
        server = psutil.Process(sandbox.process.pid)
        results = [
            timed("(a) Bulk 2.0 ingest", lambda: bulk_ingest(sf, records), server=server),
            timed("(b) REST query_all", lambda: rest_query_all(sf), server=server),
            timed("(c) Bulk 2.0 query", lambda: bulk_query(sf), server=server),
        ]
        sf.session.close()
    print(
        f"{'measure':<22} {'rows':>9} {'seconds':>8} {'rows/s':>8}  {'target':<6} "
        f"{'sandbox CPU s':>13} {'client CPU s':>12}"
    )
    for m in results:
        rate = m.rows / m.seconds if m.seconds else float("inf")
        verdict = "ok" if rate >= TARGET_ROWS_PER_SECOND else "BELOW"
        print(
            f"{m.name:<22} {m.rows:>9,} {m.seconds:>8.2f} {rate:>8,.0f}  {verdict:<6} "
            f"{m.server_cpu:>13.2f} {m.client_cpu:>12.2f}"
        )
    print(f"(machine load average over the last minute: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()

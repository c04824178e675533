"""Salesforce reads and writes through the adapter vs the naive way, on a fresh sandbox.

Prints API calls (counted by the sandbox itself, ``/__sandbox__/counters``) and rows/s for
writing and reading 1,000 and 100,000 Contacts with :class:`SalesforceSystem`, next to the
naive baseline measured in the same run: one simple-salesforce ``create`` call per record for
writes, REST ``query_all`` for reads. Naive writes of 100,000 records would make 100,000
calls; they are timed on a sample (``--naive-sample``) and their call count is the row count
by construction. With ``--million``, also reads 1,000,000 rows and reports peak memory
against the final DataFrame's size.

Usage: ``.venv/bin/python benchmarks/salesforce_io.py [--sizes 1000 100000] [--million]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ditoolkit.sandbox.admin import SandboxAdmin  # noqa: E402
from ditoolkit.sandbox.process import start_sandbox  # noqa: E402
from ditoolkit.systems.salesforce import SalesforceSystem  # noqa: E402
from tests.systems_salesforce.conftest import connect  # noqa: E402


def contacts(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "LastName": [f"Last{i}" for i in range(n)],
            "FirstName": [f"First{i}" for i in range(n)],
            "Email": [f"bench{i}@example.com" for i in range(n)],
            "DI_Contact_Id__c": [f"B{i:09d}" for i in range(n)],
        }
    )


def measure_calls(counters: SandboxAdmin, fn: Any) -> tuple[Any, int, float]:
    """(value, API calls, seconds); admin calls are not counted by the sandbox."""
    before = counters.calls()
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    return value, counters.calls() - before, seconds


def naive_write(sf: SalesforceSystem, frame: pd.DataFrame) -> None:
    handler = sf.sf.Contact
    for record in frame.to_dict("records"):
        handler.create(record)


def peak_rss_during(fn: Any) -> tuple[Any, int]:
    """``fn()`` and the peak resident memory above the starting level, sampled every 10 ms."""
    process = psutil.Process()
    start = process.memory_info().rss
    peak = start
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.01)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        value = fn()
    finally:
        done.set()
        thread.join()
    return value, max(peak, process.memory_info().rss) - start


def row(label: str, rows: int, calls: int, seconds: float) -> str:
    return f"{label:<34} {rows:>9,} {calls:>8,} {seconds:>9.2f} {rows / seconds:>10,.0f}"


def run(args: argparse.Namespace, sf: SalesforceSystem, counters: SandboxAdmin) -> None:
    print(f"{'step':<34} {'rows':>9} {'calls':>8} {'seconds':>9} {'rows/s':>10}")
    for n in args.sizes:
        counters.reset()
        sf.describe("Contact")
        frame = contacts(n)
        result, calls, seconds = measure_calls(
            counters, lambda f=frame: sf.write("Contact", f, operation="insert")
        )
        assert result.ok, result.failed().head()
        print(row(f"write {n:,} (ditoolkit)", n, calls, seconds))
        sample = contacts(min(n, args.naive_sample)).assign(
            DI_Contact_Id__c=lambda f: "N" + f["DI_Contact_Id__c"]
        )
        _, calls, seconds = measure_calls(counters, lambda s=sample: naive_write(sf, s))
        label = f"write {n:,} (naive, 1 call/record)"
        if len(sample) < n:
            label += f" [sampled {len(sample):,}]"
        print(row(label, n, n, seconds * n / len(sample)))
        counters.reset()
        sf.write("Contact", frame, operation="insert")
        sf.describe("Contact")
        back, calls, seconds = measure_calls(counters, lambda: sf.read("Contact"))
        assert len(back) == n
        print(row(f"read {n:,} (ditoolkit)", n, calls, seconds))
        soql = "SELECT " + ", ".join(sf.describe("Contact").names) + " FROM Contact"
        back, calls, seconds = measure_calls(counters, lambda q=soql: sf.sf.query_all(q))
        print(row(f"read {n:,} (naive REST query_all)", n, calls, seconds))
    if args.million:
        measure_million(sf, counters)


def measure_million(sf: SalesforceSystem, counters: SandboxAdmin) -> None:
    counters.reset()
    n = 1_000_000
    for start in range(0, n, 250_000):
        sf.write(
            "Contact",
            contacts(250_000).assign(
                DI_Contact_Id__c=lambda f, s=start: [f"M{s + i:09d}" for i in range(len(f))]
            ),
            operation="insert",
        ).raise_for_errors()
    sf.describe("Contact")
    (frame, peak), calls, seconds = measure_calls(
        counters, lambda: peak_rss_during(lambda: sf.read("Contact"))
    )
    size = int(frame.memory_usage(deep=True).sum())
    print(row("read 1,000,000 (ditoolkit)", len(frame), calls, seconds))
    print(
        f"  final DataFrame {size / 1e6:,.0f} MB; peak memory above start {peak / 1e6:,.0f} MB "
        f"= {peak / size:.2f} x the DataFrame"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--naive-sample", type=int, default=2_000)
    parser.add_argument("--million", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, start_sandbox(tmp, seed="empty") as sandbox:
        run(args, connect(sandbox.salesforce), SandboxAdmin.of(sandbox.salesforce))


if __name__ == "__main__":
    main()

"""Throughput of the Salesforce sandbox store (prints figures; not a test).

Run: ``.venv/bin/python tests/sandbox_salesforce/bench_store.py [ROWS] [BATCH]``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ditoolkit.sandbox.salesforce.store import Store


def _contacts(batch: int, size: int) -> list[dict[str, Any]]:
    return [
        {
            "FirstName": f"First{n}",
            "LastName": f"Last{n}",
            "Email": f"person{batch}.{n}@example.com",
            "Phone": "+1 514 555 0100",
            "Birthdate": "1980-01-02",
            "LeadSource": "Web",
            "HasOptedOutOfEmail": n % 7 == 0,
            "DI_Contact_Id__c": f"K{batch}-{n}",
        }
        for n in range(size)
    ]


def _timed(label: str, rows: int, work: Any) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    work()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{label:<8} {rows:>8} rows  {seconds:6.2f} s wall ({rows / seconds:>9,.0f} rows/s)"
        f"  {cpu:6.2f} s CPU ({rows / cpu:>9,.0f} rows/s)"
    )


def main(rows: int = 100_000, batch: int = 10_000) -> None:
    """Insert, update, upsert and query ``rows`` Contacts in batches of ``batch``."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder))
        store.user_id = "0055g0000000001AAA"
        batches = [_contacts(b, batch) for b in range(rows // batch)]

        def insert() -> None:
            for records in batches:
                assert all(r.success for r in store.insert("Contact", records))

        _timed("insert", rows, insert)
        ids = [r["Id"] for r in store.query("SELECT Id FROM Contact").records]

        def update() -> None:
            for start in range(0, rows, batch):
                chunk = ids[start : start + batch]
                store.update("Contact", [{"Id": i, "FirstName": "New"} for i in chunk])

        _timed("update", rows, update)

        def upsert() -> None:
            for records in batches:
                store.upsert("Contact", "DI_Contact_Id__c", records)

        _timed("upsert", rows, upsert)
        _timed("query", rows, lambda: store.query("SELECT Id, Name, Email FROM Contact"))
        store.close()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

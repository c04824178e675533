"""Time the sandbox's SOQL engine: compile, SQLite execution and record shaping.

Run: ``.venv/bin/python benchmarks/bench_soql.py [ROWS]`` (default 100,000 contacts).
"""

from __future__ import annotations

import sqlite3
import sys
import time

from ditoolkit.sandbox.salesforce.soql import (
    SoqlField,
    SoqlObject,
    compile_query,
    shape_records,
)

F = SoqlField
SYSTEM = (F("Id", "id"), F("IsDeleted", "boolean"))
ACCOUNT = SoqlObject("Account", (*SYSTEM, F("Name", "string"), F("NumberOfEmployees", "int")))
CONTACT = SoqlObject(
    "Contact",
    (
        *SYSTEM,
        F("LastName", "string"),
        F("Email", "email"),
        F("AccountId", "reference", "Account", ("Account",)),
        F("HasOptedOutOfEmail", "boolean"),
        F("Score__c", "double"),
        F("SystemModstamp", "datetime"),
    ),
)


class Schema:
    def get_object(self, name: str) -> SoqlObject | None:
        return {"account": ACCOUNT, "contact": CONTACT}.get(name.lower())


def build(rows: int) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(
        'CREATE TABLE "Account" ("Id" TEXT PRIMARY KEY, "IsDeleted" INTEGER, "Name" TEXT, "NumberOfEmployees" INTEGER)'
    )
    db.execute(
        'CREATE TABLE "Contact" ("Id" TEXT PRIMARY KEY, "IsDeleted" INTEGER, "LastName" TEXT, "Email" TEXT,'
        ' "AccountId" TEXT, "HasOptedOutOfEmail" INTEGER, "Score__c" REAL, "SystemModstamp" TEXT)'
    )
    db.executemany(
        'INSERT INTO "Account" VALUES (?, 0, ?, ?)',
        [(f"001{n:015d}", f"Account {n}", n) for n in range(1000)],
    )
    db.executemany(
        'INSERT INTO "Contact" VALUES (?, 0, ?, ?, ?, ?, ?, ?)',
        [
            (
                f"003{n:015d}",
                f"Last{n}",
                f"c{n}@example.com",
                f"001{n % 1000:015d}" if n % 7 else None,
                n % 2,
                n / 3,
                f"2024-01-{n % 28 + 1:02d}T10:00:00.000+0000",
            )
            for n in range(rows)
        ],
    )
    return db


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    db = build(rows)
    soql = (
        "SELECT Id, LastName, Email, HasOptedOutOfEmail, Score__c, SystemModstamp, Account.Name,"
        " Account.NumberOfEmployees FROM Contact WHERE SystemModstamp > 2023-12-31T00:00:00Z"
        " ORDER BY SystemModstamp, Id"
    )
    started = time.perf_counter()
    for _ in range(1000):
        compiled = compile_query(soql, Schema())
    compile_ms = time.perf_counter() - started  # total s for 1000 = ms each
    started = time.perf_counter()
    fetched = db.execute(compiled.sql, compiled.params).fetchall()
    sql_s = time.perf_counter() - started
    started = time.perf_counter()
    records = shape_records(compiled, fetched, api_version="59.0")
    shape_s = time.perf_counter() - started
    print(f"compile: {compile_ms:.3f} ms per query (mean of 1000)")
    print(f"sqlite:  {sql_s:.3f} s for {len(fetched):,} rows")
    print(
        f"shape:   {shape_s:.3f} s for {len(records):,} records ({len(records) / shape_s:,.0f}/s)"
    )


if __name__ == "__main__":
    main()

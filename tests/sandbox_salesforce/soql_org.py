"""A small org for the SOQL engine tests: schema, rows, and helpers to query it.

Rows are chosen for edge cases: names differing only in case, nulls, quotes and backslashes,
LIKE wildcards in data, an empty lookup, a dangling lookup, a deleted parent and a deleted row.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest

from ditoolkit.sandbox.salesforce.soql import (
    SoqlError,
    SoqlField,
    SoqlObject,
    compile_query,
    shape_records,
)
from ditoolkit.sandbox.salesforce.soql_ids import normalize_id

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)  # a Wednesday; THIS_WEEK is May 12-18


def sfid(prefix: str, number: int) -> str:
    """An 18-character id built the way Salesforce builds them."""
    return normalize_id(f"{prefix}{number:012d}")


U1, A1, A2, A3 = sfid("005", 1), sfid("001", 1), sfid("001", 2), sfid("001", 3)
C = {n: sfid("003", n) for n in range(1, 10)}

F = SoqlField
SYSTEM = (F("Id", "id"), F("IsDeleted", "boolean"))
OBJECTS = [
    SoqlObject("User", (*SYSTEM, F("Name", "string"))),
    SoqlObject(
        "Account",
        (
            *SYSTEM,
            F("Name", "string"),
            F("OwnerId", "reference", "Owner", ("User",)),
            F("NumberOfEmployees", "int"),
            F("AnnualRevenue", "currency"),
        ),
    ),
    SoqlObject(
        "Contact",
        (
            *SYSTEM,
            F("LastName", "string"),
            F("Email", "email"),
            F("AccountId", "reference", "Account", ("Account",)),
            F("Birthdate", "date"),
            F("CreatedDate", "datetime"),
            F("HasOptedOutOfEmail", "boolean"),
            F("Score__c", "double"),
            F("Photo", "base64"),
        ),
    ),
]

USERS = [(U1, 0, "Ada Admin")]
ACCOUNTS = [
    (A1, 0, "Acme", U1, 500, 1.5e6),
    (A2, 0, "Globex", None, None, None),
    (A3, 1, "Deleted Co", U1, 3, 0.0),
]
CONTACT_ROWS = """\
1|Smith|smith@x.com|A1|1980-05-15|2024-05-15T09:00:00.000+0000|0|1.5
2|smyth||A2||2024-05-14T23:59:59.000+0000|1|
3|Jones|jones@x.com||2024-05-01|2024-04-30T12:00:00.000+0000|0|3.0
4|O'Hara|ohara@x.com|A1|1990-12-31|2023-12-31T23:00:00.000+0000|0|-2
5|100% Pure_Test|pure@x.com|A3||2024-05-16T00:00:00.000+0000|0|
6|100X PureYTest|||||0|
7|back\\slash|bs@x.com|DANGLING||2022-01-01T00:00:00.000+0000|0|
8|Ghost|ghost@x.com|A1||2024-05-15T10:00:00.000+0000|0|
"""
LIVE = {"Smith", "smyth", "Jones", "O'Hara", "100% Pure_Test", "100X PureYTest", "back\\slash"}
REFS = {"A1": A1, "A2": A2, "A3": A3, "DANGLING": sfid("001", 99)}


class Schema:
    """The schema the store would offer: objects by case-insensitive name."""

    def __init__(self, objects: list[SoqlObject]) -> None:
        self.objects = {obj.name.lower(): obj for obj in objects}

    def get_object(self, name: str) -> SoqlObject | None:
        return self.objects.get(name.lower())


SCHEMA = Schema(OBJECTS)


def _contacts() -> list[tuple[Any, ...]]:
    rows = []
    for line in CONTACT_ROWS.splitlines():
        n, last, email, account, birth, created, opted, score = line.split("|")
        rows.append(
            (
                C[int(n)],
                1 if last == "Ghost" else 0,
                last,
                email or None,
                REFS.get(account),
                birth or None,
                created or None,
                int(opted) if opted else None,
                float(score) if score else None,
                None,
            )
        )
    return rows


def build_org() -> sqlite3.Connection:
    """An in-memory database holding the org, laid out as the sandbox store lays it out."""
    connection = sqlite3.connect(":memory:")
    data = {"User": USERS, "Account": ACCOUNTS, "Contact": _contacts()}
    for obj in OBJECTS:
        affinity = {"boolean": "INTEGER", "int": "INTEGER", "double": "REAL", "currency": "REAL"}
        columns = ", ".join(f'"{f.name}" {affinity.get(f.type, "TEXT")}' for f in obj.fields)
        connection.execute(f'CREATE TABLE "{obj.name}" ({columns})')
        marks = ", ".join("?" * len(obj.fields))
        connection.executemany(f'INSERT INTO "{obj.name}" VALUES ({marks})', data[obj.name])
    return connection


def run(db: sqlite3.Connection, soql: str, **options: Any) -> list[dict[str, Any]]:
    compiled = compile_query(soql, SCHEMA, now=NOW, **options)
    rows = db.execute(compiled.sql, compiled.params).fetchall()
    return shape_records(compiled, rows, api_version="59.0")


def names(db: sqlite3.Connection, where: str, **options: Any) -> set[str]:
    return {
        r["LastName"] for r in run(db, f"SELECT LastName FROM Contact WHERE {where}", **options)
    }


def count(db: sqlite3.Connection, soql: str, **options: Any) -> int:
    compiled = compile_query(soql, SCHEMA, now=NOW, **options)
    assert compiled.is_count
    ((total,),) = db.execute(compiled.sql, compiled.params).fetchall()
    return int(total)


def error(soql: str) -> SoqlError:
    with pytest.raises(SoqlError) as caught:
        compile_query(soql, SCHEMA, now=NOW)
    return caught.value

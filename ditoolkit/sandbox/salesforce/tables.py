"""SQLite tables of the sandbox org: DDL from the schema, batched look-ups, rows as JSON records.

Text columns use ``COLLATE NOCASE`` (Salesforce compares and sorts text without case); ids and
references keep binary collation (15-character ids are case-sensitive). A unique field gets a
unique index over live rows only, so a record in the recycle bin frees its value.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from ditoolkit.sandbox.salesforce.schema import FieldDef, ObjectDef

#: SQLite caps bound parameters per statement; look-ups go in chunks of this size.
CHUNK = 900


def column_sql(f: FieldDef) -> str:
    """The column definition of ``f`` in its object's table."""
    if f.formula is not None:
        return f'"{f.name}" TEXT GENERATED ALWAYS AS ({f.formula}) VIRTUAL'
    collate = " COLLATE NOCASE" if f.is_text else ""
    key = " PRIMARY KEY" if f.type == "id" else ""
    not_null = " NOT NULL DEFAULT 0" if f.name == "IsDeleted" else ""
    return f'"{f.name}" {f.sql_type}{collate}{key}{not_null}'


def create_tables(conn: sqlite3.Connection, objects: Iterable[ObjectDef]) -> None:
    """Create each object's table and indexes unless they exist."""
    for obj in objects:
        columns = ", ".join(column_sql(f) for f in obj.fields)
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{obj.name}" ({columns})')
        conn.execute(
            f'CREATE INDEX IF NOT EXISTS "{obj.name}_modstamp" ON "{obj.name}" (SystemModstamp, Id)'
        )
        for f in obj.fields:
            if f.unique or f.external_id or (f.type == "reference" and f.name == "AccountId"):
                unique = "UNIQUE " if f.unique else ""
                where = " WHERE IsDeleted = 0" if f.unique else ""
                conn.execute(
                    f'CREATE {unique}INDEX IF NOT EXISTS "{obj.name}_{f.name}" '
                    f'ON "{obj.name}" ("{f.name}"){where}'
                )
    conn.execute("CREATE TABLE IF NOT EXISTS _sequence (prefix TEXT PRIMARY KEY, next INTEGER)")


def chunks(values: list[Any]) -> Iterator[list[Any]]:
    """``values`` in slices of at most :data:`CHUNK`."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def select_in(conn: sqlite3.Connection, sql: str, values: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (which holds one ``IN ({marks})``) for every value, in chunks."""
    distinct = list(dict.fromkeys(values))
    rows: list[tuple[Any, ...]] = []
    for part in chunks(distinct):
        marks = ", ".join("?" * len(part))
        rows.extend(conn.execute(sql.format(marks=marks), part).fetchall())
    return rows


def allocate_numbers(conn: sqlite3.Connection, prefix: str, count: int) -> int:
    """Reserve ``count`` sequence numbers for ids of ``prefix``; returns the first."""
    row = conn.execute("SELECT next FROM _sequence WHERE prefix = ?", (prefix,)).fetchone()
    first = row[0] if row else 1
    conn.execute(
        "INSERT INTO _sequence (prefix, next) VALUES (?, ?) "
        "ON CONFLICT (prefix) DO UPDATE SET next = excluded.next",
        (prefix, first + count),
    )
    return int(first)


def to_json(f: FieldDef, value: Any) -> Any:
    """A stored value of ``f`` as Salesforce returns it in JSON."""
    if value is None:
        return None
    if f.type == "boolean":
        return bool(value)
    if f.type == "int":
        return int(value)
    if f.type in ("double", "currency", "percent"):
        return float(value)
    return value


def record_json(
    obj: ObjectDef, row: sqlite3.Row, *, api_version: str, fields: list[FieldDef] | None = None
) -> dict[str, Any]:
    """A row as the REST API returns a record: ``attributes`` then fields in describe order."""
    url = f"/services/data/v{api_version}/sobjects/{obj.name}/{row['Id']}"
    out: dict[str, Any] = {"attributes": {"type": obj.name, "url": url}}
    for f in fields or obj.fields:
        out[f.name] = to_json(f, row[f.name])
    return out

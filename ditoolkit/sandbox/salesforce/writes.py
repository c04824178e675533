"""Writing a planned DML batch to SQLite: executemany, one statement per shape of row."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from ditoolkit.sandbox.salesforce.ids import make_ids
from ditoolkit.sandbox.salesforce.schema import ObjectDef
from ditoolkit.sandbox.salesforce.tables import allocate_numbers


def write_inserts(
    conn: sqlite3.Connection, obj: ObjectDef, pending: list[Any], *, now: str, user: str
) -> dict[int, str]:
    """Insert the pending new rows with ids and system fields; their ids by position."""
    rows = [(i, v) for i, rid, v in pending if rid is None]
    if not rows:
        return {}
    system = (
        "Id",
        "IsDeleted",
        "CreatedDate",
        "CreatedById",
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
    )
    own = [f.name for f in obj.stored_fields if f.name not in system]
    owner = own.index("OwnerId") if "OwnerId" in own else -1
    first = allocate_numbers(conn, obj.key_prefix, len(rows))
    ids = make_ids(obj.key_prefix, first, len(rows))
    created: dict[int, str] = {}
    params = []
    for rid, (position, values) in zip(ids, rows, strict=True):
        created[position] = rid
        row = [*map(values.get, own), rid, 0, now, user, now, user, now]
        if owner >= 0 and row[owner] is None:
            row[owner] = user
        params.append(row)
    names = ", ".join(f'"{c}"' for c in (*own, *system))
    marks = ", ".join("?" * (len(own) + len(system)))
    conn.executemany(f'INSERT INTO "{obj.name}" ({names}) VALUES ({marks})', params)
    return created


def write_updates(
    conn: sqlite3.Connection, obj: ObjectDef, pending: list[Any], *, now: str, user: str
) -> None:
    """Apply the pending updates, one statement per set of changed fields."""
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for _, rid, values in pending:
        if rid is not None:
            names = tuple(values)
            groups[names].append((*values.values(), now, user, now, rid))
    for names, params in groups.items():
        sets = "".join(f'"{n}" = ?, ' for n in names)
        conn.executemany(
            f'UPDATE "{obj.name}" SET {sets}LastModifiedDate = ?, LastModifiedById = ?, '
            "SystemModstamp = ? WHERE Id = ?",
            params,
        )


def write_deletes(
    conn: sqlite3.Connection, obj: ObjectDef, pending: list[Any], *, now: str, user: str, hard: bool
) -> None:
    """Soft-delete (``IsDeleted`` = 1) or remove the pending rows."""
    ids = [(rid,) for _, rid, _ in pending]
    if hard:
        conn.executemany(f'DELETE FROM "{obj.name}" WHERE Id = ?', ids)
        return
    conn.executemany(
        f'UPDATE "{obj.name}" SET IsDeleted = 1, LastModifiedDate = ?, '
        "LastModifiedById = ?, SystemModstamp = ? WHERE Id = ?",
        [(now, user, now, rid) for (rid,) in ids],
    )

"""Writing a planned DML batch to SQLite: executemany, one statement per shape of row."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from itertools import repeat
from typing import Any

from ditoolkit.sandbox.salesforce.ids import make_ids
from ditoolkit.sandbox.salesforce.schema import ObjectDef
from ditoolkit.sandbox.salesforce.tables import allocate_numbers

_SYSTEM = (
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
)


def write_inserts(
    conn: sqlite3.Connection, obj: ObjectDef, pending: list[Any], *, now: str, user: str
) -> dict[int, str]:
    """Insert the pending new rows with ids and system fields; their ids by position.

    Only the fields some row sets are named in the statement (the others are null); the
    parameters are built a column at a time.
    """
    positions = [i for i, rid, _ in pending if rid is None]
    if not positions:
        return {}
    rows = [v for _, rid, v in pending if rid is None]
    present: set[str] = set().union(*rows)
    own = [f.name for f in obj.stored_fields if f.name not in _SYSTEM]
    if "OwnerId" in own:
        present.add("OwnerId")
    names = [name for name in own if name in present]
    columns = [list(map(dict.get, rows, repeat(name))) for name in names]
    if "OwnerId" in present:
        owners = columns[names.index("OwnerId")]
        if None in owners:
            owners[:] = [user if v is None else v for v in owners]
    first = allocate_numbers(conn, obj.key_prefix, len(rows))
    ids = make_ids(obj.key_prefix, first, len(rows))
    system = (ids, repeat(0), repeat(now), repeat(user), repeat(now), repeat(user), repeat(now))
    listed = ", ".join(f'"{c}"' for c in (*names, *_SYSTEM))
    marks = ", ".join("?" * (len(names) + len(_SYSTEM)))
    conn.executemany(
        f'INSERT INTO "{obj.name}" ({listed}) VALUES ({marks})',
        zip(*columns, *system, strict=False),
    )
    return dict(zip(positions, ids, strict=True))


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

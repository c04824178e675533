"""SQLite storage of the DI sandbox: contacts per project, rows per relational table, API keys.

One file, ``DIR/dialoginsight.sqlite``. Contacts live in ``contacts_<idProject>`` and relational
rows in ``rows_<idTable>``; each has a ``_pk`` column holding the primary key in the form it is
compared in (emails lower-cased), under a unique index. Ids come from a sequence table so that a
deleted contact's id is never handed out again, as DI does.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from ditoolkit.sandbox.dialoginsight.values import key_form, output_value
from ditoolkit.sandbox.dialoginsight.world import PROJECTS, FieldSpec, ProjectSpec, TableSpec

ADMIN_ID_KEY = 1
#: a stored record by column name (``_pk`` included)
Row = dict[str, Any]
_SQL_TYPES = {"Integer": "INTEGER", "Decimal": "REAL", "Boolean": "INTEGER"}
_CHUNK = 500


@dataclass(frozen=True)
class Collection:
    """A stored set of records: a project's contacts or a relational table's rows."""

    sql_name: str
    id_column: str
    fields: tuple[FieldSpec, ...]
    optins: tuple[str, ...]
    order_by: str

    @cached_property
    def key_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.primary_key)

    @cached_property
    def columns(self) -> tuple[str, ...]:
        return (self.id_column, *(f.name for f in self.fields), *self.optins)

    @cached_property
    def _by_name(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.fields}

    def field(self, name: str) -> FieldSpec | None:
        return self._by_name.get(name)

    def to_wire(self, row: dict[str, Any]) -> dict[str, Any]:
        """A stored record as ``Get`` returns it: flat, opt-ins true/false/null, dotted dates."""
        record: dict[str, Any] = {}
        if self.id_column == "idContact":
            record["idContact"] = row["idContact"]
        for spec in self.fields:
            record[spec.name] = output_value(spec, row.get(spec.name))
        for name in self.optins:
            value = row.get(name)
            record[name] = None if value is None else bool(value)
        return record

    def key_of(self, values: dict[str, Any]) -> str | None:
        """The compared form of a record's primary key, or ``None`` when a part is missing."""
        forms = []
        for spec in self.key_fields:
            value = values.get(spec.name)
            if value is None or value == "":
                return None
            forms.append(key_form(spec, value))
        return "\x1f".join(forms)


@cache
def contacts_of(project: ProjectSpec) -> Collection:
    return Collection(
        f"contacts_{project.id_project}", "idContact", project.fields, project.optin_names,
        "idContact",
    )  # fmt: skip


@cache
def rows_of(table: TableSpec) -> Collection:
    return Collection(f"rows_{table.id_table}", "idRecord", table.fields, (), table.key.name)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_sql(coll: Collection) -> list[str]:
    cols = [f"{_quote(coll.id_column)} INTEGER PRIMARY KEY", "_pk TEXT NOT NULL UNIQUE"]
    for spec in coll.fields:
        if spec.name != coll.id_column:
            nocase = " COLLATE NOCASE" if spec.data_type == "Email" else ""
            cols.append(f"{_quote(spec.name)} {_SQL_TYPES.get(spec.data_type, 'TEXT')}{nocase}")
    cols += [f"{_quote(o)} INTEGER" for o in coll.optins]
    sql = [f"CREATE TABLE {coll.sql_name} ({', '.join(cols)})"]
    for spec in coll.fields:
        if spec.data_type == "Email" or spec.name == "idContact" or spec.primary_key:
            index = f"ix_{coll.sql_name}_{spec.name}"
            sql.append(f"CREATE INDEX {index} ON {coll.sql_name} ({_quote(spec.name)})")
    return sql


def all_collections() -> list[Collection]:
    """Every collection of the default world."""
    result = []
    for project in PROJECTS:
        result.append(contacts_of(project))
        result += [rows_of(t) for t in project.tables]
    return result


class Store:
    """The sandbox's SQLite database (one connection, serialised by a lock)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.is_new = self._meta("schema") is None
        if self.is_new:
            with self.transaction():
                self._create_schema()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back when the block raises."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _meta(self, name: str) -> str | None:
        exists = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if not exists:
            return None
        row = self.conn.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _create_schema(self) -> None:
        self.conn.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
        self.conn.execute(
            "CREATE TABLE api_keys (idKey INTEGER PRIMARY KEY, key TEXT NOT NULL, "
            "expires TEXT, ips TEXT, permissions TEXT, active INTEGER NOT NULL DEFAULT 1)"
        )
        self.conn.execute("CREATE TABLE sequence (name TEXT PRIMARY KEY, next INTEGER)")
        self._create_data_tables()
        self.conn.execute(
            "INSERT INTO api_keys (idKey, key) VALUES (?, ?)",
            (ADMIN_ID_KEY, secrets.token_urlsafe(24)),
        )
        self.conn.execute("INSERT INTO meta VALUES ('schema', '1')")

    def _create_data_tables(self) -> None:
        for coll in all_collections():
            for statement in _create_sql(coll):
                self.conn.execute(statement)
            self.conn.execute("INSERT INTO sequence VALUES (?, 1)", (coll.sql_name,))

    def wipe(self) -> None:
        """Drop every record and every extra key (the admin key stays)."""
        with self.transaction():
            for coll in all_collections():
                self.conn.execute(f"DROP TABLE {coll.sql_name}")
            self.conn.execute("DELETE FROM sequence")
            self.conn.execute("DELETE FROM api_keys WHERE idKey != ?", (ADMIN_ID_KEY,))
            self._create_data_tables()

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    # --- API keys -------------------------------------------------------------------------

    def api_key(self, id_key: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM api_keys WHERE idKey=?", (id_key,)).fetchone()
        if row is None:
            return None
        key = dict(row)
        key["ips"] = json.loads(key["ips"]) if key["ips"] else None
        key["permissions"] = json.loads(key["permissions"]) if key["permissions"] else None
        return key

    def add_api_key(
        self, *, expires: str | None, ips: list[str] | None, permissions: dict[str, Any] | None
    ) -> tuple[int, str]:
        key = secrets.token_urlsafe(24)
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO api_keys (key, expires, ips, permissions) VALUES (?, ?, ?, ?)",
                (
                    key,
                    expires,
                    json.dumps(ips) if ips is not None else None,
                    json.dumps(permissions) if permissions is not None else None,
                ),
            )
        return int(cursor.lastrowid or 0), key

    # --- records --------------------------------------------------------------------------

    def select(
        self, coll: Collection, *, where: str = "", params: Sequence[Any] = (), limit: int
    ) -> list[dict[str, Any]]:
        """Records matching ``where`` (SQL over quoted column names), in the collection's order."""
        cols = ", ".join(_quote(c) for c in coll.columns)
        sql = f"SELECT {cols} FROM {coll.sql_name}"
        if where:
            sql += f" WHERE {where}"
        sql += f" ORDER BY {_quote(coll.order_by)} LIMIT ?"
        with self._lock:
            return [dict(r) for r in self.conn.execute(sql, (*params, limit))]

    def find(self, coll: Collection, *, column: str, values: Iterable[Any]) -> dict[Any, Row]:
        """Records whose ``column`` (``_pk`` or the id) is among ``values``, by that value."""
        found: dict[Any, dict[str, Any]] = {}
        wanted = list(dict.fromkeys(values))
        cols = ", ".join(_quote(c) for c in ("_pk", *coll.columns))
        with self._lock:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ", ".join("?" * len(chunk))
                sql = f"SELECT {cols} FROM {coll.sql_name} WHERE {_quote(column)} IN ({marks})"
                for row in self.conn.execute(sql, chunk):
                    found[row[column]] = dict(row)
        return found

    def allocate_ids(self, coll: Collection, count: int) -> int:
        """Reserve ``count`` ids; returns the first (call inside a transaction)."""
        row = self.conn.execute("SELECT next FROM sequence WHERE name=?", (coll.sql_name,))
        first = int(row.fetchone()[0])
        self.conn.execute("UPDATE sequence SET next=? WHERE name=?", (first + count, coll.sql_name))
        return first

    def insert(self, coll: Collection, records: list[dict[str, Any]]) -> None:
        """Insert whole records (id and ``_pk`` included; call inside a transaction)."""
        cols = ("_pk", *coll.columns)
        sql = (
            f"INSERT INTO {coll.sql_name} ({', '.join(_quote(c) for c in cols)}) "
            f"VALUES ({', '.join('?' * len(cols))})"
        )
        self.conn.executemany(sql, [tuple(r.get(c) for c in cols) for r in records])

    def update(self, coll: Collection, records: list[dict[str, Any]]) -> None:
        """Rewrite whole records by id (call inside a transaction)."""
        cols = ("_pk", *coll.columns[1:])
        sets = ", ".join(f"{_quote(c)}=?" for c in cols)
        sql = f"UPDATE {coll.sql_name} SET {sets} WHERE {_quote(coll.id_column)}=?"
        rows = [(*(r.get(c) for c in cols), r[coll.id_column]) for r in records]
        self.conn.executemany(sql, rows)

    def delete_ids(self, coll: Collection, *, column: str, ids: list[Any]) -> int:
        """Delete records whose ``column`` is among ``ids`` (call inside a transaction)."""
        deleted = 0
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"DELETE FROM {coll.sql_name} WHERE {_quote(column)} IN ({marks})"
            deleted += self.conn.execute(sql, chunk).rowcount
        return deleted

    def count(self, coll: Collection) -> int:
        with self._lock:
            return int(self.conn.execute(f"SELECT count(*) FROM {coll.sql_name}").fetchone()[0])

"""The sandbox org's records: SQLite storage, validation and DML shared by REST, Collections, Bulk.

Layout (what :mod:`.soql` compiles against): one table per object named exactly its API name,
one column per stored field named exactly its field name; text ``TEXT`` (compared without case),
booleans ``INTEGER`` 0/1, ``int`` ``INTEGER``, ``double``/``currency``/``percent`` ``REAL``,
dates ``YYYY-MM-DD``, datetimes ``YYYY-MM-DDTHH:MM:SS.mmm+0000`` (UTC, milliseconds kept), ``NULL`` for null.
Every table has ``Id`` and ``IsDeleted``.

Record values are JSON-typed Python values (``str``, ``bool``, ``int``, ``float``; ``None``
sets a field to null); a key absent from a record leaves that field unchanged. Each DML call
runs in one transaction and returns one :class:`SaveResult` per input record, in input order.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

from ditoolkit.sandbox.salesforce.collector import collector_paused
from ditoolkit.sandbox.salesforce.dml import Batch, Planner, error, state_problem
from ditoolkit.sandbox.salesforce.ids import to_18
from ditoolkit.sandbox.salesforce.schema import FieldDef, ObjectDef, default_world
from ditoolkit.sandbox.salesforce.soql import (
    CompiledQuery,
    SoqlError,
    SoqlObject,
    compile_query,
    shape_records,
)
from ditoolkit.sandbox.salesforce.tables import create_tables, select_in
from ditoolkit.sandbox.salesforce.validation import format_datetime
from ditoolkit.sandbox.salesforce.writes import write_deletes, write_inserts, write_updates

__all__ = ["FieldDef", "ObjectDef", "QueryResult", "SaveResult", "SoqlError", "Store", "StoreError"]

API_VERSION = "59.0"
ROLLED_BACK = error(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
)


class StoreError(Exception):
    """A whole DML call Salesforce would refuse (unknown object, bad external id field, ...).

    Attributes:
        error_code: e.g. ``NOT_FOUND``, ``INVALID_TYPE``, ``INVALID_FIELD``.
        message: the wire message.
        status: the HTTP status a single REST call answers with.
    """

    def __init__(self, error_code: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message
        self.status = status


@dataclass
class SaveResult:
    """The outcome of one record of a DML call.

    Attributes:
        id: the record's id (``None`` when an insert failed or the id is unknown).
        success: the record was written.
        created: an insert (or the insert branch of an upsert) succeeded.
        errors: ``[{"statusCode": ..., "message": ..., "fields": [...]}]`` when it failed.
    """

    id: str | None
    success: bool
    created: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class QueryResult:
    """Every record a SOQL query selects.

    Attributes:
        total_size: number of matching records (the count for ``SELECT COUNT()``).
        records: the Salesforce JSON records (``attributes``, nested parents), in order.
    """

    total_size: int
    records: list[dict[str, Any]]


class Store:
    """The org's records in ``data_dir/org.sqlite3``; thread-safe (one connection, one lock).

    Args:
        data_dir: folder for the database file (created if missing).

    Attributes:
        user_id: the id written to ``CreatedById``/``LastModifiedById``/``OwnerId`` (set by
            :meth:`ensure_identity`).
        lock_fault: when set, called once per record written; ``True`` fails that record with
            ``UNABLE_TO_LOCK_ROW`` (fault injection).
    """

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._objects = default_world()
        self._conn = sqlite3.connect(
            data_dir / "org.sqlite3", check_same_thread=False, isolation_level=None
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = OFF")  # a sandbox: speed over crash safety
        self._conn.execute("PRAGMA cache_size = -65536")
        self._lock = threading.RLock()
        with self._lock:
            create_tables(self._conn, self._objects.values())
        self._planner = Planner(self._conn, self._objects)
        self.user_id = ""

    @property
    def lock_fault(self) -> Callable[[], bool] | None:
        return self._planner.lock_fault

    @lock_fault.setter
    def lock_fault(self, hook: Callable[[], bool] | None) -> None:
        self._planner.lock_fault = hook

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            nested = self._conn.in_transaction
            self._conn.execute("SAVEPOINT dml" if nested else "BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if nested:
                    self._conn.execute("ROLLBACK TO dml")
                self._conn.execute("RELEASE dml" if nested else "ROLLBACK")
                raise
            self._conn.execute("RELEASE dml" if nested else "COMMIT")

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Run several DML calls as one transaction; an exception undoes all of them."""
        with self._transaction():
            yield

    # --- schema -----------------------------------------------------------------------------
    def describe(self, obj: str) -> ObjectDef | None:
        """The object called ``obj`` (case-insensitive), or ``None`` when it does not exist."""
        return self._objects.get(obj.lower())

    def objects(self) -> list[ObjectDef]:
        """Every object of the org, in describe-global order."""
        return sorted(self._objects.values(), key=lambda o: o.name)

    def object_for_id(self, record_id: str) -> ObjectDef | None:
        """The object whose key prefix ``record_id`` starts with."""
        return self._planner.by_prefix.get(record_id[:3])

    def get_object(self, name: str) -> SoqlObject | None:
        """:class:`SoqlSchema`: the object called ``name`` as SOQL sees it."""
        found = self.describe(name)
        return found.to_soql() if found else None

    def _writable(self, obj: str, operation: str) -> ObjectDef:
        found = self.describe(obj)
        if found is None:
            raise StoreError("NOT_FOUND", "The requested resource does not exist", status=404)
        if not getattr(found, operation):
            raise StoreError(
                "INVALID_TYPE_FOR_OPERATION",
                f"entity type {found.name} does not support {operation[:-4]} operation",
            )
        return found

    # --- DML --------------------------------------------------------------------------------
    def insert(
        self, obj: str, records: list[dict[str, Any]], *, all_or_none: bool = False
    ) -> list[SaveResult]:
        """Create ``records``; system fields, ids and picklist defaults are filled in."""
        target = self._writable(obj, "createable")
        with self._lock:
            batch = Batch(len(records))
            self._planner.add_inserts(target, batch, list(enumerate(records)))
            self._planner.finish(target, batch)
            return self._commit(target, batch, all_or_none=all_or_none)

    def update(
        self, obj: str, records: list[dict[str, Any]], *, all_or_none: bool = False
    ) -> list[SaveResult]:
        """Change ``records``; each carries its ``Id`` (15 or 18 characters)."""
        target = self._writable(obj, "updateable")
        with self._lock:
            batch = Batch(len(records))
            self._planner.add_updates(target, batch, list(enumerate(records)))
            self._planner.finish(target, batch)
            return self._commit(target, batch, all_or_none=all_or_none)

    def upsert(
        self,
        obj: str,
        external_field: str,
        records: list[dict[str, Any]],
        *,
        all_or_none: bool = False,
    ) -> list[SaveResult]:
        """Update the record whose ``external_field`` matches, else create one.

        ``external_field`` may be ``Id``. A value matching several records fails that record
        with ``DUPLICATE_EXTERNAL_ID``; a value repeated within ``records`` fails each of them
        with ``DUPLICATE_VALUE``.

        Raises:
            StoreError: ``external_field`` does not exist or is not an external id.
        """
        target = self._writable(obj, "updateable")
        key = self.external_field(target, external_field)
        with self._lock:
            batch = self._planner.plan_upsert(target, key, records)
            return self._commit(target, batch, all_or_none=all_or_none)

    def external_field(self, obj: ObjectDef, name: str) -> FieldDef:
        """The field of ``obj`` an upsert may match on.

        Raises:
            StoreError: ``NOT_FOUND`` (404) for an unknown field, ``INVALID_FIELD`` for a field
                that is not an external id.
        """
        key = obj.field(name)
        if key is None:
            raise StoreError(
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {name}",
                status=404,
            )
        if not (key.external_id or key.type == "id"):
            raise StoreError(
                "INVALID_FIELD",
                f"Field {key.name} is not an External ID or indexed field for {obj.name}",
            )
        return key

    def delete(
        self, obj: str, ids: list[str], *, hard: bool = False, all_or_none: bool = False
    ) -> list[SaveResult]:
        """Soft-delete (``IsDeleted`` = true, ``queryAll`` still sees it) or hard-delete ids."""
        target = self._writable(obj, "deletable")
        with self._lock:
            batch = Batch(len(ids))
            valid: list[tuple[int, str]] = []
            for position, raw in enumerate(ids):
                rid = to_18(raw) if isinstance(raw, str) else None
                if rid is None or rid[:3] != target.key_prefix:
                    batch.fail(position, [error("MALFORMED_ID", f"malformed id {raw}", ["Id"])])
                    continue
                batch.ids[position] = rid
                valid.append((position, rid))
            states = self._planner.states(target, [rid for _, rid in valid])
            for position, rid in valid:
                problem = state_problem(states.get(rid), hard=hard)
                if problem:
                    batch.fail(position, [problem])
                else:
                    batch.updates.append((position, rid, {}))
            return self._commit(
                target, batch, all_or_none=all_or_none, delete="hard" if hard else "soft"
            )

    def _commit(
        self, obj: ObjectDef, batch: Batch, *, all_or_none: bool, delete: str = ""
    ) -> list[SaveResult]:
        if all_or_none and batch.errors:
            return [
                SaveResult(batch.ids.get(i), False, False, batch.errors.get(i, [ROLLED_BACK]))
                for i in range(batch.size)
            ]
        now = format_datetime(datetime.now(UTC))
        created: dict[int, str] = {}
        with self._transaction() as conn:
            pending = batch.pending()
            if delete:
                write_deletes(conn, obj, pending, now=now, user=self.user_id, hard=delete == "hard")
            else:
                created = write_inserts(conn, obj, pending, now=now, user=self.user_id)
                write_updates(conn, obj, pending, now=now, user=self.user_id)
        if not batch.errors and len(created) == batch.size:
            ids = map(created.__getitem__, range(batch.size))
            return list(map(SaveResult, ids, repeat(True), repeat(True)))
        results = []
        for i in range(batch.size):
            if i in batch.errors:
                results.append(SaveResult(batch.ids.get(i), False, False, batch.errors[i]))
            elif i in created:
                results.append(SaveResult(created[i], True, True))
            else:
                results.append(SaveResult(batch.ids.get(i), True, False))
        return results

    # --- reads ------------------------------------------------------------------------------
    def query(self, soql: str, *, include_deleted: bool = False) -> QueryResult:
        """Run a SOQL query.

        Raises:
            SoqlError: the query is one Salesforce would refuse (code and message as sent).
        """
        compiled = compile_query(soql, self, include_deleted=include_deleted)
        with collector_paused():
            rows = self.rows(compiled)
            if compiled.is_count:
                return QueryResult(int(rows[0][0]) if rows else 0, [])
            records = shape_records(compiled, rows, api_version=API_VERSION)
        return QueryResult(len(records), records)

    def rows(self, compiled: CompiledQuery) -> list[tuple[Any, ...]]:
        """The rows of a compiled query, as plain tuples."""
        with self._lock:
            cursor = self._conn.cursor()
            cursor.row_factory = None
            return cursor.execute(compiled.sql, compiled.params).fetchall()

    def fetch(
        self, obj: ObjectDef, ids: list[str], *, include_deleted: bool = False
    ) -> dict[str, sqlite3.Row]:
        """Rows of ``obj`` by 18-character id (soft-deleted ones only when asked)."""
        live = "" if include_deleted else " AND IsDeleted = 0"
        sql = f'SELECT * FROM "{obj.name}" WHERE Id IN ({{marks}}){live}'
        with self._lock:
            return {row["Id"]: row for row in select_in(self._conn, sql, ids)}  # type: ignore[call-overload]

    def find(self, obj: ObjectDef, key: FieldDef, value: Any) -> list[sqlite3.Row]:
        """Live rows of ``obj`` whose ``key`` equals ``value`` (text without case)."""
        with self._lock:
            return self._conn.execute(
                f'SELECT * FROM "{obj.name}" WHERE IsDeleted = 0 AND "{key.name}" = ?', (value,)
            ).fetchall()

    def changed_between(
        self, obj: ObjectDef, start: str, end: str, *, deleted: bool
    ) -> list[tuple[str, str]]:
        """(Id, SystemModstamp) of records deleted (or live and modified) in [start, end]."""
        with self._lock:
            rows = self._conn.execute(
                f'SELECT Id, SystemModstamp FROM "{obj.name}" WHERE IsDeleted = ? '
                "AND SystemModstamp >= ? AND SystemModstamp <= ? ORDER BY SystemModstamp, Id",
                (int(deleted), start, end),
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def insert_raw(self, obj: str, values: dict[str, Any]) -> None:
        """Write one row as given (identity records: ``User``, ``Organization``)."""
        names = ", ".join(f'"{n}"' for n in values)
        marks = ", ".join("?" * len(values))
        with self._transaction() as conn:
            conn.execute(f'INSERT INTO "{obj}" ({names}) VALUES ({marks})', list(values.values()))

    def count(self, obj: str) -> int:
        """Rows in ``obj``'s table, soft-deleted ones included."""
        with self._lock:
            return int(self._conn.execute(f'SELECT COUNT(*) FROM "{obj}"').fetchone()[0])

    def wipe(self) -> None:
        """Delete every record except the identity records (``User``, ``Organization``)."""
        with self._transaction() as conn:
            for obj in self._objects.values():
                if obj.createable:
                    conn.execute(f'DELETE FROM "{obj.name}"')
                    conn.execute("DELETE FROM _sequence WHERE prefix = ?", (obj.key_prefix,))

"""An in-memory system: the reference implementation of the System port.

Core's unit tests use it in place of Salesforce or Dialog Insight. It validates writes the way
real systems do — required fields, lengths, unique values, restricted picklists, types — so
that bad rows come back as failed rows with an error code, never as exceptions or silence.

Nulls in an update clear the field (as Salesforce REST does with an explicit ``null``); a
caller that wants to leave a field alone leaves its column out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from ditoolkit.errors import NotFoundError, RejectedError
from ditoolkit.port import FieldSchema, FieldType, Operation, TableSchema, WriteResult
from ditoolkit.systems.memory.batch import SYSTEM, Batch
from ditoolkit.systems.memory.values import Record, RowError, coerce_value, is_missing, typed_frame


class MemorySystem:
    """Tables held in memory, behind the System port.

    Args:
        tables: table name → (schema, initial rows or ``None``).
        modstamp: the field stamped on every insert and update, which ``read(since=...)``
            filters on (ignored for tables without it).
        clock: the time source for the stamp (default: now, strictly increasing).

    Attributes:
        calls: how many times each port method was called.
    """

    name = SYSTEM

    def __init__(
        self,
        tables: Mapping[str, tuple[TableSchema, pd.DataFrame | None]] | None = None,
        *,
        modstamp: str = "SystemModstamp",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.modstamp = modstamp
        self.calls: Counter[str] = Counter()
        self._clock = clock or self._now
        self._last = datetime.min.replace(tzinfo=UTC)
        self._schemas: dict[str, TableSchema] = {}
        self._records: dict[str, dict[str, Record]] = {}
        self._next_id = 0
        for name, (schema, frame) in (tables or {}).items():
            self.add_table(schema, frame, name=name)

    def _now(self) -> datetime:
        now = datetime.now(UTC)
        self._last = max(now, self._last + timedelta(microseconds=1))
        return self._last

    def add_table(
        self, schema: TableSchema, frame: pd.DataFrame | None = None, *, name: str | None = None
    ) -> None:
        """Add a table (or replace it), loading ``frame``'s rows as they are.

        Raises:
            RejectedError: a column is not in the schema or a value does not fit its type.
        """
        table = name or schema.name
        self._schemas[table] = schema
        self._records[table] = {}
        if frame is None:
            return
        columns = self._canonical_columns(table, frame)
        for position, values in enumerate(frame.itertuples(index=False, name=None)):
            try:
                record = {
                    c: coerce_value(v, schema.field(c))
                    for c, v in zip(columns, values, strict=True)
                }
            except RowError as exc:
                raise RejectedError(
                    f"initial row {position} of {table}: {exc}", system=SYSTEM, code=exc.code
                ) from None
            self._store_new(table, record)

    def tables(self) -> list[str]:
        """The table names."""
        self.calls["tables"] += 1
        return list(self._schemas)

    def describe(self, table: str) -> TableSchema:
        """The schema of ``table``.

        Raises:
            NotFoundError: no such table.
        """
        self.calls["describe"] += 1
        return self._schema(table)

    def _schema(self, table: str) -> TableSchema:
        if table not in self._schemas:
            raise NotFoundError(
                f"no table {table!r}; tables: {', '.join(self._schemas) or '(none)'}",
                system=SYSTEM,
                code="NOT_FOUND",
                hint="add it with MemorySystem.add_table",
            )
        return self._schemas[table]

    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        where: Any = None,
        since: Any = None,
    ) -> pd.DataFrame:
        """Rows of ``table`` typed from its schema.

        Args:
            table: the table.
            columns: the fields to return (default: all, in schema order).
            where: a callable ``frame -> boolean Series`` or a ``DataFrame.query`` string.
            since: only rows whose modstamp is later than this (a datetime or ISO string).

        Raises:
            NotFoundError: no such table.
            RejectedError: an unknown column, a malformed ``where``, or ``since`` on a table
                without the modstamp field.
        """
        self.calls["read"] += 1
        schema = self._schema(table)
        frame = typed_frame(schema, list(self._records[table].values()))
        if since is not None:
            frame = frame[self._after(schema, since, frame)]
        if where is not None:
            frame = frame[self.mask(table, frame, where)]
        if columns is not None:
            frame = frame[[self.field_of(schema, c).name for c in columns]]
        return frame.reset_index(drop=True)

    def _after(self, schema: TableSchema, since: Any, frame: pd.DataFrame) -> pd.Series:
        field = schema.get(self.modstamp)
        if field is None:
            raise RejectedError(
                f"{schema.name} has no {self.modstamp} field to read changes since a time",
                system=SYSTEM,
                code="INVALID_FIELD",
                hint="read without since=, or add the field to the table's schema",
            )
        stamp = pd.Timestamp(since)
        stamp = stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize("UTC")
        return frame[field.name].gt(stamp).fillna(False).astype(bool)

    @staticmethod
    def mask(table: str, frame: pd.DataFrame, where: Any) -> pd.Series:
        """The rows of ``frame`` that ``where`` (a callable or a query string) selects.

        Raises:
            RejectedError: ``MALFORMED_QUERY`` when the filter cannot be evaluated.
        """
        try:
            mask = where(frame) if callable(where) else frame.eval(str(where), engine="python")
            return pd.Series(mask, index=frame.index).fillna(False).astype(bool)
        except Exception as exc:  # any parse or evaluation failure of the user's filter
            raise RejectedError(
                f"cannot filter {table} with {where!r}: {type(exc).__name__}: {exc}",
                system=SYSTEM,
                code="MALFORMED_QUERY",
                hint="give a pandas query string (Email.notna() and LastName == 'X') or a callable",
            ) from None

    @staticmethod
    def field_of(schema: TableSchema, name: str) -> FieldSchema:
        """The field ``name`` of ``schema`` (case-insensitive).

        Raises:
            RejectedError: ``INVALID_FIELD`` naming the table's fields.
        """
        field = schema.get(name)
        if field is None:
            raise RejectedError(
                f"{schema.name} has no field {name!r}; fields: {', '.join(schema.names)}",
                system=SYSTEM,
                code="INVALID_FIELD",
                hint="check the column name against describe()",
            )
        return field

    def _canonical_columns(self, table: str, frame: pd.DataFrame) -> list[str]:
        schema = self._schema(table)
        return [self.field_of(schema, str(c)).name for c in frame.columns]

    def _store_new(self, table: str, record: Record) -> str:
        self._next_id += 1
        record_id = f"{table[:3].upper()}{self._next_id:012d}"
        schema = self._schemas[table]
        key = schema.get(schema.key) if schema.key else None
        if key is not None and key.type is FieldType.ID and record.get(key.name) is None:
            record[key.name] = record_id
        for field in schema.fields:
            if record.get(field.name) is None and field.default is not None:
                record[field.name] = coerce_value(field.default, field)
        self._records[table][record_id] = record
        return record_id

    def write(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        operation: str,
        key: str | None = None,
    ) -> WriteResult:
        """Write ``frame``'s rows; one result per input row, in input order.

        Args:
            table: the table.
            frame: the rows; columns are field names (case-insensitive).
            operation: ``insert``, ``update``, ``upsert`` or ``delete`` (``hard_delete`` too).
            key: the field matching rows for update, upsert and delete (default: the table's key).

        Raises:
            NotFoundError: no such table.
            RejectedError: the call as a whole is invalid (unknown operation or column, no key).
        """
        self.calls["write"] += 1
        schema = self._schema(table)
        op = self._operation(operation)
        columns = self._canonical_columns(table, frame)
        key_field = self._key(schema, op, key=key, columns=columns)
        batch_keys: Counter[Any] = Counter()
        if op is Operation.UPSERT and key_field is not None:
            column = frame.iloc[:, columns.index(key_field.name)]
            batch_keys.update(v for v in column if not is_missing(v))
        batch = Batch(self, table, key_field=key_field, batch_keys=batch_keys)
        rows = [
            batch.apply(position, op, dict(zip(columns, values, strict=True)))
            for position, values in enumerate(frame.itertuples(index=False, name=None))
        ]
        return WriteResult.from_rows(SYSTEM, table, rows, api_calls=1)

    @staticmethod
    def _operation(operation: str) -> Operation:
        try:
            op = Operation(str(operation).lower())
        except ValueError:
            raise RejectedError(
                f"unknown operation {operation!r}",
                system=SYSTEM,
                code="INVALID_OPERATION",
                hint="use one of " + ", ".join(o.value for o in Operation),
            ) from None
        return Operation.DELETE if op is Operation.HARD_DELETE else op

    def _key(
        self, schema: TableSchema, op: Operation, *, key: str | None, columns: list[str]
    ) -> FieldSchema | None:
        name = key or schema.key
        if name is None:
            if op is Operation.INSERT:
                return None
            raise RejectedError(
                f"{op.value} on {schema.name} needs a key field",
                system=SYSTEM,
                code="MISSING_KEY",
                hint="pass key=<field> naming the field that matches rows",
            )
        field = self.field_of(schema, name)
        if op is not Operation.INSERT and field.name not in columns:
            raise RejectedError(
                f"{op.value} on {schema.name} by {field.name}, but the frame has no such column",
                system=SYSTEM,
                code="MISSING_KEY",
                hint=f"add a {field.name} column to the frame",
            )
        return field

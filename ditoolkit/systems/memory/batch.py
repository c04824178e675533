"""One write call of the memory system, applied row by row; a failed row changes nothing."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from ditoolkit.port import FieldSchema, FieldType, Operation, RowResult, RowStatus
from ditoolkit.systems.memory.values import Record, RowError, coerce_value, is_missing

if TYPE_CHECKING:
    from ditoolkit.systems.memory.system import MemorySystem

SYSTEM = "memory"


class Batch:
    """The rows of one write call, applied one by one; a failed row changes nothing."""

    def __init__(
        self,
        system: MemorySystem,
        table: str,
        *,
        key_field: FieldSchema | None,
        batch_keys: Counter[Any],
    ) -> None:
        self.system = system
        self.table = table
        self.schema = system._schemas[table]
        self.records = system._records[table]
        self.key_field = key_field
        self.batch_keys = batch_keys
        self._index: dict[str, dict[Any, str]] = {}

    def apply(self, position: int, op: Operation, raw: Record) -> RowResult:
        key_name = self.key_field.name if self.key_field else None
        key_value = raw.get(key_name) if key_name else None
        key_value = None if is_missing(key_value) else key_value
        try:
            values = {c: coerce_value(v, self.schema.field(c)) for c, v in raw.items()}
            status, record_id = self._dispatch(op, values, key_value)
        except RowError as exc:
            return RowResult(
                position,
                key_value,
                op.value,
                RowStatus.FAILED,
                error_code=exc.code,
                message=str(exc),
            )
        return RowResult(position, key_value, op.value, status, id=record_id)

    def _dispatch(self, op: Operation, values: Record, raw_key: Any) -> tuple[RowStatus, str]:
        if op is Operation.INSERT:
            return RowStatus.CREATED, self._insert(values)
        key_name = self.key_field.name  # type: ignore[union-attr]
        if values.get(key_name) is None:
            raise RowError("MISSING_KEY", f"{key_name}: a key value is required to {op.value}")
        if self.batch_keys[raw_key] > 1:
            raise RowError(
                "DUPLICATE_EXTERNAL_ID",
                f"{key_name}: {raw_key!r} appears more than once in the batch",
            )
        found = self._find(key_name, values[key_name])
        if op is Operation.DELETE:
            if found is None:
                raise RowError("NOT_FOUND", f"no record with {key_name} = {values[key_name]!r}")
            self._unindex(found)
            del self.records[found]
            return RowStatus.DELETED, found
        if found is not None:
            self._update(found, values, key_name=key_name)
            return RowStatus.UPDATED, found
        if op is Operation.UPDATE or self.key_field.type is FieldType.ID:  # type: ignore[union-attr]
            raise RowError("NOT_FOUND", f"no record with {key_name} = {values[key_name]!r}")
        return RowStatus.CREATED, self._insert(values)

    def _find(self, name: str, value: Any) -> str | None:
        if name not in self._index:
            index: dict[Any, str] = {}
            for record_id, record in self.records.items():
                if record.get(name) is not None:
                    index.setdefault(record[name], record_id)
            self._index[name] = index
        return self._index[name].get(value)

    def _unindex(self, record_id: str) -> None:
        for name, index in self._index.items():
            if index.get(self.records[record_id].get(name)) == record_id:
                del index[self.records[record_id][name]]

    def _reindex(self, record_id: str) -> None:
        for name, index in self._index.items():
            value = self.records[record_id].get(name)
            if value is not None:
                index.setdefault(value, record_id)

    def _insert(self, values: Record) -> str:
        for name, value in values.items():
            field = self.schema.field(name)
            if value is not None and not field.createable:
                raise RowError(
                    "INVALID_FIELD_FOR_INSERT_UPDATE", f"{name}: cannot be set on insert"
                )
        generated = {f.name for f in self.schema.fields if f.type is FieldType.ID}
        for field in self.schema.fields:
            absent = values.get(field.name) is None and field.default is None
            if field.required and field.name not in generated and absent:
                raise RowError("REQUIRED_FIELD_MISSING", f"{field.name}: a value is required")
        self._check(values, record_id=None)
        record = dict(values)
        self._stamp(record)
        record_id = self.system._store_new(self.table, record)
        self._reindex(record_id)
        return record_id

    def _update(self, record_id: str, values: Record, *, key_name: str) -> None:
        for name, value in values.items():
            field = self.schema.field(name)
            if name != key_name and not field.updateable:
                raise RowError("INVALID_FIELD_FOR_INSERT_UPDATE", f"{name}: cannot be updated")
            if field.required and value is None:
                raise RowError("REQUIRED_FIELD_MISSING", f"{name}: cannot be cleared")
        self._check(values, record_id=record_id)
        self._unindex(record_id)
        self.records[record_id].update(values)
        self._stamp(self.records[record_id])
        self._reindex(record_id)

    def _check(self, values: Record, *, record_id: str | None) -> None:
        for name, value in values.items():
            if value is None:
                continue
            field = self.schema.field(name)
            if field.length and isinstance(value, str) and len(value) > field.length:
                raise RowError(
                    "STRING_TOO_LONG",
                    f"{name}: {len(value)} characters, at most {field.length} allowed",
                )
            if field.restricted and field.picklist_values and value not in field.picklist_values:
                raise RowError(
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"{name}: {value!r} is not one of {', '.join(field.picklist_values)}",
                )
            if field.unique or field.external_id or field.key:
                other = self._find(name, value)
                if other is not None and other != record_id:
                    raise RowError("DUPLICATE_VALUE", f"{name}: {value!r} already used by {other}")

    def _stamp(self, record: Record) -> None:
        field = self.schema.get(self.system.modstamp)
        if field is not None:
            record[field.name] = coerce_value(self.system._clock(), field)

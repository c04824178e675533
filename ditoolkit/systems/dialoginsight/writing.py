"""Frames to ``Merge`` records and ``Merge`` answers to per-row results (§2.4, §4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ditoolkit.errors import ConfigError
from ditoolkit.port import FieldSchema, FieldType, Operation, RowResult, RowStatus, TableSchema
from ditoolkit.systems.dialoginsight import assumptions as A
from ditoolkit.systems.dialoginsight.values import is_null, to_wire, wire_column

Json = dict[str, Any]

_STATUSES = {
    "created": RowStatus.CREATED,
    "updated": RowStatus.UPDATED,
    "unchanged": RowStatus.UNCHANGED,
    "skipped": RowStatus.SKIPPED,
    "error": RowStatus.FAILED,
}


@dataclass
class Prepared:
    """One input row ready to send."""

    row: int
    key: Any
    record: Json = field(default_factory=dict)
    match: str = ""


def resolve_columns(frame: pd.DataFrame, schema: TableSchema) -> dict[str, FieldSchema]:
    """Each frame column → its field in ``schema`` (case-insensitive).

    Raises:
        ConfigError: a column names no field of the table.
    """
    out = {}
    for column in frame.columns:
        spec = schema.get(str(column))
        if spec is None:
            raise ConfigError(
                f"Dialog Insight table {schema.name!r} has no field {column!r} (frame column)",
                hint=f"rename or drop the column; the table's fields are {schema.names}",
            )
        out[str(column)] = spec
    return out


def check_key(frame: pd.DataFrame, schema: TableSchema, keys: Sequence[str]) -> None:
    """Raise ConfigError unless every key field is a column of ``frame``."""
    present = {str(c).lower() for c in frame.columns}
    missing = [k for k in keys if k.lower() not in present]
    if not keys or missing:
        raise ConfigError(
            f"writing Dialog Insight table {schema.name!r} needs the key column(s) "
            f"{missing or '(none known)'} in the frame",
            hint="add the key column, or pass key= naming a column that identifies each record",
        )


def match_text(value: Any, spec: FieldSchema) -> str:
    """A key value as compared between input and answer (emails case-insensitively)."""
    return wire_match_text(to_wire(value, spec.type), spec)


def wire_match_text(wire: Any, spec: FieldSchema) -> str:
    """:func:`match_text` of a value already in its wire form."""
    text = str(wire).strip()
    return text.lower() if spec.type is FieldType.EMAIL else text


def display_key(values: Sequence[Any]) -> Any:
    """The key shown in results: the value, or a tuple for a composite key."""
    plain = [v.item() if hasattr(v, "item") else v for v in values]
    return plain[0] if len(plain) == 1 else tuple(plain)


def id_name(key: str, *, contacts: bool) -> str:
    """The name of a key in a record's ``ID``: ``idContact``, ``key_f_EMail``, ``key_code``."""
    if contacts and key == A.CONTACT_ID:
        return key
    return A.KEY_PREFIX + key


def prepare_rows(
    frame: pd.DataFrame,
    schema: TableSchema,
    *,
    keys: Sequence[str],
    contacts: bool,
    clear: bool,
    operation: str,
) -> tuple[list[Prepared], list[RowResult]]:
    """Input rows as Merge records; rows that cannot be sent become failed results.

    Each column is converted to its wire form once (:func:`wire_column`), then the records
    are assembled row by row.

    Args:
        frame: the rows to write.
        schema: the table's schema (frame columns must be its fields).
        keys: the key field(s) that identify each record.
        contacts: the contacts table (``idContact`` keys, ``key_f_`` keys).
        clear: send nulls as "clear this field" (opt-ins and keys are never cleared).
        operation: the operation named in failed rows.
    """
    raw: dict[str, list[Any]] = {}
    for column, spec in resolve_columns(frame, schema).items():
        raw[spec.name] = frame[column].tolist()
    columns = {name: _WireColumn.of(values, schema.field(name)) for name, values in raw.items()}
    key_specs = [schema.field(k) for k in keys]
    ready: list[Prepared] = []
    failed: list[RowResult] = []
    for row in range(len(frame)):
        key_values = [raw[k.name][row] if k.name in raw else None for k in key_specs]
        key = display_key(key_values)
        try:
            ready.append(_prepare(row, key, key_values, columns, key_specs, contacts, clear))
        except ValueError as exc:
            code = "MissingKey" if str(exc).startswith("key ") else "InvalidValue"
            failed.append(
                RowResult(
                    row,
                    key,
                    operation,
                    RowStatus.FAILED,
                    error_code=code,
                    message=f"{schema.name} row {row}: {exc}",
                )
            )
    return ready, failed


@dataclass(frozen=True)
class _WireColumn:
    """One column in wire form, with the reason of each value that cannot be sent."""

    spec: FieldSchema
    values: list[Any]
    errors: dict[int, str]

    @classmethod
    def of(cls, values: list[Any], spec: FieldSchema) -> _WireColumn:
        wire, errors = wire_column(values, spec.type)
        return cls(spec, wire, errors)


def _prepare(
    row: int,
    key: Any,
    key_values: Sequence[Any],
    columns: Mapping[str, _WireColumn],
    key_specs: Sequence[FieldSchema],
    contacts: bool,
    clear: bool,
) -> Prepared:
    ident: Json = {}
    matched: list[str] = []
    for spec, value in zip(key_specs, key_values, strict=True):
        if is_null(value) or str(value).strip() == "":
            raise ValueError(f"key {spec.name} is empty")
        column = columns.get(spec.name)
        wire = (
            column.values[row] if column and row not in column.errors else to_wire(value, spec.type)
        )
        ident[id_name(spec.name, contacts=contacts)] = wire
        matched.append(wire_match_text(wire, spec))
    data: Json = {}
    for name, column in columns.items():
        if contacts and name == A.CONTACT_ID:
            continue
        if row in column.errors:
            raise ValueError(f"field {name}: {column.errors[row]}")
        wire = column.values[row]
        if wire is None:
            spec = column.spec
            if not clear or spec.optin or spec.key:
                continue
            wire = A.CLEAR_VALUE
        data[name] = wire
    return Prepared(row, key, {"ID": ident, "Data": data}, "|".join(matched))


def merge_results(
    batch: Sequence[Prepared],
    answer: Mapping[str, Any],
    *,
    operation: str,
    key_specs: Sequence[FieldSchema],
    contacts: bool,
) -> list[RowResult]:
    """One result per sent record, from a Merge answer (``Records[i]`` in request order).

    When the answer holds another number of records than were sent, or a record whose ``ID``
    names another key than the record sent at its place, results are matched by ``ID``
    instead; a sent record left without a result fails with ``NoResult`` (never a success).
    """
    records = answer.get("Records")
    records = [r for r in records if isinstance(r, Mapping)] if isinstance(records, list) else []
    in_order = len(records) == len(batch) and all(
        _answered_key(r, key_specs, contacts=contacts) in (None, p.match)
        for p, r in zip(batch, records, strict=True)
    )
    if not in_order:
        records = _align_by_id(batch, records, key_specs, contacts=contacts)
    return [_row_result(p, r, operation) for p, r in zip(batch, records, strict=True)]


def _answered_key(
    record: Mapping[str, Any], key_specs: Sequence[FieldSchema], *, contacts: bool
) -> str | None:
    """The key a Merge result names in its ``ID``, as :attr:`Prepared.match`; None if absent."""
    raw = record.get("ID")
    ident: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    try:
        parts = [match_text(ident[id_name(s.name, contacts=contacts)], s) for s in key_specs]
    except (KeyError, ValueError, TypeError):
        return None
    return "|".join(parts)


def _align_by_id(
    batch: Sequence[Prepared],
    records: list[Mapping[str, Any]],
    key_specs: Sequence[FieldSchema],
    *,
    contacts: bool,
) -> list[Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for record in records:
        answered = _answered_key(record, key_specs, contacts=contacts)
        if answered is not None:
            found.setdefault(answered, record)
    return [found.get(p.match, {}) for p in batch]


def _row_result(prepared: Prepared, record: Mapping[str, Any], operation: str) -> RowResult:
    row, key = prepared.row, prepared.key
    if not record:
        return RowResult(
            row,
            key,
            operation,
            RowStatus.FAILED,
            error_code="NoResult",
            message="the service returned no result for this record; re-read it",
        )
    raw_id = record.get("IdRecord")
    ident = str(raw_id) if raw_id not in (None, "") else None
    validation = record.get("ValidationResult")
    status_text = str(record.get("Status") or "")
    message = record.get("Message")
    if validation not in (None, A.VALIDATION_OK) or status_text.lower() == "error":
        code = str(validation) if validation not in (None, A.VALIDATION_OK) else "Error"
        return RowResult(
            row,
            key,
            operation,
            RowStatus.FAILED,
            id=ident,
            error_code=code,
            message=str(message) if message else code,
        )
    status = _STATUSES.get(status_text.lower())
    if status is None:
        status = RowStatus.UPDATED
        message = message or f"the service reported status {status_text!r}"
    return RowResult(
        row, key, operation, status, id=ident, message=str(message) if message else None
    )


def parse_operation(operation: str) -> Operation:
    """The write operation named ``operation``.

    Raises:
        ConfigError: DI does not support it (``hard_delete``) or it is unknown.
    """
    try:
        op = Operation(str(operation).lower())
    except ValueError:
        op = None
    if op is None or op is Operation.HARD_DELETE:
        raise ConfigError(
            f"Dialog Insight cannot {operation!r}",
            hint="use upsert, insert, update or delete",
        )
    return op


def merge_options(op: Operation, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """MergeOptions for ``op`` (insert-only, update-only or both), then ``overrides``."""
    flags = {
        Operation.UPSERT: {"AllowInsert": True, "AllowUpdate": True},
        Operation.INSERT: {"AllowInsert": True, "AllowUpdate": False},
        Operation.UPDATE: {"AllowInsert": False, "AllowUpdate": True},
    }[op]
    return {**A.DEFAULT_MERGE_OPTIONS, **flags, **(overrides or {})}

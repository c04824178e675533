"""Processing a Bulk API 2.0 ingest job: its uploaded CSV, through the store, into result CSVs.

Rows go to the store in chunks of 10,000 (Salesforce's internal batch size), each chunk with
``all_or_none=False`` so one bad row never holds back the others. A problem with the upload as
a whole (unknown column, wrong line ending) fails the job; a problem with one row (a value
that does not fit its field, a missing parent, a store validation error) fails that row only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from ditoolkit.sandbox.salesforce.bulk2_csv import (
    NULL_MARKER,
    UploadError,
    ValueProblem,
    converter,
    read_upload,
    row_error,
    text_converter,
)
from ditoolkit.sandbox.salesforce.bulk2_records import fast_records
from ditoolkit.sandbox.salesforce.bulk2_results import encode_outcomes
from ditoolkit.sandbox.salesforce.collector import collector_paused
from ditoolkit.sandbox.salesforce.store import (
    FieldDef,
    ObjectDef,
    SaveResult,
    Store,
    StoreError,
)

log = logging.getLogger(__name__)

CHUNK_SIZE = 10_000
_IN_LIST_SIZE = 500
_DELETES = frozenset({"delete", "hardDelete"})


@dataclass(frozen=True)
class IngestSpec:
    """What an ingest job was created with (names as Salesforce spells them)."""

    object_name: str
    operation: str
    external_id_field: str | None
    column_delimiter: str
    line_ending: str


@dataclass
class IngestOutcome:
    """How an ingest job ended: its state, counters and the three result files."""

    state: str
    processed: int = 0
    failed: int = 0
    error_message: str | None = None
    outcomes: str | None = None


@dataclass(frozen=True)
class Column:
    """One uploaded column: a field of the object, or a parent's key through a relationship."""

    header: str
    field: FieldDef
    convert: Callable[[str], Any]
    parent: ObjectDef | None = None
    parent_key: FieldDef | None = None

    @property
    def plain(self) -> bool:
        """The cell's text is the value as it is (a text field of the object itself)."""
        return self.parent is None and self.convert is text_converter


@dataclass(slots=True)
class _Row:
    cells: list[str]
    record: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, tuple[Column, Any]] = field(default_factory=dict)
    sf_id: str = ""
    created: bool = False
    error: str | None = None


def run_ingest(store: Store, spec: IngestSpec, *, body: bytes) -> IngestOutcome:
    """Process one ingest job's upload and return its outcome (never raises for bad data)."""
    with collector_paused():
        return _run_ingest(store, spec, body=body)


def _run_ingest(store: Store, spec: IngestSpec, *, body: bytes) -> IngestOutcome:
    try:
        header, rows = read_upload(
            body, delimiter=spec.column_delimiter, line_ending=spec.line_ending
        )
        target = store.describe(spec.object_name)
        if target is None:
            raise UploadError(f"InvalidEntity : sObject type '{spec.object_name}' is not supported")
        columns = resolve_columns(store, target, header=header)
    except UploadError as exc:
        return IngestOutcome("Failed", error_message=str(exc))
    done: list[_Row] = []
    while chunk := [_Row(cells) for cells in islice(rows, CHUNK_SIZE)]:
        _process_chunk(store, spec, target=target, columns=columns, rows=chunk)
        done.extend(chunk)
    outcomes = [[r.sf_id, r.created if r.error is None else r.error] for r in done]
    failed = sum(1 for r in done if r.error is not None)
    return IngestOutcome(
        "JobComplete", processed=len(done), failed=failed, outcomes=encode_outcomes(outcomes)
    )


def resolve_columns(store: Store, target: ObjectDef, *, header: list[str]) -> list[Column]:
    """Match the header's names to fields (case-insensitive; ``Account.Ext__c`` style too).

    Raises:
        UploadError: a name is no field of the object, or appears twice.
    """
    columns: list[Column] = []
    seen: set[str] = set()
    for name in header:
        column = _column(store, target, name=name.strip())
        if column is None:
            raise UploadError(f"InvalidBatch : Field name not found : {name}")
        key = name.strip().lower()
        if key in seen:
            raise UploadError(f"InvalidBatch : Duplicate field name : {name}")
        seen.add(key)
        columns.append(column)
    return columns


def _column(store: Store, target: ObjectDef, *, name: str) -> Column | None:
    if "." not in name:
        found = target.field(name)
        return Column(name, found, converter(found.type)) if found else None
    relationship, _, key_name = name.partition(".")
    reference = next(
        (
            f
            for f in target.fields
            if f.relationship_name and f.relationship_name.lower() == relationship.lower()
        ),
        None,
    )
    if reference is None or not reference.reference_to:
        return None
    parent = store.describe(reference.reference_to[0])
    key = parent.field(key_name) if parent else None
    if parent is None or key is None or not (key.external_id or key.unique or key.type == "id"):
        return None
    return Column(name, reference, converter(key.type), parent, key)


def _process_chunk(
    store: Store, spec: IngestSpec, *, target: ObjectDef, columns: list[Column], rows: list[_Row]
) -> None:
    width = len(columns)
    plan = _Plan.of(columns)
    whole: list[_Row] = []
    for row in rows:
        if len(row.cells) != width:
            row.error = row_error(
                "INVALID_FIELD", f"the row has {len(row.cells)} values, the header {width} names"
            )
        else:
            whole.append(row)
    if any(column.parent is not None for column in columns):
        for row in whole:
            _build_record(spec, plan, row=row)
    else:
        _build_records(spec, plan, rows=whole)
    _resolve_parents(store, [r for r in rows if r.error is None and r.refs])
    ready = [r for r in rows if r.error is None]
    if not ready:
        return
    try:
        results = _send(store, spec, target=target, rows=ready)
    except StoreError as exc:  # the store refuses the whole call: each row gets its error
        for row in ready:
            row.error = row_error(exc.error_code, exc.message)
        return
    except Exception as exc:  # a store failure fails its rows, never the whole sandbox
        log.exception("bulk ingest chunk failed in the store")
        for row in ready:
            row.error = row_error("UNKNOWN_EXCEPTION", f"{type(exc).__name__}: {exc}")
        return
    for row, result in zip(ready, results, strict=True):
        if result.success:
            row.sf_id = result.id or str(row.record.get("Id") or "")
            row.created = result.created
        else:
            _apply_result(row, result)


def _build_records(spec: IngestSpec, plan: _Plan, *, rows: list[_Row]) -> None:
    """Records of rows without relationship columns, a column at a time."""
    typed = [(index, column.convert) for index, column in plan.typed]
    records = fast_records(plan.names, [row.cells for row in rows], typed=typed)
    for row, record in zip(rows, records, strict=True):
        if record is None:
            _build_record(spec, plan, row=row)
        else:
            row.record = record
            if spec.operation in _DELETES:
                row.error = _key_error(spec, row)


def _build_record(spec: IngestSpec, plan: _Plan, *, row: _Row) -> None:
    cells = row.cells
    record: dict[str, Any] = {n: cell for n, cell in zip(plan.names, cells, strict=True) if cell}
    if NULL_MARKER in cells:
        record.update((n, None) for n, c in zip(plan.names, cells, strict=True) if c == NULL_MARKER)
    row.record = record
    for index, column in plan.typed:
        cell = cells[index]
        if not cell or cell == NULL_MARKER:
            continue
        name = column.field.name
        try:
            value = column.convert(cell)
        except ValueProblem:
            label = (column.parent_key or column.field).label or name
            row.error = row_error(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{label}: value not of required type: {cell}",
                fields=[name],
            )
            return
        if column.parent_key is not None:
            del record[name]
            row.refs[name] = (column, value)
        else:
            record[name] = value
    row.error = _key_error(spec, row)


@dataclass(frozen=True)
class _Plan:
    """The columns as record building uses them: every field name, and the typed columns."""

    names: list[str]
    typed: list[tuple[int, Column]]

    @classmethod
    def of(cls, columns: list[Column]) -> _Plan:
        typed = [(i, c) for i, c in enumerate(columns) if not c.plain]
        return cls([c.field.name for c in columns], typed)


def _key_error(spec: IngestSpec, row: _Row) -> str | None:
    """Deletes need an Id; everything else the store validates (writability, keys, values)."""
    if spec.operation in _DELETES and not row.record.get("Id"):
        return _missing_id(spec.operation)
    return None


def _missing_id(operation: str) -> str:
    call = "delete" if operation in _DELETES else "update"
    return row_error("MISSING_ARGUMENT", f"Id not specified in an {call} call")


def _resolve_parents(store: Store, rows: list[_Row]) -> None:
    wanted: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        for column, value in row.refs.values():
            assert column.parent is not None and column.parent_key is not None
            wanted.setdefault((column.parent.name, column.parent_key.name), set()).add(value)
    found = {
        (obj, key): _parent_ids(store, obj, key=key, values=values)
        for (obj, key), values in wanted.items()
    }
    for row in rows:
        for field_name, (column, value) in row.refs.items():
            assert column.parent is not None and column.parent_key is not None
            parent_id = found[(column.parent.name, column.parent_key.name)].get(str(value).lower())
            if parent_id is None:
                row.error = row_error(
                    "INVALID_FIELD",
                    f"Foreign key external ID: {value} not found for field "
                    f"{column.parent_key.name} in entity {column.parent.name}",
                )
                break
            row.record[field_name] = parent_id


def _parent_ids(store: Store, obj: str, *, key: str, values: set[str]) -> dict[str, str]:
    """Parent ids by lower-cased key value (text keys compare without case, as in SOQL)."""
    out: dict[str, str] = {}
    ordered = sorted(values)
    for start in range(0, len(ordered), _IN_LIST_SIZE):
        chunk = ordered[start : start + _IN_LIST_SIZE]
        listed = ", ".join(_soql_literal(v) for v in chunk)
        result = store.query(f"SELECT Id, {key} FROM {obj} WHERE {key} IN ({listed})")
        for record in result.records:
            out.setdefault(str(record[key]).lower(), record["Id"])
    return out


def _soql_literal(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _send(
    store: Store, spec: IngestSpec, *, target: ObjectDef, rows: list[_Row]
) -> list[SaveResult]:
    records = [row.record for row in rows]
    if spec.operation == "insert":
        return store.insert(target.name, records)
    if spec.operation == "update":
        return store.update(target.name, records)
    if spec.operation == "upsert":
        return store.upsert(target.name, spec.external_id_field or "Id", records)
    ids = [str(record["Id"]) for record in records]
    return store.delete(target.name, ids, hard=spec.operation == "hardDelete")


def _apply_result(row: _Row, result: SaveResult) -> None:
    row.sf_id = result.id or str(row.record.get("Id") or "")
    if result.success:
        row.created = result.created
        return
    first = result.errors[0] if result.errors else {}
    row.error = row_error(
        str(first.get("statusCode", "UNKNOWN_EXCEPTION")),
        str(first.get("message", "")),
        fields=[str(f) for f in first.get("fields") or []],
    )

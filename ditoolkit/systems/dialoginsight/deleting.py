"""Deleting rows by key: find which keys exist, delete them, report every input row (§2.5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from ditoolkit.port import FieldSchema, RowResult, RowStatus, TableSchema
from ditoolkit.systems.dialoginsight.clauses import as_clause, field_clause
from ditoolkit.systems.dialoginsight.settings import Target
from ditoolkit.systems.dialoginsight.values import is_null, to_wire
from ditoolkit.systems.dialoginsight.writing import display_key, match_text, resolve_columns

if TYPE_CHECKING:
    from ditoolkit.systems.dialoginsight.system import DialogInsightSystem

OPERATION = "delete"


def delete_rows(
    system: DialogInsightSystem,
    target: Target,
    schema: TableSchema,
    frame: pd.DataFrame,
    *,
    keys: Sequence[str],
    into: list[RowResult],
) -> list[RowResult]:
    """Delete the rows of ``frame`` by ``keys``; append one result per input row to ``into``.

    A single key is deleted a batch at a time (``In``); a composite key one row at a time.
    A key that matches nothing is a failed row (``NotFound``).
    """
    specs = resolve_columns(frame[[c for c in frame.columns if schema.get(str(c))]], schema)
    key_specs = [schema.field(k) for k in keys]
    column_of = {spec.name: column for column, spec in specs.items()}
    pending: list[tuple[int, Any, list[Any]]] = []
    for row, values in enumerate(
        frame[[column_of[k.name] for k in key_specs]].itertuples(index=False, name=None)
    ):
        key = display_key(list(values))
        if any(is_null(v) or str(v).strip() == "" for v in values):
            into.append(_failed(row, key, "MissingKey", f"{schema.name} row {row}: key is empty"))
        else:
            pending.append((row, key, list(values)))
    step = system.batch_size
    for start in range(0, len(pending), step):
        batch = pending[start : start + step]
        if len(key_specs) == 1:
            into.extend(_delete_batch(system, target, key_specs[0], batch))
        else:
            into.extend(_delete_one(system, target, key_specs, item) for item in batch)
    return into


def _get(system: DialogInsightSystem, target: Target, clause: Any, rows: int) -> list[Any]:
    if target.table is None:
        assert target.id_project is not None
        return system.client.contacts_get(target.id_project, clause=clause, max_rows=rows)
    return system.client.relational_get(target.table.id_table, clause=clause, max_rows=rows)


def _delete(system: DialogInsightSystem, target: Target, clause: Any, rows: int) -> int | None:
    if target.table is None:
        assert target.id_project is not None
        return system.client.contacts_delete(target.id_project, clause=clause, max_rows=rows)
    return system.client.relational_delete(target.table.id_table, clause=clause, max_rows=rows)


def _present(
    system: DialogInsightSystem, target: Target, spec: FieldSchema, values: list[Any]
) -> set[str]:
    single = target.table is None
    clause = as_clause([field_clause(spec.name, "In", values)], single_as_object=single)
    found = _get(system, target, clause, len(values))
    return {match_text(r.get(spec.name), spec) for r in found if r.get(spec.name) is not None}


def _delete_batch(
    system: DialogInsightSystem,
    target: Target,
    spec: FieldSchema,
    batch: list[tuple[int, Any, list[Any]]],
) -> list[RowResult]:
    wire = list(dict.fromkeys(to_wire(values[0], spec.type) for _, _, values in batch))
    before = _present(system, target, spec, wire)
    present = [w for w in wire if match_text(w, spec) in before]
    deleted: set[str] = set()
    if present:
        single = target.table is None
        clause = as_clause([field_clause(spec.name, "In", present)], single_as_object=single)
        count = _delete(system, target, clause, len(present))
        deleted = set(before)
        if count != len(before):
            deleted = before - _present(system, target, spec, present)
    results = []
    for row, key, values in batch:
        text = match_text(values[0], spec)
        if text in deleted:
            results.append(RowResult(row, key, OPERATION, RowStatus.DELETED))
        elif text in before:
            results.append(_failed(row, key, "NotDeleted", "the record is still there"))
        else:
            results.append(_failed(row, key, "NotFound", f"no record with {spec.name} {key!r}"))
    return results


def _delete_one(
    system: DialogInsightSystem,
    target: Target,
    specs: Sequence[FieldSchema],
    item: tuple[int, Any, list[Any]],
) -> RowResult:
    row, key, values = item
    clauses = [
        field_clause(s.name, "Equal", to_wire(v, s.type))
        for s, v in zip(specs, values, strict=True)
    ]
    count = _delete(system, target, as_clause(clauses, single_as_object=False), 1)
    if count:
        return RowResult(row, key, OPERATION, RowStatus.DELETED)
    return _failed(row, key, "NotFound", f"no record with key {key!r}")


def _failed(row: int, key: Any, code: str, message: str) -> RowResult:
    return RowResult(row, key, OPERATION, RowStatus.FAILED, error_code=code, message=message)

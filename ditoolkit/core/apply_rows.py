"""From a plan to journal rows with before-images, and from journal rows to port writes.

A plan row becomes one :class:`~ditoolkit.core.journal.PlannedRow` in the names of the table
it is written to, with the **before-image** of the row it changes: the values of the changed
fields as the target frame read at preview held them (raw, so that an undo restores them
exactly), or the plan's own ``before`` values when no frame is given; a delete keeps the whole
row. :func:`write_calls` groups rows of one operation into the port calls that send them:
updates carry only their changed fields and the key, grouped by field set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ditoolkit.core.destination import Destination
from ditoolkit.core.fingerprint import key_text
from ditoolkit.core.journal import PlannedRow
from ditoolkit.core.plan import Plan
from ditoolkit.core.plan_rows import json_value
from ditoolkit.port import FieldType

#: Operations in the order a run sends them.
ORDER = ("insert", "update", "delete")


def side_direction(plan_direction: str, side: str) -> str:
    """The one-way direction of a plan row: ``both`` plans run SF → DI on the target side."""
    if plan_direction != "both":
        return plan_direction
    return "sf_to_di" if side == "target" else "di_to_sf"


def _raw_rows(frame: pd.DataFrame | None, key: str) -> dict[str, dict[str, Any]]:
    if frame is None or key not in frame.columns or frame.empty:
        return {}
    folded = key_text(frame[key]).tolist()
    records: list[dict[str, Any]] = [
        {str(c): v for c, v in r.items()} for r in frame.to_dict("records")
    ]
    return {k: r for k, r in zip(folded, records, strict=True) if isinstance(k, str)}


def _image(
    raw: Mapping[str, Any] | None,
    planned: Mapping[str, Any],
    *,
    destination: Destination,
    whole: bool,
) -> dict[str, Any]:
    """The before-image in the table's names: raw values where the frame has them."""
    names = {destination.column(f): f for f in planned}
    if whole and raw is not None:
        names |= {str(c): str(c) for c in raw if str(c) != destination.key}
    out: dict[str, Any] = {}
    for column, plan_field in names.items():
        if raw is not None and column in raw:
            out[column] = json_value(raw[column])
        else:
            out[column] = planned.get(plan_field)
    return out


def planned_rows(
    plan: Plan,
    *,
    target: Destination,
    source: Destination | None = None,
    target_frame: pd.DataFrame | None = None,
    source_frame: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
    first_seq: int = 0,
) -> list[PlannedRow]:
    """The plan's row changes as journal rows, in the order they are sent.

    Args:
        plan: the plan.
        target: the table the plan's ``target`` rows go to.
        source: the table ``source`` rows go back to (``both`` transfers).
        target_frame: the target rows read at preview (raw), for before-images.
        source_frame: the source rows read at preview (raw, source names).
        labels: the journal's name of each side's table (default ``target`` / ``source``).
        first_seq: the journal seq of the first row.
    """
    named = {"target": "target", "source": "source", **(labels or {})}
    raws = {
        "target": _raw_rows(target_frame, target.key),
        "source": _raw_rows(source_frame, source.key) if source is not None else {},
    }
    ends = {"target": target, "source": source}
    out: list[PlannedRow] = []
    records = plan.rows.to_dict("records")
    records.sort(key=lambda r: (r["side"] != "target", ORDER.index(str(r["operation"]))))
    for seq, row in enumerate(records, start=first_seq):
        side, op = str(row["side"]), str(row["operation"])
        end = ends[side]
        if end is None:
            raise ValueError(f"the plan writes back to the source ({row['key']!r}): pass source=")
        raw = raws[side].get(str(row["key"]).strip().lower())
        before = (
            {}
            if op == "insert"
            else _image(raw, row["before"], destination=end, whole=op == "delete")
        )
        after = {end.column(f): v for f, v in row["after"].items()}
        out.append(
            PlannedRow(
                seq=seq,
                direction=side_direction(plan.direction, side),
                side=named[side],
                table=end.table,
                key=str(row["key"]),
                operation=op,
                before=before,
                after=after,
            )
        )
    return out


@dataclass(frozen=True)
class WriteCall:
    """One port write: the frame, the operation, the key, and the journal rows it carries."""

    frame: pd.DataFrame
    operation: str
    key: str | None
    seqs: tuple[int, ...]
    clear: bool = False


def _frame(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame([[r.get(c) for c in columns] for r in records], columns=list(columns))


Item = tuple[int, str, Mapping[str, Any]]


def write_calls(
    destination: Destination,
    rows: Sequence[Item],
    *,
    operation: str,
    ids: Mapping[str, str] | None = None,
) -> list[WriteCall]:
    """The port calls that send ``rows`` (``(seq, key, after)``) of one operation.

    Args:
        destination: the table.
        rows: the rows, each with its journal seq, key and values to send.
        operation: ``insert``, ``update`` or ``delete`` (the plan's operation).
        ids: folded key → the system's id, where updates or deletes address rows by id.
    """
    found = ids or {}
    if operation == "delete":
        return [_delete_call(destination, rows, ids=found)]
    if operation == "insert":
        names = tuple(sorted({f for _, _, after in rows for f in after if f != destination.key}))
        records = [{destination.key: k, **after} for _, k, after in rows]
        return [_insert_call(destination, records, names=names, seqs=tuple(s for s, _, _ in rows))]
    groups: dict[tuple[str, ...], list[Item]] = {}
    for item in rows:
        groups.setdefault(tuple(sorted(item[2])), []).append(item)
    return [
        _update_call(destination, items, names=names, ids=found) for names, items in groups.items()
    ]


def _by_id(destination: Destination) -> bool:
    return destination.id_field is not None and destination.id_field != destination.key


def _delete_call(
    destination: Destination, rows: Sequence[Item], *, ids: Mapping[str, str]
) -> WriteCall:
    seqs = tuple(s for s, _, _ in rows)
    if _by_id(destination):
        assert destination.id_field is not None
        records = [{destination.id_field: ids.get(k.strip().lower())} for _, k, _ in rows]
        return WriteCall(
            _frame(records, [destination.id_field]), "delete", destination.id_field, seqs
        )
    records = [{destination.key: k} for _, k, _ in rows]
    return WriteCall(_frame(records, [destination.key]), "delete", destination.key, seqs)


def _update_call(
    destination: Destination,
    items: Sequence[Item],
    *,
    names: tuple[str, ...],
    ids: Mapping[str, str],
) -> WriteCall:
    """Only the changed fields and the key (or the system's id) of rows changing the same fields."""
    key = destination.key
    records = [{key: k, **after} for _, k, after in items]
    seqs = tuple(s for s, _, _ in items)
    clear = any(after.get(n) is None for _, _, after in items for n in names)
    if _by_id(destination) and destination.update_operation == "update":
        assert destination.id_field is not None
        for record, (_, k, _) in zip(records, items, strict=True):
            record[destination.id_field] = ids.get(k.strip().lower())
        frame = _frame(records, [destination.id_field, *names])
        return WriteCall(frame, "update", destination.id_field, seqs, clear)
    frame = _frame(records, [key, *names])
    return WriteCall(frame, destination.update_operation, key, seqs, clear)


def _insert_call(
    destination: Destination,
    records: list[dict[str, Any]],
    *,
    names: tuple[str, ...],
    seqs: tuple[int, ...],
) -> WriteCall:
    key = destination.key
    if destination.inserts_by_upsert:
        return WriteCall(_frame(records, [key, *names]), "upsert", key, seqs)
    spec = destination.schema.get(key)
    generated = key == destination.id_field or spec is None or spec.type is FieldType.ID
    columns = list(names) if generated else [key, *names]
    return WriteCall(_frame(records, columns), "insert", None, seqs)

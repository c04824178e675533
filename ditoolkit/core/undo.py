"""Undoing a run from its journal: restore before-images, delete the rows it inserted.

An undo is itself a journaled run (kind ``undo``, ``undo_of`` the run it reverses), so it can
be resumed, verified and read like any other. Each row is written back only if the table
still holds what the run left there; a row changed since is reported ``TARGET_CHANGED`` and
left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ditoolkit.core.destination import Destination
from ditoolkit.core.journal import Journal, PlannedRow, new_run_id
from ditoolkit.core.run_engine import ApplySettings, RunEngine
from ditoolkit.core.run_result import RunResult
from ditoolkit.core.verify import VERIFY_MISMATCH
from ditoolkit.errors import ApplyError
from ditoolkit.port import FieldType

_INVERSE = {"created": "delete", "updated": "update", "deleted": "insert"}
_DONE_STATUS = {"insert": "created", "update": "updated", "delete": "deleted"}
UNDO_COLUMNS = ["side", "table", "key", "operation", "restore"]


def _written(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows the run changed: succeeded, or written but failing verification."""
    mismatch = (rows["status"] == "failed") & (rows["error_code"] == VERIFY_MISMATCH)
    status = rows["status"].where(~mismatch, rows["operation"].map(_DONE_STATUS))
    return rows.assign(status=status)[status.isin(list(_INVERSE))]


def undo_rows(journal: Journal, run_id: str) -> list[PlannedRow]:
    """The row changes that reverse run ``run_id``, newest change first.

    Raises:
        ApplyError: the run is unfinished, a dry run, already undone, or unknown.
    """
    record = journal.run(run_id)
    if record.unfinished:
        raise ApplyError(
            f"run {run_id} did not finish (status {record.status})",
            hint=f"resume it first (python -m ditoolkit apply --resume {run_id}), then undo it",
        )
    if record.status == "dry_run":
        raise ApplyError(f"run {run_id} was a dry run: it wrote nothing to undo")
    undone = [r for r in journal.undo_runs(run_id) if r.status == "completed"]
    if undone:
        raise ApplyError(
            f"run {run_id} was already undone by run {undone[0].run_id}",
            hint="to redo its changes, make and apply a new plan",
        )
    rows = _written(journal.rows(run_id)).iloc[::-1]
    out = []
    for seq, row in enumerate(rows.to_dict("records")):
        operation = _INVERSE[str(row["status"])]
        out.append(
            PlannedRow(
                seq=seq,
                direction=str(row["direction"]),
                side=str(row["side"]),
                table=str(row["table_name"]),
                key=str(row["key"]),
                operation=operation,
                before=dict(row["after"]) if operation != "insert" else {},
                after=dict(row["before"]) if operation != "delete" else {},
            )
        )
    return out


def describe_undo(journal: Journal, run_id: str) -> pd.DataFrame:
    """What undoing ``run_id`` would do, one row per row change (nothing is written)."""
    rows = undo_rows(journal, run_id)
    return pd.DataFrame(
        [(r.side, r.table, r.key, r.operation, r.after) for r in rows], columns=UNDO_COLUMNS
    )


def _createable(row: PlannedRow, ends: Mapping[str, Destination | None]) -> PlannedRow:
    """A re-insert carries only fields the table lets a create set."""
    end = ends.get(row.side)
    if row.operation != "insert" or end is None:
        return row
    kept: dict[str, Any] = {}
    for name, value in row.after.items():
        spec = end.schema.get(name)
        if spec is not None and spec.createable and spec.type is not FieldType.ID:
            kept[name] = value
    return PlannedRow(**{**row.__dict__, "after": kept})


def undo_run(
    run_id: str,
    *,
    journal: Journal,
    destinations: Mapping[str, Destination] | None = None,
    target: Destination | None = None,
    source: Destination | None = None,
    settings: ApplySettings | None = None,
) -> RunResult:
    """Reverse run ``run_id``: a new journaled run of kind ``undo``.

    Args:
        run_id: the run to reverse.
        journal: its journal.
        destinations: the journal's table names → tables (see :func:`resume_run`); or
            ``target`` (and ``source``) for a run made by :func:`apply_plan`.
        target / source: see ``destinations``.
        settings: batches, verify.

    Raises:
        ApplyError: the run cannot be undone (see :func:`undo_rows`).
    """
    record = journal.run(run_id)
    ends: dict[str, Destination | None] = (
        dict(destinations) if destinations is not None else {"target": target, "source": source}
    )
    rows = [_createable(r, ends) for r in undo_rows(journal, run_id)]
    undo_id = new_run_id()
    journal.start_run(
        undo_id,
        kind="undo",
        rows=rows,
        parameters={**record.parameters, "dry_run": False},
        transfer=record.transfer,
        direction=record.direction,
        mapping_fingerprint=record.mapping_fingerprint,
        undo_of=run_id,
    )
    chosen = settings or ApplySettings()
    runner = RunEngine(journal, undo_id, ends=ends, settings=chosen)
    return runner.run(check_rows=True)

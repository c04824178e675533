"""What an apply leaves behind: the ``--out`` files, CSV load result files, incremental state,
and the exit status.

The success and error files of a CSV load (every input row, all its columns, one line each,
in the file's order) are written by :mod:`ditoolkit.workflow.load_results`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ditoolkit.core.preview import Preview
from ditoolkit.core.run_result import RunResult
from ditoolkit.core.summary import (
    ERROR_FILE_COLUMNS,
    PLAN_FILE_COLUMNS,
    RESULT_FILE_COLUMNS,
    SYSTEMS,
    add_counts,
    summary_document,
    write_out_files,
    write_refused_files,
)
from ditoolkit.core.sync_state import SyncState, agreed_rows, max_stamp
from ditoolkit.errors import AllowanceError, AuthError
from ditoolkit.workflow.load_results import write_csv_results

if TYPE_CHECKING:
    from ditoolkit.workflow.apply_command import TransferRun

EXIT_OK, EXIT_ROWS, EXIT_REFUSED = 0, 1, 2
COMMAND = "apply"


def exit_code(result: RunResult, preview: Preview | None) -> int:
    """0 every planned row succeeded and nothing was held back; 1 rows failed, were held back
    or are in conflict; 2 the run was stopped by authentication or the API allowance."""
    if result.status == "interrupted":
        refused = isinstance(result.error, AuthError | AllowanceError)
        return EXIT_REFUSED if refused else EXIT_ROWS
    if result.failed or result.unfinished:
        return EXIT_ROWS
    if preview is not None:
        counts = preview.summary()
        if counts["held_back"] or counts["conflict"]:
            return EXIT_ROWS
    return EXIT_OK


# -- incremental state ---------------------------------------------------------------------------


def save_state(
    state: SyncState,
    preview: Preview,
    *,
    result: RunResult,
    synced_at: datetime,
    watermarks: dict[str, Any] | None = None,
) -> None:
    """After a completed run without failures: watermarks (the greatest ``SystemModstamp``
    read from a Salesforce source, else the time the sync started), and the base snapshot of
    a ``both`` transfer."""
    if result.failed or result.unfinished or result.dry_run:
        return
    transfer = preview.transfer
    marks: dict[str, Any] = {}
    for flow, d in preview.directions.items():
        known = (watermarks or {}).get(flow)
        stamp = known if known is not None else max_stamp(d.source)
        if transfer.source_side(flow) != "salesforce":
            stamp = synced_at
        if stamp is not None:
            marks[flow] = stamp
    base, key = None, None
    removed: list[str] = []
    if transfer.direction == "both" and "sf_to_di" in preview.directions:
        d = preview.directions["sf_to_di"]
        key = d.plan.key
        base, removed = agreed_rows(
            d.target,
            result.rows[result.rows["side"] == "sf_to_di"],
            key=key,
            exclude=_unsettled_keys(preview, result),
        )
    state.save_after_run(
        transfer,
        run_id=result.run_id,
        watermarks=marks,
        base=base,
        key=key,
        removed=removed,
        directions=list(preview.directions),
    )


def _unsettled_keys(preview: Preview, result: RunResult) -> list[Any]:
    """Keys both sides do not agree on: conflicts, held back, skipped, failed."""
    keys: list[Any] = []
    for d in preview.directions.values():
        keys += d.plan.errors["key"].tolist() + d.plan.skipped["key"].tolist()
        keys += list(d.diff.conflict_keys())
    keys += result.rows.loc[result.rows["status"] == "failed", "key"].tolist()
    return [k for k in keys if k is not None]


# -- --out files ---------------------------------------------------------------------------------


def _result_rows(result: RunResult, transfer: str) -> pd.DataFrame:
    rows = result.results_frame()
    frame = pd.DataFrame(
        {
            "transfer": transfer,
            "direction": rows["side"],
            "row": range(len(rows)),
            "key": rows["key"],
            "operation": rows["operation"],
            "status": rows["status"],
            "id": rows["id"],
            "error_code": rows["error_code"],
            "message": rows["message"],
        },
        columns=RESULT_FILE_COLUMNS,
    )
    return frame


def _error_rows(run: TransferRun) -> pd.DataFrame:
    parts = [run.preview.error_rows()] if run.preview is not None else []
    failed = run.result.errors_frame()
    sides = run.result.rows.loc[
        (run.result.rows["status"] == "failed")
        | run.result.rows["state"].isin(["pending", "sent"]),
        "side",
    ]
    parts.append(failed.assign(transfer=run.transfer.name, direction=sides.to_numpy()))
    kept = [p[ERROR_FILE_COLUMNS].astype(object) for p in parts if not p.empty]
    if not kept:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ERROR_FILE_COLUMNS})
    return pd.concat(kept, ignore_index=True)


def run_counts(run: TransferRun) -> dict[str, int]:
    """summary.json's counts: the plan's rows, and the rows that failed in the run."""
    if run.preview is not None:
        counts = dict(run.preview.summary())
    else:
        ops = run.result.rows["operation"].value_counts()
        counts = {op: int(ops.get(op, 0)) for op in ("insert", "update", "delete")}
    counts["failed"] = run.result.failed + run.result.unfinished
    return counts


def _plan_rows(run: TransferRun) -> pd.DataFrame:
    if run.preview is not None:
        return run.preview.plan_rows()
    return pd.DataFrame({c: pd.Series(dtype="object") for c in PLAN_FILE_COLUMNS})


def write_apply_files(runs: Sequence[TransferRun], *, out: Path | None, dry_run: bool) -> None:
    """The ``--out`` files of each run (a subfolder per transfer when several), and the
    success and error files of CSV loads (:func:`write_csv_results`: in the run's ``--out``
    folder, else beside the input file).

    A CSV load's ``<file>.success.csv`` holds every input row loaded or already in the
    target, with all the file's columns then ``ID``, ``STATUS`` (``Item Created``, ``Item
    Updated``, ``Item Unchanged``) and ``LINE``; ``<file>.error.csv`` every other input row,
    with all its columns then ``ERROR`` and ``LINE``. A dry run loads nothing and writes
    neither, so the files of the last real load (beside the input file by default) stay as
    they were; its ``--out`` files say what the load would do.
    """
    several = len(runs) > 1
    for run in runs:
        if not dry_run:
            folder = (out / run.transfer.name if several else out) if out else None
            write_csv_results(run, out=folder)
        if out is None:
            continue
        document = summary_document(
            command=COMMAND,
            transfer=run.transfer.name,
            dry_run=dry_run,
            run_id=run.result.run_id,
            counts=run_counts(run),
            api_calls=run.api_calls,
            seconds=run.seconds,
        )
        write_out_files(
            out / run.transfer.name if several else out,
            summary=document,
            plan_rows=_plan_rows(run),
            error_rows=_error_rows(run),
            result_rows=_result_rows(run.result, run.transfer.name),
        )
    if several and out is not None:
        document = summary_document(
            command=COMMAND,
            transfer=None,
            dry_run=dry_run,
            counts=add_counts(run_counts(r) for r in runs),
            api_calls={s: sum(r.api_calls.get(s, 0) for r in runs) for s in SYSTEMS},
            seconds=sum(r.seconds for r in runs),
        )
        write_out_files(
            out,
            summary=document,
            plan_rows=_stack([_plan_rows(r) for r in runs], PLAN_FILE_COLUMNS),
            error_rows=_stack([_error_rows(r) for r in runs], ERROR_FILE_COLUMNS),
            result_rows=_stack(
                [_result_rows(r.result, r.transfer.name) for r in runs], RESULT_FILE_COLUMNS
            ),
        )


def write_refusal_files(
    out: Path,
    *,
    transfer: str | None,
    dry_run: bool,
    error: Exception,
    api_calls: Mapping[str, int],
    seconds: float,
) -> None:
    """The four ``--out`` files of a refused apply: zero counts, headers, the reason."""
    document = summary_document(
        command=COMMAND,
        transfer=transfer,
        dry_run=dry_run,
        counts={},
        api_calls=api_calls,
        seconds=seconds,
        error=str(error),
    )
    write_refused_files(out, summary=document)


def _stack(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    kept = [f[columns].astype(object) for f in frames if not f.empty]
    if not kept:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return pd.concat(kept, ignore_index=True)

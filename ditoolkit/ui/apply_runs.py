"""Applying a transfer from a notebook or a panel: progress, per-row results, verify, undo.

The work is the ``apply`` command's (:mod:`ditoolkit.workflow.apply_command`): resume what a
killed run left, preview afresh, refuse a stale plan, apply every direction as one journaled
run, re-read to verify, save the incremental state. This module adds what a notebook needs
around it: a progress callback, the run files with ``"notebook": ...`` in ``summary.json``,
the verify outcome in words, and the undo of a run with the tables it was made on.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ditoolkit.config import ditoolkit_home
from ditoolkit.core.apply import ApplySettings
from ditoolkit.core.journal import Journal
from ditoolkit.core.report import render_html
from ditoolkit.core.run_result import RunResult
from ditoolkit.core.summary import add_counts
from ditoolkit.core.sync_state import SyncState
from ditoolkit.core.undo import describe_undo, undo_run
from ditoolkit.core.verify import VERIFY_MISMATCH
from ditoolkit.errors import ApplyError
from ditoolkit.workflow.apply_command import ApplyContext, TransferRun, apply_mapping
from ditoolkit.workflow.apply_files import EXIT_ROWS, exit_code, run_counts, write_apply_files
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.destinations import transfer_tables

#: Rows per batch when a notebook applies: small enough for the progress bar to move.
NOTEBOOK_BATCH = 100
#: Called after each batch with (rows done, rows in the run).
Progress = Callable[[int, int], None]
_WRITTEN = ("created", "updated", "deleted")


@dataclass(frozen=True, eq=False)
class SyncRun:
    """What a notebook's apply did: one :class:`TransferRun` per transfer, and its files.

    Attributes:
        notebook: ``04_sync``, ``05_csv_load``...
        runs: each transfer's run.
        output_dir: where summary.json, plan.csv, results.csv, errors.csv were written.
        dry_run: nothing was written.
        seconds: wall-clock time of the whole apply.
    """

    notebook: str
    runs: list[TransferRun]
    output_dir: Path
    dry_run: bool
    seconds: float
    undone: list[RunResult] = field(default_factory=list)

    @property
    def run_ids(self) -> list[str]:
        """The journal's id of each transfer's run."""
        return [r.result.run_id for r in self.runs]

    def counts(self) -> dict[str, int]:
        """summary.json's counts, every transfer added up."""
        return add_counts(run_counts(r) for r in self.runs)

    def results(self) -> pd.DataFrame:
        """One row per row written (or tried), every transfer."""
        frames = [r.result.results_frame().assign(transfer=r.transfer.name) for r in self.runs]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def errors(self) -> pd.DataFrame:
        """errors.csv: every held-back or failed row with its key and reason."""
        return pd.read_csv(self.output_dir / "errors.csv", dtype=str, keep_default_na=False)

    def verify_mismatches(self) -> pd.DataFrame:
        """The rows that were written but do not read back as sent."""
        rows = self.results()
        return rows[rows["error_code"] == VERIFY_MISMATCH] if len(rows) else rows

    def verify_text(self) -> str:
        """The verify outcome in one sentence."""
        if self.dry_run:
            return "dry run: nothing was written, so nothing to verify"
        rows = self.results()
        written = int(rows["status"].isin(_WRITTEN).sum()) if len(rows) else 0
        wrong = len(self.verify_mismatches())
        if wrong:
            return f"verify failed: {wrong} of {written + wrong} row(s) written do not read back"
        return f"verify passed: {written} row(s) written, re-read, each holds what was sent"

    def undoable(self) -> list[TransferRun]:
        """The runs an undo would reverse (completed, not dry, something written)."""
        return [
            r
            for r in self.runs
            if r.result.status == "completed"
            and not r.result.dry_run
            and r.result.rows["status"].isin(_WRITTEN).any()
        ]

    def undo_hint(self) -> str:
        """How to undo the runs from a terminal."""
        ids = [r.result.run_id for r in self.undoable()]
        if not ids:
            return "nothing to undo (dry run, or nothing was written)"
        return "to undo: " + "; ".join(f"python -m ditoolkit undo {i} --yes" for i in ids)


class TqdmProgress:
    """A :data:`Progress` shown by ``tqdm.auto`` (a widget in Jupyter, text elsewhere)."""

    def __init__(self, *, description: str = "rows") -> None:
        self.description = description
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        from tqdm.auto import tqdm

        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.description, unit="row")
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        """Finish the bar."""
        if self.bar is not None:
            self.bar.close()


def _context(profile: str | None, *, mapping: str | Path, settings: ApplySettings) -> ApplyContext:
    home = ditoolkit_home()
    return ApplyContext(
        connections=Connections(profile),
        journal=Journal.in_home(home),
        state=SyncState.in_home(home),
        settings=settings,
        parameters={"mapping": str(Path(mapping).resolve()), "profile": profile},
        stream=io.StringIO(),
    )


def apply_for_notebook(
    mapping: str | Path,
    profile: str | None,
    *,
    transfer: str | None,
    dry_run: bool,
    output_dir: str | Path,
    notebook: str,
    progress: Progress | None = None,
) -> SyncRun:
    """Apply the mapping's transfers (or the one named) and write the run files.

    ``output_dir`` gets summary.json (``"notebook": notebook``), plan.csv, results.csv,
    errors.csv (a subfolder per transfer when several), ``report.html`` of each preview, and
    for a CSV load the Data Loader-shaped ``<file>.success.csv`` / ``<file>.error.csv``.

    Raises:
        MappingRefused: the mapping does not fit the live schemas (nothing is applied).
        ApplyError: a plan is stale, or a run stopped (the files are written first).
    """
    started = time.perf_counter()
    out = Path(output_dir)
    settings = ApplySettings(dry_run=dry_run, batch_size=NOTEBOOK_BATCH, on_batch=progress)
    ctx = _context(profile, mapping=mapping, settings=settings)
    try:
        runs = apply_mapping(str(mapping), ctx, transfer=transfer)
    finally:
        ctx.connections.close()
        ctx.journal.close()
        ctx.state.close()
    write_apply_files(runs, out=out, dry_run=dry_run)
    _write_reports(runs, out)
    _name_notebook(out, notebook)
    seconds = round(time.perf_counter() - started, 3)
    return SyncRun(notebook, runs, out, dry_run, seconds)


def _write_reports(runs: list[TransferRun], out: Path) -> None:
    several = len(runs) > 1
    for run in runs:
        if run.preview is not None:
            folder = out / run.transfer.name if several else out
            (folder / "report.html").write_text(
                render_html(run.preview.report_data()), encoding="utf-8"
            )


def _name_notebook(out: Path, notebook: str) -> None:
    """summary.json names the notebook where the ``apply`` command names itself."""
    for path in [out / "summary.json", *out.glob("*/summary.json")]:
        document = json.loads(path.read_text(encoding="utf-8"))
        if "command" not in document:
            continue
        document.pop("command")
        path.write_text(json.dumps({"notebook": notebook} | document, indent=2) + "\n", "utf-8")


def raise_for_run(run: SyncRun, *, fail_on_rows: bool = False) -> None:
    """Raise when a run stopped (or, with ``fail_on_rows``, when a row failed or was held back).

    Raises:
        ApplyError: naming the transfer, the run and the reason.
    """
    for item in run.runs:
        result = item.result
        if result.status == "interrupted":
            raise ApplyError(
                f"{item.transfer.name}: run {result.run_id} stopped: {result.error}",
                hint=f"fix the cause, then: python -m ditoolkit apply --resume {result.run_id}",
            ) from result.error
        if fail_on_rows and exit_code(result, item.preview) == EXIT_ROWS:
            counts = run_counts(item)
            raise ApplyError(
                f"{item.transfer.name}: run {result.run_id}: {counts['failed']} row(s) failed, "
                f"{counts['held_back']} held back, {counts['conflict']} in conflict",
                hint=f"see {run.output_dir / 'errors.csv'} for each row's key and reason",
            )


def undo_preview(run: SyncRun) -> pd.DataFrame:
    """What undoing ``run`` would do, one row per row change (nothing is written)."""
    frames = []
    with Journal.in_home(ditoolkit_home()) as journal:
        for item in run.undoable():
            frame = describe_undo(journal, item.result.run_id)
            frames.append(frame.assign(run_id=item.result.run_id))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def undo_sync(run: SyncRun, profile: str | None) -> list[RunResult]:
    """Reverse every run of ``run`` that wrote something, newest first.

    Raises:
        ApplyError: a run cannot be undone (already undone, unfinished).
    """
    chosen = list(reversed(run.undoable()))
    if not chosen:
        raise ApplyError("nothing to undo: the run was a dry run or wrote nothing")
    connections = Connections(profile)
    done: list[RunResult] = []
    try:
        with Journal.in_home(ditoolkit_home()) as journal:
            for item in chosen:
                tables = transfer_tables(item.transfer, connections)
                done.append(
                    undo_run(
                        item.result.run_id, journal=journal, destinations=tables.destinations()
                    )
                )
    finally:
        connections.close()
    run.undone.extend(done)
    return done

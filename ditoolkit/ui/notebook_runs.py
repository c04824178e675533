"""What each notebook does when papermill runs it: parameters in, run files out.

Each function does one notebook's unattended work, writes ``{output_dir}/summary.json`` (with
``"notebook": "01_connect"`` etc.) and the other ``--out`` files (headers even when empty),
and raises a :class:`~ditoolkit.errors.DitoolkitError` when the run failed, so that papermill
fails with the reason in the output notebook.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from ditoolkit.core.mapping import Mapping
from ditoolkit.core.summary import (
    OutFiles,
    add_counts,
    summary_document,
    write_out_files,
    write_preview_files,
    write_previews_files,
)
from ditoolkit.errors import DitoolkitError, MappingError
from ditoolkit.ui.apply_runs import SyncRun, TqdmProgress, apply_for_notebook, raise_for_run
from ditoolkit.ui.survey import ConnectionSurvey, connect_both, survey
from ditoolkit.workflow.catalog import MappingCheck, check_mapping
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.plan_command import MappingRefused, PlanRun
from ditoolkit.workflow.previews import preview_mapping, selected_transfers


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


def write_nothing_planned(
    output_dir: str | Path, *, notebook: str, api_calls: dict[str, int], seconds: float
) -> OutFiles:
    """The run files of a notebook that plans nothing (every count 0, headers only)."""
    document = summary_document(
        notebook=notebook,
        transfer=None,
        counts={},
        api_calls=api_calls,
        seconds=seconds,
        dry_run=True,
    )
    return write_out_files(output_dir, summary=document, plan_rows=_empty(), error_rows=_empty())


def run_connect(
    profile: str | None, *, output_dir: str | Path, notebook: str = "01_connect"
) -> ConnectionSurvey:
    """Connect both sides, ask what they hold, write the run files.

    Raises:
        DitoolkitError: a side did not connect or did not answer (both named).
    """
    check = connect_both(profile)
    found = survey(check)
    write_nothing_planned(
        output_dir, notebook=notebook, api_calls=found.api_calls, seconds=found.seconds
    )
    if not found.ok:
        failed = replace(check, errors=found.errors)
        failed.raise_for_errors()
    return found


def run_mapping_check(
    mapping: str | Path,
    profile: str | None,
    *,
    output_dir: str | Path,
    refuse: bool = True,
    notebook: str = "02_mapping",
) -> MappingCheck:
    """Load the mapping, check it against both live schemas, write the run files.

    Args:
        refuse: raise when the check finds errors (unattended runs); interactively the
            editor shows them instead.

    Raises:
        MappingError: the file is malformed.
        MappingRefused: with ``refuse``, the mapping does not fit the live schemas.
    """
    started = time.perf_counter()
    connections = Connections(profile)
    loaded = Mapping.load(mapping)
    check = check_mapping(loaded, connections)
    write_nothing_planned(
        output_dir,
        notebook=notebook,
        api_calls=connections.api_calls(),
        seconds=time.perf_counter() - started,
    )
    if refuse and check.errors:
        raise MappingRefused(str(mapping), check.findings)
    return check


def run_preview(
    mapping: str | Path,
    profile: str | None,
    *,
    transfer: str | None,
    output_dir: str | Path,
    notebook: str = "03_preview",
) -> PlanRun:
    """Check and preview the mapping's transfers (or the one named); write the run files.

    One transfer: ``output_dir`` holds its four files and ``report.html``. Several: the
    files of all of them together, and ``output_dir/<transfer>/`` those of each.

    Raises:
        MappingRefused: the mapping does not fit the live schemas (nothing is previewed).
    """
    started = time.perf_counter()
    connections = Connections(profile)
    loaded = Mapping.load(mapping)
    chosen = replace(loaded, transfers=tuple(selected_transfers(loaded, transfer)))
    check = check_mapping(chosen, connections)
    if check.errors:
        write_nothing_planned(
            output_dir,
            notebook=notebook,
            api_calls=connections.api_calls(),
            seconds=time.perf_counter() - started,
        )
        raise MappingRefused(str(mapping), check.findings)
    previews = preview_mapping(chosen, connections, catalog=check.catalog)
    run = PlanRun(
        chosen,
        check,
        previews,
        connections.api_calls(),
        round(time.perf_counter() - started, 3),
        {},
    )
    _write_previews(run, Path(output_dir), notebook=notebook)
    return run


def _write_previews(run: PlanRun, out: Path, *, notebook: str) -> None:
    several = len(run.previews) > 1
    for item in run.previews:
        document = summary_document(
            notebook=notebook,
            transfer=item.name,
            dry_run=True,
            counts=item.preview.summary(),
            api_calls=item.api_calls if several else run.api_calls,
            seconds=item.seconds if several else run.seconds,
        )
        run.files[item.name] = write_preview_files(
            out / item.name if several else out, item.preview, summary=document
        )
    if several:
        document = summary_document(
            notebook=notebook,
            transfer=None,
            dry_run=True,
            counts=add_counts(p.preview.summary() for p in run.previews),
            api_calls=run.api_calls,
            seconds=run.seconds,
        )
        run.files[""] = write_previews_files(
            out, [p.preview for p in run.previews], summary=document
        )


def run_sync(
    mapping: str | Path,
    profile: str | None,
    *,
    transfer: str | None,
    dry_run: bool,
    output_dir: str | Path,
    fail_on_rows: bool = False,
    notebook: str = "04_sync",
) -> SyncRun:
    """Apply the transfer (or every one) with a progress bar; write the run files.

    The plan is made afresh and refused if the target changed since; every direction is
    one journaled run, re-read to verify. Held-back and failed rows are counted and listed
    in ``errors.csv``; with ``fail_on_rows`` they also fail the run.

    Raises:
        MappingRefused: the mapping does not fit the live schemas.
        ApplyError: a plan is stale, a run stopped, or (``fail_on_rows``) a row failed.
    """
    started = time.perf_counter()
    progress = TqdmProgress(description=transfer or "rows")
    try:
        run = apply_for_notebook(
            mapping,
            profile,
            transfer=transfer,
            dry_run=dry_run,
            output_dir=output_dir,
            notebook=notebook,
            progress=progress,
        )
    except DitoolkitError:
        seconds = time.perf_counter() - started
        write_nothing_planned(output_dir, notebook=notebook, api_calls={}, seconds=seconds)
        raise
    finally:
        progress.close()
    raise_for_run(run, fail_on_rows=fail_on_rows)
    return run


@dataclass(frozen=True, eq=False)
class CsvSource:
    """A CSV file as read for a load: its rows and how it was decoded."""

    path: Path
    frame: pd.DataFrame

    def describe(self) -> str:
        """``tradeshow.csv: 100 rows, cp1252, delimiter ';'``."""
        attrs = self.frame.attrs
        return (
            f"{self.path.name}: {len(self.frame)} rows, {len(self.frame.columns)} columns, "
            f"encoding {attrs.get('encoding')}, delimiter {attrs.get('delimiter')!r}"
        )


def csv_transfer(mapping: str | Path, transfer: str) -> tuple[Mapping, str]:
    """The mapping, checked to have ``transfer`` reading a CSV file.

    Raises:
        MappingError: no such transfer, or it reads no CSV file.
    """
    loaded = Mapping.load(mapping)
    if loaded.transfer(transfer).csv is None:
        names = [t.name for t in loaded.transfers if t.csv is not None]
        raise MappingError(
            f"{mapping}: transfer {transfer!r} reads no CSV file",
            hint=f"use a transfer with a csv: block ({', '.join(names) or 'none in this file'})",
        )
    return loaded, transfer


def read_csv_source(mapping: str | Path, transfer: str) -> CsvSource:
    """Read the CSV file of ``transfer`` as the load will (encoding, delimiter, strictness).

    Raises:
        MappingError: the transfer reads no CSV file.
        InputFileError: the file is malformed (its line and the fix are named).
    """
    from ditoolkit.systems.csvfile.files import read_csv_file

    loaded, name = csv_transfer(mapping, transfer)
    side = loaded.transfer(name).csv
    assert side is not None
    path = Path(side.resolved or side.path)
    frame = read_csv_file(path, delimiter=side.delimiter, encoding=side.encoding)
    return CsvSource(path, frame)


def run_csv_load(
    mapping: str | Path,
    profile: str | None,
    *,
    transfer: str,
    dry_run: bool,
    output_dir: str | Path,
    fail_on_rows: bool = False,
    notebook: str = "05_csv_load",
) -> SyncRun:
    """Load a transfer's CSV file (checked, previewed, applied, verified); write the files.

    Beside the run files, ``output_dir`` gets ``<file>.success.csv`` (every row loaded or
    already up to date, with all its columns, id, status and line) and ``<file>.error.csv``
    (every other row, with all its columns, the reason and its line), as Salesforce's Data
    Loader writes them.

    Raises:
        MappingError: the transfer reads no CSV file, or the mapping does not fit.
        ApplyError: the load stopped, or (``fail_on_rows``) a row was not loaded.
    """
    csv_transfer(mapping, transfer)
    return run_sync(
        mapping,
        profile,
        transfer=transfer,
        dry_run=dry_run,
        output_dir=output_dir,
        fail_on_rows=fail_on_rows,
        notebook=notebook,
    )


def csv_result_files(run: SyncRun) -> dict[str, Path]:
    """The Data Loader-shaped files of a CSV load: ``success`` and ``error``."""
    found: dict[str, Path] = {}
    for item in run.runs:
        if item.transfer.csv is None:
            continue
        stem = Path(item.transfer.csv.path).stem
        for kind in ("success", "error"):
            path = run.output_dir / f"{stem}.{kind}.csv"
            if path.is_file():
                found[kind] = path
    return found

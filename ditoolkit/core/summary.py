"""The ``--out`` files of a run: summary.json, plan.csv, results.csv, errors.csv, report.html.

Every run (``plan``, ``apply``, a notebook) writes the same four files, with headers even
when empty:

- ``summary.json``: ``{"command"|"notebook": ..., "transfer": ..., "dry_run": ...,
  "run_id": ..., "counts": {insert, update, delete, conflict, unchanged, held_back, failed},
  "api_calls": {"salesforce": N, "dialoginsight": N}, "seconds": ...}`` — counts count rows;
  ``transfer`` is null when the run covers every transfer of a mapping; a refused run
  (:func:`write_refused_files`) adds ``"error"``, the reason, and its counts are zero;
- ``plan.csv``: one row per planned row change (:data:`PLAN_FILE_COLUMNS`; ``fields`` joined
  by ``;``, ``before`` and ``after`` as JSON objects);
- ``results.csv``: one row per row written (:data:`RESULT_FILE_COLUMNS`; empty for a plan);
- ``errors.csv``: every held-back, conflicting or failed row with its key and reason
  (:data:`ERROR_FILE_COLUMNS`);

and ``report.html`` when a report is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ditoolkit.core.diff import COUNT_KEYS
from ditoolkit.core.plan_errors import ERROR_COLUMNS
from ditoolkit.core.plan_rows import PLAN_COLUMNS, json_value
from ditoolkit.core.preview import Preview
from ditoolkit.core.report import render_html
from ditoolkit.core.spreadsheet import neutralize
from ditoolkit.port import RESULT_COLUMNS

PLAN_FILE_COLUMNS = ["transfer", "direction", *PLAN_COLUMNS]
ERROR_FILE_COLUMNS = ["transfer", "direction", *ERROR_COLUMNS]
RESULT_FILE_COLUMNS = ["transfer", "direction", *RESULT_COLUMNS]
SYSTEMS = ("salesforce", "dialoginsight")


@dataclass(frozen=True)
class OutFiles:
    """Where the files of one run were written."""

    folder: Path
    summary: Path
    plan: Path
    results: Path
    errors: Path
    report: Path | None = None


def summary_document(
    *,
    transfer: str | None,
    counts: Mapping[str, int],
    api_calls: Mapping[str, int],
    seconds: float,
    dry_run: bool,
    run_id: str | None = None,
    command: str | None = None,
    notebook: str | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """summary.json's content, its keys in the documented order (``error`` last, when set).

    Args:
        transfer: the transfer's name (None: every transfer of the mapping).
        counts: row counts (missing keys count 0).
        api_calls: API calls per system.
        seconds: wall-clock time of the run.
        dry_run: nothing was written.
        run_id: the run's id in the journal (None for a plan).
        command: ``plan``, ``apply``... (or give ``notebook``).
        notebook: the notebook's name (``04_sync``).
        error: why the run was refused (an extension of the contract; absent when None).
    """
    head: dict[str, Any] = {"notebook": notebook} if notebook else {"command": command}
    document = head | {
        "transfer": transfer,
        "dry_run": bool(dry_run),
        "run_id": run_id,
        "counts": {k: int(counts.get(k, 0)) for k in COUNT_KEYS},
        "api_calls": {s: int(api_calls.get(s, 0)) for s in SYSTEMS},
        "seconds": round(float(seconds), 3),
    }
    if error is not None:
        document["error"] = error
    return document


def add_counts(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Row counts of several transfers added up."""
    total = dict.fromkeys(COUNT_KEYS, 0)
    for one in counts:
        for k in COUNT_KEYS:
            total[k] += int(one.get(k, 0))
    return total


def _cells(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with the given columns, every cell a plain value (JSON text for dicts), text
    that a spreadsheet would run as a formula neutralised."""
    out = pd.DataFrame(
        {c: frame[c] if c in frame.columns else None for c in columns}, index=frame.index
    )

    def cell(value: Any) -> Any:
        if isinstance(value, dict):
            return neutralize(json.dumps(value, ensure_ascii=False, sort_keys=True))
        if isinstance(value, list | tuple):
            return neutralize(";".join(map(str, value)))
        plain = json_value(value)
        return neutralize(plain) if isinstance(plain, str) else plain

    return out.astype(object).map(cell) if len(out) else out


def write_out_files(
    folder: str | Path,
    *,
    summary: Mapping[str, Any],
    plan_rows: pd.DataFrame,
    error_rows: pd.DataFrame,
    result_rows: pd.DataFrame | None = None,
    report_html: str | None = None,
) -> OutFiles:
    """Write the four files (and ``report.html``) into ``folder``, created if needed."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    files = OutFiles(
        folder=out,
        summary=out / "summary.json",
        plan=out / "plan.csv",
        results=out / "results.csv",
        errors=out / "errors.csv",
        report=out / "report.html" if report_html is not None else None,
    )
    results = result_rows if result_rows is not None else pd.DataFrame()
    files.summary.write_text(json.dumps(dict(summary), indent=2) + "\n", encoding="utf-8")
    _cells(plan_rows, PLAN_FILE_COLUMNS).to_csv(files.plan, index=False)
    _cells(results, RESULT_FILE_COLUMNS).to_csv(files.results, index=False)
    _cells(error_rows, ERROR_FILE_COLUMNS).to_csv(files.errors, index=False)
    if files.report is not None and report_html is not None:
        files.report.write_text(report_html, encoding="utf-8")
    return files


def write_refused_files(folder: str | Path, *, summary: Mapping[str, Any]) -> OutFiles:
    """The four files of a refused run: ``summary`` (with its ``error``) and empty CSV files."""
    empty = pd.DataFrame()
    return write_out_files(folder, summary=summary, plan_rows=empty, error_rows=empty)


def write_preview_files(
    folder: str | Path, preview: Preview, *, summary: Mapping[str, Any]
) -> OutFiles:
    """The files of one previewed transfer, with its ``report.html``."""
    return write_out_files(
        folder,
        summary=summary,
        plan_rows=preview.plan_rows(),
        error_rows=preview.error_rows(),
        report_html=render_html(preview.report_data()),
    )


def write_previews_files(
    folder: str | Path, previews: Iterable[Preview], *, summary: Mapping[str, Any]
) -> OutFiles:
    """The files of several previewed transfers together (no report; see each subfolder)."""
    chosen = list(previews)
    plans = [p.plan_rows() for p in chosen]
    errors = [p.error_rows() for p in chosen]
    return write_out_files(
        folder,
        summary=summary,
        plan_rows=_stack(plans, PLAN_FILE_COLUMNS),
        error_rows=_stack(errors, ERROR_FILE_COLUMNS),
    )


def _stack(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    kept = [f.astype(object) for f in frames if not f.empty]
    if not kept:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return pd.concat(kept, ignore_index=True)

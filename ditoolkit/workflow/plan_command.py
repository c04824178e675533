"""``python -m ditoolkit plan MAPPING [--transfer NAME] [--profile P] [--out DIR]``.

Checks the mapping against both live schemas (any error refuses the run), previews every
transfer (or the one named), prints the row counts of each and, with ``--out``, writes the run
files (:mod:`ditoolkit.core.summary`). Nothing is written to either system.

``--out`` layout: for one transfer, ``DIR/`` holds ``summary.json``, ``plan.csv``,
``results.csv`` (headers only), ``errors.csv`` and ``report.html``. For several, ``DIR/``
holds the four files for all of them together (``"transfer": null`` in summary.json, counts
added up, the CSV files' ``transfer`` column telling them apart) and ``DIR/<transfer>/`` the
four files and ``report.html`` of each. A refused plan (the mapping does not fit, a system
cannot be reached or refuses the login) still writes the four files into ``DIR/``: counts
zero, CSV headers, and the reason in summary.json's ``"error"``; the exit status stays 2.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from ditoolkit.core.findings import Finding
from ditoolkit.core.mapping import Mapping
from ditoolkit.core.summary import (
    OutFiles,
    add_counts,
    summary_document,
    write_preview_files,
    write_previews_files,
    write_refused_files,
)
from ditoolkit.errors import DitoolkitError, MappingError
from ditoolkit.workflow.catalog import MappingCheck, check_mapping
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.previews import TransferPreview, preview_mapping, selected_transfers

COMMAND = "plan"


class MappingRefused(MappingError):
    """The mapping does not fit the live schemas; ``findings`` holds every problem."""

    def __init__(self, source: str, findings: list[Finding]) -> None:
        self.findings = findings
        errors = [f for f in findings if f.blocking]
        lines = "\n".join(f"  - {f}" for f in errors)
        super().__init__(
            f"{source}: {len(errors)} error(s) against the live schemas:\n{lines}",
            hint="fix the mapping, then run plan again",
        )


@dataclass(frozen=True, eq=False)
class PlanRun:
    """What ``plan`` did: the check, the previews, the files, the calls and the time."""

    mapping: Mapping
    check: MappingCheck
    previews: list[TransferPreview]
    api_calls: dict[str, int]
    seconds: float
    files: dict[str, OutFiles]

    def counts(self) -> dict[str, int]:
        """The row counts of every transfer, added up."""
        return add_counts(p.preview.summary() for p in self.previews)


def make_plans(
    mapping_path: str | Path,
    connections: Connections,
    *,
    transfer: str | None = None,
    out: str | Path | None = None,
) -> PlanRun:
    """Check, preview and (with ``out``) write the run files; nothing is written to a system.

    Raises:
        MappingError: the file is malformed or names no such transfer.
        MappingRefused: the mapping does not fit the live schemas.
    """
    started = time.perf_counter()
    mapping = Mapping.load(mapping_path)
    chosen = replace(mapping, transfers=tuple(selected_transfers(mapping, transfer)))
    check = check_mapping(chosen, connections)
    if check.errors:
        raise MappingRefused(str(mapping_path), check.findings)
    previews = preview_mapping(chosen, connections, catalog=check.catalog)
    seconds = round(time.perf_counter() - started, 3)
    run = PlanRun(chosen, check, previews, connections.api_calls(), seconds, {})
    if out is not None:
        run.files.update(write_plan_files(run, Path(out)))
    return run


def write_plan_files(run: PlanRun, out: Path) -> dict[str, OutFiles]:
    """The ``--out`` files (layout in the module docstring); transfer name → files."""
    written: dict[str, OutFiles] = {}
    several = len(run.previews) > 1
    for item in run.previews:
        folder = out / item.name if several else out
        document = summary_document(
            command=COMMAND,
            transfer=item.name,
            dry_run=True,
            counts=item.preview.summary(),
            api_calls=item.api_calls if several else run.api_calls,
            seconds=item.seconds if several else run.seconds,
        )
        written[item.name] = write_preview_files(folder, item.preview, summary=document)
    if several:
        document = summary_document(
            command=COMMAND,
            transfer=None,
            dry_run=True,
            counts=run.counts(),
            api_calls=run.api_calls,
            seconds=run.seconds,
        )
        previews = [p.preview for p in run.previews]
        written[""] = write_previews_files(out, previews, summary=document)
    return written


def format_counts(counts: dict[str, int]) -> str:
    """``insert 3 · update 1 · ...`` on one line."""
    return " · ".join(f"{name} {value}" for name, value in counts.items())


def print_run(run: PlanRun, *, stream: TextIO, warnings: bool = True) -> None:
    """The check's warnings, each transfer's counts, and where the files are."""
    shown = run.check.warnings
    print(f"mapping {run.mapping.source}: valid, {len(shown)} warning(s)", file=stream)
    if warnings:
        for finding in shown:
            print(f"  {finding}", file=stream)
    for item in run.previews:
        preview = item.preview
        print(f"{item.name}: {'; '.join(preview.labels())}", file=stream)
        print(f"  {format_counts(preview.summary())}", file=stream)
    for name, files in run.files.items():
        label = name or "all transfers"
        print(f"files ({label}): {files.folder}", file=stream)
    print("nothing was written to Salesforce or Dialog Insight (plan only)", file=stream)


def run_plan_command(
    mapping: str,
    *,
    transfer: str | None = None,
    profile: str | None = None,
    out: str | None = None,
    stream: TextIO | None = None,
) -> int:
    """The ``plan`` sub-command: 0 when a plan was made (refusals raise a DitoolkitError).

    With ``out``, a refusal still leaves the four run files (counts zero, ``"error"`` set).
    """
    started, connections = time.perf_counter(), Connections(profile)
    try:
        run = make_plans(mapping, connections, transfer=transfer, out=out)
    except DitoolkitError as exc:
        if out is not None:
            document = summary_document(
                command=COMMAND,
                transfer=transfer,
                dry_run=True,
                counts={},
                api_calls=connections.api_calls(),
                seconds=time.perf_counter() - started,
                error=str(exc),
            )
            write_refused_files(out, summary=document)
        raise
    finally:
        connections.close()
    print_run(run, stream=stream or sys.stdout)
    return 0

"""``python -m ditoolkit apply MAPPING [--transfer NAME] [--profile P] [--out DIR] [--dry-run]``.

For each transfer (or the one named): resume any run of it that did not finish (a killed or
interrupted run continues where it stopped), preview it afresh, then apply every direction's
plan as **one** journaled run (:func:`ditoolkit.core.apply.apply_legs`), refusing a plan whose
target changed since the preview. Each run id is printed on stdout (one line per transfer);
counts and progress go to stderr. ``apply --resume RUN_ID`` continues one run by id.

After a run that completed without a failed row, the transfer's incremental state is saved:
watermarks per direction and, for ``both`` transfers, the base snapshot. A CSV-sourced
transfer also gets Data Loader-shaped success and error files. Exit status: 0 when every
planned row succeeded and nothing was held back, 1 when a row failed, was held back or is in
an unresolved conflict, 2 when refused (mapping, stale plan, authentication, allowance).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TextIO

from ditoolkit.config import ditoolkit_home
from ditoolkit.core.apply import ApplySettings, Leg, apply_legs, resume_run
from ditoolkit.core.compatibility import SchemaCatalog
from ditoolkit.core.journal import Journal
from ditoolkit.core.mapping import Mapping, Transfer
from ditoolkit.core.pipeline import preview_transfer
from ditoolkit.core.preview import Preview
from ditoolkit.core.run_result import RunResult
from ditoolkit.core.sync_state import SyncState
from ditoolkit.errors import ApplyError
from ditoolkit.workflow.apply_files import exit_code, save_state, write_apply_files
from ditoolkit.workflow.catalog import check_mapping
from ditoolkit.workflow.conflict_policy import ConflictPolicy, settle_conflicts
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.destinations import TransferTables, transfer_tables
from ditoolkit.workflow.incremental import SinceReads, incremental_source
from ditoolkit.workflow.plan_command import MappingRefused
from ditoolkit.workflow.previews import selected_transfers

COMMAND = "apply"


@dataclass(frozen=True, eq=False)
class TransferRun:
    """One transfer applied: its preview (None for a resume by id) and its run."""

    transfer: Transfer
    preview: Preview | None
    result: RunResult
    api_calls: dict[str, int]
    seconds: float
    resumed: tuple[RunResult, ...] = ()
    source_rows_read: int | None = None


@dataclass(frozen=True)
class ApplyContext:
    """What every transfer's run shares."""

    connections: Connections
    journal: Journal
    state: SyncState
    settings: ApplySettings
    parameters: dict[str, object]
    stream: TextIO
    full: bool = False
    conflicts: ConflictPolicy = field(default_factory=ConflictPolicy)


def _resume_unfinished(ctx: ApplyContext, tables: TransferTables) -> list[RunResult]:
    done = []
    for record in ctx.journal.unfinished_runs(tables.transfer.fingerprint()):
        print(f"{tables.transfer.name}: resuming run {record.run_id}", file=ctx.stream)
        result = resume_run(record.run_id, journal=ctx.journal, destinations=tables.destinations())
        if result.status != "completed" and result.status != "dry_run":
            raise ApplyError(
                f"run {record.run_id} of {tables.transfer.name!r} could not be resumed: "
                f"{result.error}",
                hint=f"fix the cause, then run apply --resume {record.run_id}",
            )
        done.append(result)
    return done


def _preview(
    transfer: Transfer, tables: TransferTables, *, ctx: ApplyContext, catalog: SchemaCatalog
) -> tuple[Preview, SinceReads | None]:
    endpoints, reader = incremental_source(
        transfer, tables.endpoints, state=ctx.state, full=ctx.full
    )
    project_type = catalog.project_types.get(transfer.project) if transfer.project else None
    preview = preview_transfer(
        transfer,
        endpoints=endpoints,
        project_type=project_type,
        base=ctx.state.load_base(transfer, full=ctx.full),
    )
    return settle_conflicts(preview, ctx.conflicts), reader


def apply_transfer(transfer: Transfer, ctx: ApplyContext, *, catalog: SchemaCatalog) -> TransferRun:
    """Resume unfinished runs, preview (incrementally where allowed), apply as one run."""
    started, calls_before = time.perf_counter(), ctx.connections.api_calls()
    tables = transfer_tables(transfer, ctx.connections)
    resumed = _resume_unfinished(ctx, tables) if not ctx.settings.dry_run else []
    synced_at = datetime.now(UTC)
    preview, reader = _preview(transfer, tables, ctx=ctx, catalog=catalog)
    legs = [
        Leg(
            d.plan,
            tables.destination(flow),
            label=flow,
            target_frame=d.target,
            reread=partial(tables.reread, flow),
        )
        for flow, d in preview.directions.items()
    ]
    parameters = {**ctx.parameters, "transfer": transfer.name, "full": ctx.full}
    result = apply_legs(legs, journal=ctx.journal, settings=ctx.settings, parameters=parameters)
    if result.status == "completed":
        marks = {"sf_to_di": reader.latest} if reader is not None else {}
        save_state(ctx.state, preview, result=result, synced_at=synced_at, watermarks=marks)
    after = ctx.connections.api_calls()
    calls = {k: after[k] - calls_before.get(k, 0) for k in after}
    seconds = round(time.perf_counter() - started, 3)
    rows_read = reader.rows_read if reader is not None else None
    return TransferRun(transfer, preview, result, calls, seconds, tuple(resumed), rows_read)


def _context(
    profile: str | None,
    *,
    dry_run: bool,
    stream: TextIO,
    mapping: str,
    full: bool,
    resolve: Sequence[str] | None,
) -> ApplyContext:
    home = ditoolkit_home()
    return ApplyContext(
        connections=Connections(profile),
        journal=Journal.in_home(home),
        state=SyncState.in_home(home),
        settings=ApplySettings(dry_run=dry_run),
        parameters={"mapping": str(Path(mapping).resolve()), "profile": profile},
        stream=stream,
        full=full,
        conflicts=ConflictPolicy.parse(resolve),
    )


def apply_mapping(
    mapping_path: str, ctx: ApplyContext, *, transfer: str | None = None
) -> list[TransferRun]:
    """Check the mapping against the live schemas, then apply each chosen transfer."""
    mapping = Mapping.load(mapping_path)
    chosen = replace(mapping, transfers=tuple(selected_transfers(mapping, transfer)))
    check = check_mapping(chosen, ctx.connections)
    if check.errors:
        raise MappingRefused(str(mapping_path), check.findings)
    return [apply_transfer(t, ctx, catalog=check.catalog) for t in chosen.transfers]


def resume_by_id(run_id: str, ctx: ApplyContext) -> TransferRun:
    """Continue run ``run_id`` with the mapping and transfer it was made from."""
    started = time.perf_counter()
    record = ctx.journal.run(run_id)
    mapping = Mapping.load(str(record.parameters["mapping"]))
    transfer = mapping.transfer(str(record.transfer))
    if transfer.fingerprint() != record.mapping_fingerprint:
        raise ApplyError(
            f"the transfer {transfer.name!r} changed in {mapping.source} since run {run_id}",
            hint="restore the mapping as it was, or make a new plan and apply it",
        )
    tables = transfer_tables(transfer, ctx.connections)
    result = resume_run(run_id, journal=ctx.journal, destinations=tables.destinations())
    seconds = round(time.perf_counter() - started, 3)
    return TransferRun(transfer, None, result, ctx.connections.api_calls(), seconds)


def _profile_of(run_id: str) -> str | None:
    with Journal.in_home(ditoolkit_home()) as journal:
        profile = journal.run(run_id).parameters.get("profile")
    return str(profile) if profile is not None else None


def _report(run: TransferRun, *, stream: TextIO) -> None:
    result = run.result
    print(
        f"{run.transfer.name}: run {result.run_id} {result.status} · "
        + " · ".join(f"{k} {v}" for k, v in sorted(result.counts().items())),
        file=stream,
    )
    if run.source_rows_read is not None:
        print(f"  read {run.source_rows_read} changed source row(s) (incremental)", file=stream)
    if result.error is not None:
        print(f"  stopped: {result.error}", file=stream)


def run_apply_command(
    mapping: str | None,
    *,
    transfer: str | None = None,
    profile: str | None = None,
    out: str | None = None,
    dry_run: bool = False,
    resume: str | None = None,
    full: bool = False,
    resolve: Sequence[str] | None = None,
    stream: TextIO | None = None,
) -> int:
    """The ``apply`` sub-command; returns the exit status (refusals raise a DitoolkitError)."""
    err = stream or sys.stderr
    if mapping is None and resume is None:
        raise ApplyError("apply needs a MAPPING file, or --resume RUN_ID")
    if resume is not None and profile is None:
        profile = _profile_of(resume)
    ctx = _context(
        profile, dry_run=dry_run, stream=err, mapping=mapping or ".", full=full, resolve=resolve
    )
    try:
        if resume is not None:
            runs = [resume_by_id(resume, ctx)]
        else:
            assert mapping is not None
            runs = apply_mapping(mapping, ctx, transfer=transfer)
        for run in runs:
            print(run.result.run_id, file=sys.stdout, flush=True)
            _report(run, stream=err)
        write_apply_files(runs, out=Path(out) if out else None, dry_run=dry_run)
        return max((exit_code(r.result, r.preview) for r in runs), default=0)
    finally:
        ctx.connections.close()
        ctx.journal.close()
        ctx.state.close()

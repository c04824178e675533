"""One transfer's apply in two steps: prepare (resume, preview) and run (apply, save state).

:mod:`ditoolkit.workflow.apply_command` prepares every chosen transfer before it runs any, so
that a refusal writes nothing. A direction whose source is Salesforce is previewed from its
watermark (see that module: incremental reads); when its transfer allows ``delete``, the
records deleted since the watermark are read too (``queryAll``) and their deletes planned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TextIO

import pandas as pd

from ditoolkit.core.apply import ApplySettings, Leg, apply_legs, resume_run
from ditoolkit.core.compatibility import SchemaCatalog
from ditoolkit.core.journal import Journal
from ditoolkit.core.mapping import Transfer
from ditoolkit.core.pipeline import preview_transfer
from ditoolkit.core.pipeline_incremental import DELETED_READ
from ditoolkit.core.preview import Preview
from ditoolkit.core.run_result import RunResult
from ditoolkit.core.sync_state import SyncState
from ditoolkit.errors import ApplyError
from ditoolkit.workflow.apply_files import save_state
from ditoolkit.workflow.conflict_policy import ConflictPolicy, settle_conflicts
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.destinations import TransferTables, transfer_tables

#: How long after its last clean run a transfer that deletes still reads Salesforce from its
#: watermark: Salesforce empties its recycle bin after about 15 days, and a deleted record
#: gone from it cannot be read by queryAll any more.
DELETED_RECORDS_KEPT = timedelta(days=14)


@dataclass(frozen=True, eq=False)
class TransferRun:
    """One transfer applied: its preview (None for a resume by id) and its run.

    Attributes:
        source_rows_read: rows read from Salesforce sources (None: no Salesforce source).
        since: direction → watermark, for the directions read incrementally.
        deleted_read: direction → deleted Salesforce records read since its watermark, for
            the directions whose deletes were read incrementally (the others find deletes
            only by a full read).
    """

    transfer: Transfer
    preview: Preview | None
    result: RunResult
    api_calls: dict[str, int]
    seconds: float
    resumed: tuple[RunResult, ...] = ()
    source_rows_read: int | None = None
    since: dict[str, object] = field(default_factory=dict)
    deleted_read: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ApplyContext:
    """What every transfer's run shares.

    Attributes:
        before_write: called once every chosen transfer is previewed, before any target is
            re-read for freshness or written (a point to observe, or for a test to change a
            target between the preview and the writes).
    """

    connections: Connections
    journal: Journal
    state: SyncState
    settings: ApplySettings
    parameters: dict[str, object]
    stream: TextIO
    full: bool = False
    conflicts: ConflictPolicy = field(default_factory=ConflictPolicy)
    before_write: Callable[[], None] | None = None


@dataclass(frozen=True, eq=False)
class PreparedTransfer:
    """A transfer resumed and previewed, ready to apply: its legs and what it cost so far."""

    transfer: Transfer
    preview: Preview
    legs: list[Leg]
    resumed: tuple[RunResult, ...]
    since: dict[str, object]
    synced_at: datetime
    started: float
    calls_before: dict[str, int]


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


def watermarks(transfer: Transfer, ctx: ApplyContext) -> dict[str, object]:
    """Direction → watermark, for the directions read incrementally (Salesforce sources).

    A direction that may delete is read whole when its last clean run is older than
    :data:`DELETED_RECORDS_KEPT` (or unknown): Salesforce empties its recycle bin after about
    15 days, so the records deleted since then can no longer all be read incrementally.
    """
    marks: dict[str, object] = {}
    if transfer.csv is not None:
        return marks
    for flow in transfer.flows:
        if transfer.source_side(flow) != "salesforce":
            continue
        mark = ctx.state.load_watermark(transfer, flow, full=ctx.full)
        if (
            mark is not None
            and "delete" in transfer.operations
            and _bin_may_be_emptied(ctx.state.last_clean_run(transfer, flow))
        ):
            print(
                f"{transfer.name} ({flow}): the last clean run is older than "
                f"{DELETED_RECORDS_KEPT.days} days and Salesforce may have emptied deleted "
                "records from its recycle bin since: reading everything to find every delete",
                file=ctx.stream,
            )
            mark = None
        if mark is not None:
            marks[flow] = mark
    return marks


def _bin_may_be_emptied(last_clean_run: pd.Timestamp | None) -> bool:
    if last_clean_run is None:
        return True
    return pd.Timestamp.now(tz="UTC") - last_clean_run > DELETED_RECORDS_KEPT


def prepare_transfer(
    transfer: Transfer, ctx: ApplyContext, *, catalog: SchemaCatalog
) -> PreparedTransfer:
    """Resume unfinished runs of ``transfer``, then preview it (incrementally where allowed)."""
    started, calls_before = time.perf_counter(), ctx.connections.api_calls()
    tables = transfer_tables(transfer, ctx.connections)
    resumed = _resume_unfinished(ctx, tables) if not ctx.settings.dry_run else []
    synced_at = datetime.now(UTC)
    since = watermarks(transfer, ctx)
    project_type = catalog.project_types.get(transfer.project) if transfer.project else None
    preview = preview_transfer(
        transfer,
        endpoints=tables.endpoints,
        project_type=project_type,
        base=ctx.state.load_base(transfer, full=ctx.full),
        since=since,
    )
    preview = settle_conflicts(preview, ctx.conflicts)
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
    return PreparedTransfer(
        transfer, preview, legs, tuple(resumed), since, synced_at, started, calls_before
    )


def run_prepared(
    prepared: PreparedTransfer, ctx: ApplyContext, *, check_fresh: bool = True
) -> TransferRun:
    """Apply a prepared transfer's plans as one run; save its state when it completed."""
    transfer, preview = prepared.transfer, prepared.preview
    parameters = {**ctx.parameters, "transfer": transfer.name, "full": ctx.full}
    result = apply_legs(
        prepared.legs,
        journal=ctx.journal,
        settings=ctx.settings,
        parameters=parameters,
        check_fresh=check_fresh,
    )
    if result.status == "completed":
        save_state(ctx.state, preview, result=result, synced_at=prepared.synced_at)
    after = ctx.connections.api_calls()
    calls = {k: after[k] - prepared.calls_before.get(k, 0) for k in after}
    seconds = round(time.perf_counter() - prepared.started, 3)
    return TransferRun(
        transfer,
        preview,
        result,
        calls,
        seconds,
        prepared.resumed,
        _salesforce_rows_read(preview),
        dict(prepared.since),
        deleted_rows_read(preview),
    )


def _salesforce_rows_read(preview: Preview) -> int | None:
    """Rows read from Salesforce sources (None: the transfer has no Salesforce source)."""
    flows = [
        d
        for flow, d in preview.directions.items()
        if preview.transfer.source_side(flow) == "salesforce" and preview.transfer.csv is None
    ]
    return sum(len(d.source) for d in flows) if flows else None


def deleted_rows_read(preview: Preview) -> dict[str, int]:
    """Direction → deleted source rows read since its watermark (directions that read them)."""
    return {
        flow: int(d.source.attrs[DELETED_READ])
        for flow, d in preview.directions.items()
        if d.source.attrs.get(DELETED_READ) is not None
    }


def apply_transfer(transfer: Transfer, ctx: ApplyContext, *, catalog: SchemaCatalog) -> TransferRun:
    """Resume unfinished runs, preview (incrementally where allowed), apply as one run."""
    return run_prepared(prepare_transfer(transfer, ctx, catalog=catalog), ctx)

"""``python -m ditoolkit apply MAPPING [--transfer NAME] [--profile P] [--out DIR] [--dry-run]``.

The command always plans afresh; it takes no saved plan. For the chosen transfers (every one,
or the one named) it works in two passes, so that a refusal writes nothing:

1. **prepare** each transfer: resume any run of it that did not finish (a killed or
   interrupted run continues where it stopped), then preview it — incrementally where a
   watermark allows (below);
2. once every transfer is previewed, re-read every target and refuse the lot if any plan is
   stale (the target changed since its preview); then **apply** each transfer's plans as one
   journaled run (:func:`ditoolkit.core.apply.apply_legs`). A transfer after the first is
   checked again right before its writes (an earlier transfer of the same mapping may feed
   the same table). A target whose plan has no row to write (no insert, update or delete,
   either way) is not re-read: nothing is written to it, so a change made since the preview
   does no harm, and a re-run with nothing to change reads each target once. The state saved
   after such a run (watermarks, base snapshot) comes from the preview's reads, so that
   change is found by the next run (:func:`ditoolkit.core.apply.check_target_fresh`).

Each run id is printed on stdout (one line per transfer); counts and progress go to stderr.
``apply --resume RUN_ID`` continues one run by id.

Incremental reads: a direction whose source is Salesforce (``sf_to_di``, and the
Salesforce → DI direction of ``both``) is read from the watermark saved after the last clean
run (``SystemModstamp >= watermark``); Dialog Insight and CSV sources are always read whole
(they keep no modification time), and so is every target. A direction read from a watermark
compares only the keys it read, so a record missing from it is not a delete; when the
transfer allows ``delete``, the Salesforce records deleted since the watermark are read too
(``queryAll``: ``IsDeleted = true AND SystemModstamp >= watermark``, within the side's
``where``) and each one the target holds is deleted — unless the incremental read has its key
live again (undeleted, or re-created with the same key). Salesforce keeps deleted records in
its recycle bin for about 15 days, so a transfer that deletes whose last clean run is older
than 14 days is read whole (with a note); records purged from the bin sooner need ``--full``,
which reads everything and finds every delete.

After a run that completed without a failed row, the transfer's incremental state is saved:
watermarks per direction and, for ``both`` transfers, the base snapshot. A CSV-sourced
transfer also gets Data Loader-shaped success and error files. With ``--out`` the four run
files are always written, also when the command is refused (counts zero, ``"error"`` in
summary.json). Exit status: 0 when every planned row succeeded and nothing was held back, 1
when a row failed, was held back or is in an unresolved conflict, 2 when refused (mapping,
stale plan, authentication, allowance).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from ditoolkit.config import ditoolkit_home
from ditoolkit.core.apply import ApplySettings, check_target_fresh, resume_run
from ditoolkit.core.compatibility import SchemaCatalog
from ditoolkit.core.journal import Journal
from ditoolkit.core.mapping import Mapping, Transfer
from ditoolkit.core.sync_state import SyncState
from ditoolkit.errors import ApplyError, DitoolkitError
from ditoolkit.workflow.apply_files import exit_code, write_apply_files, write_refusal_files
from ditoolkit.workflow.catalog import check_mapping
from ditoolkit.workflow.conflict_policy import ConflictPolicy
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.destinations import transfer_tables
from ditoolkit.workflow.plan_command import MappingRefused
from ditoolkit.workflow.previews import selected_transfers
from ditoolkit.workflow.transfer_runs import (
    ApplyContext,
    PreparedTransfer,
    TransferRun,
    apply_transfer,
    prepare_transfer,
    run_prepared,
)

__all__ = [
    "ApplyContext",
    "TransferRun",
    "apply_mapping",
    "apply_transfer",
    "resume_by_id",
    "run_apply_command",
]

COMMAND = "apply"


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
    """Check the mapping against the live schemas, preview every chosen transfer, then apply.

    Nothing is written (beyond resuming unfinished runs) unless every chosen transfer could
    be previewed and every plan is fresh (see the module).

    Raises:
        MappingRefused: the mapping does not fit the live schemas.
        ApplyError: a plan is stale (nothing was written).
    """
    mapping = Mapping.load(mapping_path)
    chosen = replace(mapping, transfers=tuple(selected_transfers(mapping, transfer)))
    check = check_mapping(chosen, ctx.connections)
    if check.errors:
        raise MappingRefused(str(mapping_path), check.findings)
    prepared = [_prepare_one_of(chosen, t, ctx, catalog=check.catalog) for t in chosen.transfers]
    if ctx.before_write is not None:
        ctx.before_write()
    for item in prepared:
        for leg in item.legs:
            check_target_fresh(leg.plan, leg.target, reread=leg.reread)
    return [run_prepared(item, ctx, check_fresh=index > 0) for index, item in enumerate(prepared)]


def _prepare_one_of(
    mapping: Mapping, transfer: Transfer, ctx: ApplyContext, *, catalog: SchemaCatalog
) -> PreparedTransfer:
    """:func:`prepare_transfer`; a refusal names the transfer when the mapping has several."""
    try:
        return prepare_transfer(transfer, ctx, catalog=catalog)
    except DitoolkitError as exc:
        if len(mapping.transfers) == 1:
            raise
        raise ApplyError(
            f"transfer {transfer.name!r} of {mapping.source} could not be previewed, so no "
            f"transfer was applied: {exc.message}",
            hint=exc.hint,
        ) from exc


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
        marks = ", ".join(f"{flow} since {mark}" for flow, mark in run.since.items())
        how = marks or "full read"
        deleted = sum(run.deleted_read.values())
        also = f" and {deleted} deleted record(s)" if run.deleted_read else ""
        print(
            f"  read {run.source_rows_read} changed source row(s){also} (incremental: {how})",
            file=stream,
        )
        unread = [flow for flow in run.since if flow not in run.deleted_read]
        if unread and "delete" in run.transfer.operations:
            print("  deletes are found only by a full read: run apply --full", file=stream)
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
    before_write: Callable[[], None] | None = None,
) -> int:
    """The ``apply`` sub-command; returns the exit status (refusals raise a DitoolkitError).

    With ``out``, a refusal still leaves the four run files (counts zero, ``"error"`` set).
    ``before_write`` is :attr:`ApplyContext.before_write`.
    """
    started, ctx = time.perf_counter(), None
    try:
        if mapping is None and resume is None:
            raise ApplyError("apply needs a MAPPING file, or --resume RUN_ID")
        if resume is not None and profile is None:
            profile = _profile_of(resume)
        ctx = _context(
            profile,
            dry_run=dry_run,
            stream=stream or sys.stderr,
            mapping=mapping or ".",
            full=full,
            resolve=resolve,
        )
        ctx = replace(ctx, before_write=before_write)
        return _run_command(ctx, mapping, transfer=transfer, resume=resume, out=out)
    except DitoolkitError as exc:
        if out is not None:
            calls = ctx.connections.api_calls() if ctx is not None else {}
            seconds = time.perf_counter() - started
            write_refusal_files(
                Path(out),
                transfer=transfer,
                dry_run=dry_run,
                error=exc,
                api_calls=calls,
                seconds=seconds,
            )
        raise
    finally:
        if ctx is not None:
            ctx.connections.close()
            ctx.journal.close()
            ctx.state.close()


def _run_command(
    ctx: ApplyContext,
    mapping: str | None,
    *,
    transfer: str | None,
    resume: str | None,
    out: str | None,
) -> int:
    if resume is not None:
        runs = [resume_by_id(resume, ctx)]
    else:
        assert mapping is not None
        runs = apply_mapping(mapping, ctx, transfer=transfer)
    for run in runs:
        print(run.result.run_id, file=sys.stdout, flush=True)
        _report(run, stream=ctx.stream)
    write_apply_files(runs, out=Path(out) if out else None, dry_run=ctx.settings.dry_run)
    return max((exit_code(r.result, r.preview) for r in runs), default=0)

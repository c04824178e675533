"""Applying a plan: batches through the port, every row journaled, resumable, verified.

:func:`apply_plan` refuses a plan whose target changed since the preview, records the run and
every planned row (with its before-image) in the :class:`~ditoolkit.core.journal.Journal`, then
sends the rows in batches: inserts (as upserts by the key where the system allows, so that a
resumed run cannot duplicate), updates (only the changed fields and the key), deletes. Before
each batch its rows are marked *sent*; after it, each row's outcome is recorded. A per-row
failure is recorded and the run goes on; a call-level failure that no retry cured (session,
allowance, network) stops the run cleanly as *interrupted*. :func:`resume_run` continues an
interrupted (or killed) run: rows whose outcome is unknown are reconciled by a re-read of the
target by key, and rows not yet sent are written only if they still hold their before-image.
After the writes the changed rows are read again and compared with what was sent
(``VERIFY_MISMATCH``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ditoolkit.core.apply_rows import ORDER, WriteCall, planned_rows, write_calls
from ditoolkit.core.destination import Destination
from ditoolkit.core.journal import PENDING, SENT, Journal, Outcome, PlannedRow, new_run_id
from ditoolkit.core.plan import Plan
from ditoolkit.core.run_result import RunResult
from ditoolkit.core.verify import (
    TARGET_CHANGED,
    VERIFY_MISMATCH,
    Comparison,
    compare_rows,
    fold,
    verify_rows,
)
from ditoolkit.errors import ApplyError, ConfigError, DitoolkitError, RejectedError
from ditoolkit.port import RowStatus, WriteResult

_DONE_STATUS = {"insert": "created", "update": "updated", "delete": "deleted"}
_OK = {"created", "updated", "deleted", "unchanged"}


@dataclass(frozen=True)
class ApplySettings:
    """How a run sends its rows.

    Attributes:
        batch_size: rows per batch (one journal transaction before and after each).
        dry_run: go through everything (freshness, journal, batches) except the writes.
        verify: re-read the changed rows after the writes.
        on_batch: called after each batch with (rows done, rows in the run).
    """

    batch_size: int = 500
    dry_run: bool = False
    verify: bool = True
    on_batch: Callable[[int, int], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ApplyError(
                f"batch_size must be at least 1, not {self.batch_size}",
                hint="use the default (500) or a positive number",
            )


class _Interrupted(Exception):
    """A call-level failure stopped the run; the rows not done stay resumable."""

    def __init__(self, error: DitoolkitError) -> None:
        super().__init__(str(error))
        self.error = error


def check_target_fresh(
    plan: Plan, target: Destination, *, reread: Callable[[], pd.DataFrame] | None = None
) -> None:
    """Re-read the target and refuse the plan if it changed since the preview.

    A plan with no row to write (no insert, update or delete, to either side) is not re-read:
    nothing will be written from it, so a change made since the preview can do no harm, and
    the next preview sees it. Whatever a run of such a plan saves afterwards (watermarks, the
    base snapshot of a two-way transfer) is taken from the rows read at the preview, so a
    change made after it is still found by the next run.

    Args:
        plan: the plan.
        target: the table it was made against.
        reread: reads the target as the preview did (default: key and plan fields).

    Raises:
        ApplyError: the target changed (see :meth:`Plan.check_fresh`).
    """
    if not writes_rows(plan):
        return
    if reread is not None:
        plan.check_fresh(reread())
        return
    columns = [c for c in plan.fields if target.schema.get(c) is not None]
    plan.check_fresh(target.read_all([plan.key, *columns]))


def writes_rows(plan: Plan) -> bool:
    """Whether ``plan`` has a row to write (an insert, update or delete, to either side)."""
    return not plan.rows.empty


@dataclass(frozen=True, eq=False)
class Leg:
    """One plan of a run and the table it writes to.

    Attributes:
        plan: the frozen plan from the preview.
        target: the table the plan's rows go to.
        label: the journal's name of that table (default: the plan's direction).
        target_frame: the target rows read at preview (for raw before-images).
        reread: reads the target as the preview did, for the freshness check.
        source: where a plan's reverse updates go (plans with ``side = source`` rows).
        source_frame: the source rows read at preview.
    """

    plan: Plan
    target: Destination
    label: str | None = None
    target_frame: pd.DataFrame | None = None
    reread: Callable[[], pd.DataFrame] | None = None
    source: Destination | None = None
    source_frame: pd.DataFrame | None = None

    @property
    def name(self) -> str:
        """The journal's name of the target table."""
        return self.label or self.plan.direction


def apply_plan(
    plan: Plan,
    *,
    target: Destination,
    journal: Journal,
    source: Destination | None = None,
    target_frame: pd.DataFrame | None = None,
    source_frame: pd.DataFrame | None = None,
    settings: ApplySettings | None = None,
    parameters: Mapping[str, Any] | None = None,
    check_fresh: bool = True,
    reread: Callable[[], pd.DataFrame] | None = None,
) -> RunResult:
    """Apply one plan (see :func:`apply_legs`); its tables are named ``target`` / ``source``."""
    leg = Leg(plan, target, "target", target_frame, reread, source, source_frame)
    return apply_legs(
        [leg], journal=journal, settings=settings, parameters=parameters, check_fresh=check_fresh
    )


def apply_legs(
    legs: Sequence[Leg],
    *,
    journal: Journal,
    settings: ApplySettings | None = None,
    parameters: Mapping[str, Any] | None = None,
    check_fresh: bool = True,
) -> RunResult:
    """Apply the plans of one transfer (one per direction) as one journaled run.

    Args:
        legs: each plan and the table it writes to.
        journal: where the run is recorded.
        settings: batches, dry run, verify.
        parameters: what the run was asked (mapping, transfer, profile; never secrets).
        check_fresh: re-read each target and refuse a stale plan (off only for a plan made
            moments ago from the same read); a leg whose plan writes no row is not re-read
            (see :func:`check_target_fresh`).

    Returns:
        The :class:`RunResult`; its status is ``completed``, ``dry_run`` or ``interrupted``.

    Raises:
        ApplyError: a plan is stale (nothing was written or journaled).
    """
    chosen = settings or ApplySettings()
    if check_fresh:
        for leg in legs:
            check_target_fresh(leg.plan, leg.target, reread=leg.reread)
    rows: list[PlannedRow] = []
    ends: dict[str, Destination | None] = {}
    for leg in legs:
        labels = {"target": leg.name, "source": f"{leg.name}:source"}
        ends |= {labels["target"]: leg.target, labels["source"]: leg.source}
        rows += planned_rows(
            leg.plan,
            target=leg.target,
            source=leg.source,
            target_frame=leg.target_frame,
            source_frame=leg.source_frame,
            labels=labels,
            first_seq=len(rows),
        )
    first = legs[0].plan if legs else None
    run_id = new_run_id()
    journal.start_run(
        run_id,
        kind="apply",
        rows=rows,
        parameters={**(parameters or {}), "dry_run": chosen.dry_run},
        transfer=first.transfer_name if first else None,
        direction=",".join(leg.plan.direction for leg in legs),
        mapping_fingerprint=first.mapping_fingerprint if first else None,
        plan_fingerprint=_joint_fingerprint(legs),
        plan=json.dumps({leg.name: json.loads(leg.plan.to_json()) for leg in legs}),
    )
    return RunEngine(journal, run_id, ends=ends, settings=chosen).run(check_rows=False)


def _joint_fingerprint(legs: Sequence[Leg]) -> str:
    text = "|".join(f"{leg.name}:{leg.plan.fingerprint}" for leg in legs)
    return hashlib.sha256(text.encode()).hexdigest()


def _ends(
    destinations: Mapping[str, Destination] | None,
    *,
    target: Destination | None,
    source: Destination | None,
) -> dict[str, Destination | None]:
    if destinations is not None:
        return dict(destinations)
    return {"target": target, "source": source}


def resume_run(
    run_id: str,
    *,
    journal: Journal,
    destinations: Mapping[str, Destination] | None = None,
    target: Destination | None = None,
    source: Destination | None = None,
    settings: ApplySettings | None = None,
) -> RunResult:
    """Continue an interrupted or killed run where it stopped.

    Rows whose outcome is unknown (sent, never recorded) are reconciled by a re-read of the
    target by key; rows never sent are written if they still hold their before-image, else
    recorded as failed with ``TARGET_CHANGED``. A finished run is returned as it is.

    Args:
        run_id: the run.
        journal: its journal.
        destinations: the journal's table names (a direction, ``target``) → table; or give
            ``target`` (and ``source``) for a run made by :func:`apply_plan`.
        target / source: see ``destinations``.
        settings: batches, verify (a dry run stays a dry run).
    """
    record = journal.run(run_id)
    chosen = settings or ApplySettings(dry_run=bool(record.parameters.get("dry_run")))
    ends = _ends(destinations, target=target, source=source)
    runner = RunEngine(journal, run_id, ends=ends, settings=chosen)
    if not record.unfinished:
        return runner.result(record.status)
    journal.set_status(run_id, "running", ended=False)
    return runner.run(check_rows=True)


class RunEngine:
    """Sends the pending rows of one journaled run (apply, resume and undo share it)."""

    def __init__(
        self,
        journal: Journal,
        run_id: str,
        *,
        ends: Mapping[str, Destination | None],
        settings: ApplySettings,
    ) -> None:
        self.journal = journal
        self.run_id = run_id
        self.ends = ends
        self.settings = settings
        self.batch = 0
        self.api_calls = 0

    def end(self, side: str) -> Destination:
        end = self.ends.get(side)
        if end is None:
            raise ApplyError(
                f"run {self.run_id} writes to the {side} side, but no {side} table was given",
                hint=f"pass {side}= (the transfer's {side} system and table)",
            )
        return end

    def run(self, *, check_rows: bool) -> RunResult:
        """Reconcile, send, verify; record the final status."""
        try:
            if check_rows:
                self.reconcile()
                self.check_pending()
            self.send_pending()
            if self.settings.verify and not self.settings.dry_run:
                self.verify()
        except _Interrupted as stop:
            self.journal.set_status(self.run_id, "interrupted", counts=self.counts())
            return self.result("interrupted", error=stop.error)
        status = "dry_run" if self.settings.dry_run else "completed"
        self.journal.set_status(self.run_id, status, counts=self.counts())
        return self.result(status)

    def counts(self) -> dict[str, int]:
        rows = self.journal.rows(self.run_id)
        found = rows["status"].fillna(rows["state"]).value_counts()
        return {str(k): int(v) for k, v in found.items()}

    def result(self, status: str, *, error: DitoolkitError | None = None) -> RunResult:
        record = self.journal.run(self.run_id)
        return RunResult(
            run_id=self.run_id,
            status=status,
            kind=record.kind,
            transfer=record.transfer,
            dry_run=bool(record.parameters.get("dry_run")),
            rows=self.journal.rows(self.run_id),
            error=error,
            api_calls=self.api_calls,
        )

    # -- sending --------------------------------------------------------------------------------

    def send_pending(self) -> None:
        rows = self.journal.rows(self.run_id, state=PENDING)
        total = len(self.journal.rows(self.run_id))
        for (side, op), group in rows.groupby(["side", "operation"], sort=False):
            for start in range(0, len(group), self.settings.batch_size):
                chunk = group.iloc[start : start + self.settings.batch_size]
                self.send_batch(self.end(str(side)), operation=str(op), chunk=chunk)
                if self.settings.on_batch is not None:
                    done = total - len(self.journal.rows(self.run_id, state=PENDING))
                    self.settings.on_batch(done, total)

    def send_batch(self, end: Destination, *, operation: str, chunk: pd.DataFrame) -> None:
        self.batch += 1
        seqs = [int(s) for s in chunk["seq"]]
        self.journal.mark_sent(self.run_id, seqs, batch=self.batch)
        if self.settings.dry_run:
            skipped = [
                Outcome(s, RowStatus.SKIPPED.value, message="dry run: not written") for s in seqs
            ]
            self.journal.record_outcomes(self.run_id, skipped)
            return
        items = list(zip(seqs, chunk["key"].astype(str), chunk["after"], strict=True))
        ids = self.lookup_ids(end, operation=operation, keys=[k for _, k, _ in items])
        outcomes: list[Outcome] = []
        try:
            for call in write_calls(end, items, operation=operation, ids=ids):
                outcomes.extend(self.send_call(end, call))
        except _Interrupted:
            self.journal.record_outcomes(self.run_id, outcomes)
            raise
        self.journal.record_outcomes(self.run_id, outcomes)

    def lookup_ids(self, end: Destination, *, operation: str, keys: list[str]) -> dict[str, str]:
        needs = end.id_field is not None and end.id_field != end.key
        if operation == "insert" or not needs:
            return {}
        if operation == "update" and end.update_operation != "update":
            return {}
        try:
            return compare_rows(end, {k: {} for k in keys}).ids
        except DitoolkitError as exc:
            raise _Interrupted(exc) from exc

    def send_call(self, end: Destination, call: WriteCall) -> list[Outcome]:
        try:
            result = end.write(call.frame, operation=call.operation, key=call.key, clear=call.clear)
        except (RejectedError, ConfigError) as exc:
            code = getattr(exc, "code", None) or type(exc).__name__
            return [Outcome(s, "failed", error_code=code, message=str(exc)) for s in call.seqs]
        except DitoolkitError as exc:
            partial = getattr(exc, "result", None)
            done = _outcomes(partial, call) if isinstance(partial, WriteResult) else []
            self.journal.record_outcomes(self.run_id, done)
            raise _Interrupted(exc) from exc
        self.api_calls += result.api_calls
        return _outcomes(result, call)

    # -- reconcile, freshness, verify -----------------------------------------------------------

    def reconcile(self) -> None:
        """Rows sent without a recorded outcome: decide from what the target holds now."""
        rows = self.journal.rows(self.run_id, state=SENT)
        for side, group in rows.groupby("side", sort=False):
            end = self.end(str(side))
            comparison = self.compare(end, group, column="after")
            before = self.compare(end, group, column="before")
            outcomes, again = [], []
            for row in _items(group):
                verdict = _reconciled(row, comparison, before=before, run_id=self.run_id)
                if verdict is None:
                    again.append(row[0])
                else:
                    outcomes.append(verdict)
            self.journal.record_outcomes(self.run_id, outcomes)
            self.journal.mark_pending(self.run_id, again)

    def check_pending(self) -> None:
        """Rows not yet sent are written only if the target still holds their before-image."""
        rows = self.journal.rows(self.run_id, state=PENDING)
        for side, group in rows.groupby("side", sort=False):
            end = self.end(str(side))
            comparison = self.compare(end, group, column="before")
            stale = []
            for seq, key, op in _items(group):
                present = fold(key) in comparison.present
                fresh = not present if op == "insert" else comparison.matches(key)
                if not fresh:
                    message = "the row changed since the plan: " + comparison.describe(key)
                    stale.append(Outcome(seq, "failed", None, TARGET_CHANGED, message))
            self.journal.record_outcomes(self.run_id, stale)

    def compare(self, end: Destination, group: pd.DataFrame, *, column: str) -> Comparison:
        expected = {str(k): dict(v) for k, v in zip(group["key"], group[column], strict=True)}
        try:
            return compare_rows(end, expected)
        except DitoolkitError as exc:
            raise _Interrupted(exc) from exc

    def verify(self) -> None:
        rows = self.journal.rows(self.run_id)
        done = rows[rows["status"].isin(["created", "updated", "deleted"])]
        for side, group in done.groupby("side", sort=False):
            end = self.end(str(side))
            items = list(
                zip(group["key"].astype(str), group["operation"], group["after"], strict=True)
            )
            try:
                failures = verify_rows(end, items)
            except DitoolkitError as exc:
                raise _Interrupted(exc) from exc
            seq_of = {fold(k): int(s) for k, s in zip(group["key"], group["seq"], strict=True)}
            id_of = {fold(k): i for k, i in zip(group["key"], group["id"], strict=True)}
            self.journal.record_outcomes(
                self.run_id,
                [
                    Outcome(seq_of[fold(k)], "failed", _text(id_of[fold(k)]), VERIFY_MISMATCH, m)
                    for k, m in failures.items()
                ],
            )


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _outcomes(result: WriteResult, call: WriteCall) -> list[Outcome]:
    """One outcome per row of ``call`` that ``result`` answers (partial results allowed)."""
    out = []
    for row in result.rows:
        if 0 <= row.row < len(call.seqs):
            status = row.status.value
            out.append(Outcome(call.seqs[row.row], status, row.id, row.error_code, row.message))
    return out


def _items(group: pd.DataFrame) -> list[tuple[int, str, str]]:
    """``(seq, key, operation)`` of each journal row of ``group``."""
    return [
        (int(s), str(k), str(o))
        for s, k, o in zip(group["seq"], group["key"], group["operation"], strict=True)
    ]


def _reconciled(
    row: tuple[int, str, str], after: Comparison, *, before: Comparison, run_id: str
) -> Outcome | None:
    """The outcome of a sent row, or ``None`` to send it again."""
    seq, key, op = row
    present = fold(key) in after.present
    if op == "delete":
        return Outcome(seq, "deleted", message="reconciled: absent") if not present else None
    if op == "insert" and not present:
        return None
    if op == "insert" or after.matches(key):
        ident = after.ids.get(fold(key))
        return Outcome(seq, _DONE_STATUS[op], ident, None, "reconciled: the target holds it")
    if before.matches(key):
        return None
    message = f"run {run_id}: outcome unknown and the row changed: " + after.describe(key)
    return Outcome(seq, "failed", None, TARGET_CHANGED, message)


__all__ = [
    "ORDER",
    "ApplySettings",
    "Leg",
    "RunEngine",
    "RunResult",
    "apply_legs",
    "apply_plan",
    "check_target_fresh",
    "resume_run",
    "writes_rows",
]

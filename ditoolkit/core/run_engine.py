"""Sending the rows of one journaled run: batches, outcomes, reconciliation, verification.

:class:`RunEngine` is shared by apply, resume and undo. Before each batch its rows are marked
*sent*; after it, each row's outcome is recorded. A per-row failure is recorded and the run
goes on; a call-level failure that no retry cured (session, allowance, network) stops the run
cleanly as *interrupted*. On resume, rows whose outcome is unknown are reconciled by a re-read
of the target by key, and rows not yet sent are written only if they still hold their
before-image. After the writes the changed rows are read again and compared with what was
sent (``VERIFY_MISMATCH``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ditoolkit.core.apply_rows import WriteCall, write_calls
from ditoolkit.core.destination import Destination
from ditoolkit.core.journal import PENDING, SENT, Journal, Outcome
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
        return self.journal.status_counts(self.run_id)

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
        total = sum(self.journal.state_counts(self.run_id).values())
        for (side, op), group in rows.groupby(["side", "operation"], sort=False):
            for start in range(0, len(group), self.settings.batch_size):
                chunk = group.iloc[start : start + self.settings.batch_size]
                self.send_batch(self.end(str(side)), operation=str(op), chunk=chunk)
                if self.settings.on_batch is not None:
                    done = total - self.journal.state_counts(self.run_id).get(PENDING, 0)
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


__all__ = ["ApplySettings", "RunEngine"]

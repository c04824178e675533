"""What a run did: its status, and one journal row per planned row change."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ditoolkit.errors import DitoolkitError

#: The columns of :meth:`RunResult.results_frame` (results.csv).
RESULT_COLUMNS = [
    "run_id",
    "direction",
    "side",
    "table",
    "key",
    "operation",
    "status",
    "id",
    "error_code",
    "message",
]
#: The columns of :meth:`RunResult.errors_frame` (the failed rows of errors.csv).
ERROR_COLUMNS = ["key", "row", "line", "side", "reason", "message"]
_SUCCESS = ("created", "updated", "deleted", "unchanged")


@dataclass
class RunResult:
    """The outcome of an apply, resume or undo.

    Attributes:
        run_id: the journal's id of the run.
        status: ``completed``, ``dry_run`` or ``interrupted``.
        kind: ``apply`` or ``undo``.
        transfer: the transfer's name.
        dry_run: nothing was written.
        rows: the journal rows of the run (see :data:`~ditoolkit.core.journal.ROW_COLUMNS`).
        error: what interrupted the run, if it was.
        api_calls: API calls the writes made in this process.
    """

    run_id: str
    status: str
    kind: str
    transfer: str | None
    dry_run: bool
    rows: pd.DataFrame = field(repr=False)
    error: DitoolkitError | None = None
    api_calls: int = 0

    def __repr__(self) -> str:
        return f"RunResult(run_id={self.run_id!r}, status={self.status!r}, counts={self.counts()})"

    def counts(self) -> dict[str, int]:
        """Rows per outcome (``pending`` / ``sent`` for rows an interrupted run left)."""
        found = self.rows["status"].fillna(self.rows["state"]).value_counts()
        return {str(k): int(v) for k, v in found.items()}

    @property
    def failed(self) -> int:
        """Rows that failed (including ``VERIFY_MISMATCH`` and ``TARGET_CHANGED``)."""
        return int((self.rows["status"] == "failed").sum())

    @property
    def unfinished(self) -> int:
        """Rows not written yet or whose outcome is unknown."""
        return int(self.rows["state"].isin(["pending", "sent"]).sum())

    @property
    def ok(self) -> bool:
        """Every row reached its planned state (a dry run: nothing failed)."""
        return self.status in ("completed", "dry_run") and self.failed == 0

    def results_frame(self) -> pd.DataFrame:
        """results.csv: one row per row the run wrote (or tried to)."""
        rows = self.rows
        frame = pd.DataFrame(
            {
                "run_id": self.run_id,
                "direction": rows["direction"],
                "side": rows["side"],
                "table": rows["table_name"],
                "key": rows["key"],
                "operation": rows["operation"],
                "status": rows["status"].fillna(rows["state"]),
                "id": rows["id"],
                "error_code": rows["error_code"],
                "message": rows["message"],
            },
            columns=RESULT_COLUMNS,
        )
        return frame.reset_index(drop=True)

    def errors_frame(self) -> pd.DataFrame:
        """The failed and unfinished rows, in errors.csv's columns (reason = error code)."""
        rows = self.rows
        bad = rows[(rows["status"] == "failed") | rows["state"].isin(["pending", "sent"])]
        reason = (
            bad["error_code"].fillna("NOT_WRITTEN").where(bad["status"] == "failed", "NOT_WRITTEN")
        )
        message = bad["message"].where(
            bad["status"] == "failed",
            f"run {self.run_id} stopped before this row was written: resume it",
        )
        return pd.DataFrame(
            {
                "key": bad["key"],
                "row": None,
                "line": None,
                "side": bad["side"],
                "reason": reason,
                "message": message,
            },
            columns=ERROR_COLUMNS,
        ).reset_index(drop=True)

"""The run journal: SQLite in ``$DITOOLKIT_HOME/journal.sqlite`` (WAL mode).

Every apply (and every undo, which is a run too) is one ``runs`` row: its id, kind, the
transfer and plan fingerprints, the parameters (never secrets), its status, times and counts,
and the plan itself as JSON so that an interrupted run can be resumed by id alone.

Every planned row change is one ``row_outcomes`` row, written when the run starts with state
``pending`` and its **before-image** (the target's values before the write). Before each batch
its rows move to ``sent`` (the intent) in one transaction; after the batch their outcomes
(status, id, error code, message) are written in one transaction. A process killed at any
point therefore leaves each row ``pending`` (never sent), ``sent`` (outcome unknown: reconciled
by a re-read of the target on resume) or ``done``.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ditoolkit.errors import ApplyError

JOURNAL_FILE = "journal.sqlite"

#: Row states: not yet sent, sent (outcome unknown until recorded), outcome recorded.
PENDING, SENT, DONE = "pending", "sent", "done"
#: Run statuses an unfinished run may have (a resume continues it).
UNFINISHED = ("running", "interrupted")

#: The columns of :meth:`Journal.rows`.
ROW_COLUMNS = [
    "run_id",
    "seq",
    "direction",
    "side",
    "table_name",
    "key",
    "operation",
    "state",
    "status",
    "id",
    "error_code",
    "message",
    "batch",
    "before",
    "after",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    transfer TEXT,
    direction TEXT,
    mapping_fingerprint TEXT,
    plan_fingerprint TEXT,
    undo_of TEXT,
    parameters TEXT NOT NULL,
    status TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    counts TEXT NOT NULL DEFAULT '{}',
    plan TEXT
);
CREATE TABLE IF NOT EXISTS row_outcomes (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    direction TEXT NOT NULL,
    side TEXT NOT NULL,
    table_name TEXT NOT NULL,
    key TEXT NOT NULL,
    operation TEXT NOT NULL,
    state TEXT NOT NULL,
    status TEXT,
    id TEXT,
    error_code TEXT,
    message TEXT,
    batch INTEGER,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX IF NOT EXISTS row_outcomes_state ON row_outcomes (run_id, state);
CREATE INDEX IF NOT EXISTS runs_transfer ON runs (mapping_fingerprint, status);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_run_id() -> str:
    """A run id that sorts by start time: ``20260101T120000Z-1a2b3c4d``."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@dataclass(frozen=True)
class PlannedRow:
    """One planned row change as the journal records it before the run writes anything."""

    seq: int
    direction: str
    side: str
    table: str
    key: str
    operation: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class RunRecord:
    """A ``runs`` row."""

    run_id: str
    kind: str
    transfer: str | None
    direction: str | None
    mapping_fingerprint: str | None
    plan_fingerprint: str | None
    undo_of: str | None
    parameters: dict[str, Any]
    status: str
    started: str
    ended: str | None
    counts: dict[str, int]
    plan: str | None

    @property
    def unfinished(self) -> bool:
        """True while the run may be resumed."""
        return self.status in UNFINISHED


class Journal:
    """The SQLite journal of runs and row outcomes.

    Args:
        path: the database file (created with its folder when missing).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def in_home(cls, home: str | Path) -> Journal:
        """The journal of the local state folder ``home`` (``$DITOOLKIT_HOME``)."""
        return cls(Path(home) / JOURNAL_FILE)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (committed on success, rolled back on error)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- runs -----------------------------------------------------------------------------------

    def start_run(
        self,
        run_id: str,
        *,
        kind: str,
        rows: Sequence[PlannedRow],
        parameters: dict[str, Any],
        transfer: str | None = None,
        direction: str | None = None,
        mapping_fingerprint: str | None = None,
        plan_fingerprint: str | None = None,
        undo_of: str | None = None,
        plan: str | None = None,
    ) -> None:
        """Record a new run and all its planned rows (state ``pending``) in one transaction."""
        now = _now()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO runs (run_id, kind, transfer, direction, mapping_fingerprint, "
                "plan_fingerprint, undo_of, parameters, status, started, plan) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)",
                (
                    run_id,
                    kind,
                    transfer,
                    direction,
                    mapping_fingerprint,
                    plan_fingerprint,
                    undo_of,
                    _dump(parameters),
                    now,
                    plan,
                ),
            )
            db.executemany(
                "INSERT INTO row_outcomes (run_id, seq, direction, side, table_name, key, "
                "operation, state, before, after, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (run_id, r.seq, r.direction, r.side, r.table, r.key, r.operation, PENDING)
                    + (_dump(r.before), _dump(r.after), now)
                    for r in rows
                ],
            )

    def set_status(
        self, run_id: str, status: str, *, counts: dict[str, int] | None = None, ended: bool = True
    ) -> None:
        """Set a run's status (and counts); ``ended`` stamps the end time."""
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET status = ?, ended = ?, counts = COALESCE(?, counts) "
                "WHERE run_id = ?",
                (status, _now() if ended else None, _dump(counts) if counts else None, run_id),
            )

    def run(self, run_id: str) -> RunRecord:
        """The run ``run_id``.

        Raises:
            ApplyError: no such run in this journal.
        """
        row = self._db.execute(
            "SELECT run_id, kind, transfer, direction, mapping_fingerprint, plan_fingerprint, "
            "undo_of, parameters, status, started, ended, counts, plan FROM runs WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise ApplyError(
                f"no run {run_id!r} in the journal {self.path}",
                hint="list runs with Journal.runs(), or set DITOOLKIT_HOME to the folder "
                "the run was made in",
            )
        return _run_record(row)

    def runs(self) -> pd.DataFrame:
        """Every run, newest first (without plans)."""
        return pd.read_sql_query(
            "SELECT run_id, kind, transfer, direction, status, started, ended, counts, undo_of "
            "FROM runs ORDER BY started DESC",
            self._db,
        )

    def unfinished_runs(self, mapping_fingerprint: str) -> list[RunRecord]:
        """Runs of the transfer ``mapping_fingerprint`` that did not finish, oldest first."""
        rows = self._db.execute(
            "SELECT run_id FROM runs WHERE mapping_fingerprint = ? AND kind = 'apply' AND "
            "status IN ('running', 'interrupted') ORDER BY started",
            (mapping_fingerprint,),
        ).fetchall()
        return [self.run(r[0]) for r in rows]

    def undo_runs(self, run_id: str) -> list[RunRecord]:
        """The undo runs of ``run_id``, oldest first."""
        rows = self._db.execute(
            "SELECT run_id FROM runs WHERE undo_of = ? ORDER BY started", (run_id,)
        ).fetchall()
        return [self.run(r[0]) for r in rows]

    # -- rows -----------------------------------------------------------------------------------

    def mark_sent(self, run_id: str, seqs: Iterable[int], *, batch: int) -> None:
        """Record the intent: these rows are about to be written (one transaction)."""
        now = _now()
        with self.transaction() as db:
            db.executemany(
                "UPDATE row_outcomes SET state = ?, batch = ?, updated = ? "
                "WHERE run_id = ? AND seq = ?",
                [(SENT, batch, now, run_id, s) for s in seqs],
            )

    def mark_pending(self, run_id: str, seqs: Iterable[int]) -> None:
        """Put rows back to ``pending`` (a reconciled row that was never written)."""
        now = _now()
        with self.transaction() as db:
            db.executemany(
                "UPDATE row_outcomes SET state = ?, updated = ? WHERE run_id = ? AND seq = ?",
                [(PENDING, now, run_id, s) for s in seqs],
            )

    def record_outcomes(self, run_id: str, outcomes: Iterable[Outcome]) -> None:
        """Record the outcome of rows (one transaction)."""
        now = _now()
        with self.transaction() as db:
            db.executemany(
                "UPDATE row_outcomes SET state = ?, status = ?, id = ?, error_code = ?, "
                "message = ?, updated = ? WHERE run_id = ? AND seq = ?",
                [
                    (DONE, o.status, o.id, o.error_code, o.message, now, run_id, o.seq)
                    for o in outcomes
                ],
            )

    def rows(self, run_id: str, *, state: str | None = None) -> pd.DataFrame:
        """The run's rows (:data:`ROW_COLUMNS`), before/after decoded, in plan order."""
        query = f"SELECT {', '.join(ROW_COLUMNS)} FROM row_outcomes WHERE run_id = ?"
        params: tuple[Any, ...] = (run_id,)
        if state is not None:
            query += " AND state = ?"
            params += (state,)
        frame = pd.read_sql_query(query + " ORDER BY seq", self._db, params=params)
        for column in ("before", "after"):
            frame[column] = [json.loads(v) for v in frame[column].tolist()]
        return frame

    def status_counts(self, run_id: str) -> dict[str, int]:
        """How many of the run's rows end in each status (their state while they have none)."""
        return self._counts(run_id, "COALESCE(status, state)")

    def state_counts(self, run_id: str) -> dict[str, int]:
        """How many of the run's rows are in each state."""
        return self._counts(run_id, "state")

    def _counts(self, run_id: str, grouped_by: str) -> dict[str, int]:
        rows = self._db.execute(
            f"SELECT {grouped_by}, COUNT(*) FROM row_outcomes WHERE run_id = ? GROUP BY 1",
            (run_id,),
        ).fetchall()
        return {str(s): int(n) for s, n in rows}


@dataclass(frozen=True)
class Outcome:
    """The recorded outcome of one journal row."""

    seq: int
    status: str
    id: str | None = None
    error_code: str | None = None
    message: str | None = None


def _run_record(row: Sequence[Any]) -> RunRecord:
    return RunRecord(
        run_id=row[0],
        kind=row[1],
        transfer=row[2],
        direction=row[3],
        mapping_fingerprint=row[4],
        plan_fingerprint=row[5],
        undo_of=row[6],
        parameters=json.loads(row[7]),
        status=row[8],
        started=row[9],
        ended=row[10],
        counts=json.loads(row[11]),
        plan=row[12],
    )

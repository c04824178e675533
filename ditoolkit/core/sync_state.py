"""Incremental state per transfer: watermarks and base snapshots, in SQLite.

After each successful run a transfer keeps, under ``$DITOOLKIT_HOME`` (the journal's file):

- a **watermark** per direction: the greatest ``SystemModstamp`` read from Salesforce, or the
  time the last successful sync from Dialog Insight started. The next preview reads only rows
  stamped at or after it (inclusive: a row stamped in the same instant is read again, which is
  harmless — the diff finds it unchanged — and never missed);
- the **base snapshot**: the values both sides agreed on per key after the run, against which
  a two-way transfer tells who changed what (three-way conflict detection).

``full=True`` on the loaders ignores the stored state (a full re-read and a first-sync base).
State is keyed by the transfer's fingerprint, so a changed mapping starts afresh.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from ditoolkit.core.fingerprint import key_text
from ditoolkit.core.journal import JOURNAL_FILE
from ditoolkit.core.plan_rows import json_value

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watermarks (
    transfer TEXT NOT NULL, direction TEXT NOT NULL, value TEXT NOT NULL,
    run_id TEXT, updated TEXT NOT NULL, PRIMARY KEY (transfer, direction)
);
CREATE TABLE IF NOT EXISTS clean_runs (
    transfer TEXT NOT NULL, direction TEXT NOT NULL, run_id TEXT, at TEXT NOT NULL,
    PRIMARY KEY (transfer, direction)
);
CREATE TABLE IF NOT EXISTS base_rows (
    transfer TEXT NOT NULL, key TEXT NOT NULL, row TEXT NOT NULL,
    run_id TEXT, updated TEXT NOT NULL, PRIMARY KEY (transfer, key)
);
"""


class _Fingerprinted(Protocol):
    def fingerprint(self) -> str: ...


TransferRef = str | _Fingerprinted


def _name(transfer: TransferRef) -> str:
    return transfer if isinstance(transfer, str) else transfer.fingerprint()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class SyncState:
    """Watermarks and base snapshots of transfers.

    Args:
        path: the SQLite file (the journal's, by default through :meth:`in_home`).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def in_home(cls, home: str | Path) -> SyncState:
        """The state kept in the local state folder ``home`` (``$DITOOLKIT_HOME``)."""
        return cls(Path(home) / JOURNAL_FILE)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __repr__(self) -> str:
        return f"SyncState({str(self.path)!r})"

    def load_watermark(
        self, transfer: TransferRef, direction: str, *, full: bool = False
    ) -> pd.Timestamp | None:
        """The watermark of ``direction`` (UTC), or ``None`` (first run, or ``full``)."""
        if full:
            return None
        row = self._db.execute(
            "SELECT value FROM watermarks WHERE transfer = ? AND direction = ?",
            (_name(transfer), direction),
        ).fetchone()
        return pd.Timestamp(row[0]) if row else None

    def last_clean_run(self, transfer: TransferRef, direction: str) -> pd.Timestamp | None:
        """When ``direction`` last ran to its end without a failure (UTC), or ``None``.

        Unlike the watermark (the newest change read), this moves with every clean run, also
        one that read nothing new.
        """
        row = self._db.execute(
            "SELECT at FROM clean_runs WHERE transfer = ? AND direction = ?",
            (_name(transfer), direction),
        ).fetchone()
        return pd.Timestamp(row[0]) if row else None

    def load_base(self, transfer: TransferRef, *, full: bool = False) -> pd.DataFrame | None:
        """The agreed rows of the last successful run, or ``None`` (first sync, or ``full``)."""
        if full:
            return None
        rows = self._db.execute(
            "SELECT row FROM base_rows WHERE transfer = ? ORDER BY key", (_name(transfer),)
        ).fetchall()
        if not rows:
            return None
        return pd.DataFrame([json.loads(r[0]) for r in rows]).astype(object)

    def save_after_run(
        self,
        transfer: TransferRef,
        *,
        run_id: str | None = None,
        watermarks: dict[str, Any] | None = None,
        base: pd.DataFrame | None = None,
        key: str | None = None,
        removed: Iterable[Any] = (),
        directions: Iterable[str] = (),
    ) -> None:
        """Store a successful run's state in one transaction.

        Args:
            transfer: the transfer (or its fingerprint).
            run_id: the run it comes from.
            directions: the directions the run went through (their last clean run is now).
            watermarks: direction → new watermark; a watermark never moves back.
            base: agreed rows to store (upserted by ``key``; other keys are kept).
            key: the key column of ``base``.
            removed: keys to drop from the base (rows deleted by the run).
        """
        name, now = _name(transfer), _now()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for direction, value in (watermarks or {}).items():
                if value is None or pd.isna(value):
                    continue
                self._raise_watermark(
                    name, direction=direction, value=_utc(value), run_id=run_id, now=now
                )
            if base is not None and key is not None:
                self._db.executemany(
                    "INSERT OR REPLACE INTO base_rows VALUES (?, ?, ?, ?, ?)",
                    [(name, k, row, run_id, now) for k, row in _base_records(base, key)],
                )
            self._db.executemany(
                "DELETE FROM base_rows WHERE transfer = ? AND key = ?",
                [(name, str(k).strip().lower()) for k in removed],
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO clean_runs VALUES (?, ?, ?, ?)",
                [(name, direction, run_id, now) for direction in directions],
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _raise_watermark(
        self, name: str, *, direction: str, value: pd.Timestamp, run_id: str | None, now: str
    ) -> None:
        current = self.load_watermark(name, direction)
        if current is not None and current >= value:
            return
        self._db.execute(
            "INSERT OR REPLACE INTO watermarks VALUES (?, ?, ?, ?, ?)",
            (name, direction, value.isoformat(), run_id, now),
        )


def _utc(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _base_records(base: pd.DataFrame, key: str) -> list[tuple[str, str]]:
    folded = key_text(base[key]).tolist()
    out = []
    for k, record in zip(folded, base.to_dict("records"), strict=True):
        if isinstance(k, str):
            row = {str(c): json_value(v) for c, v in record.items()}
            out.append((k, json.dumps(row, sort_keys=True, default=str)))
    return out


def max_stamp(frame: pd.DataFrame, column: str = "SystemModstamp") -> pd.Timestamp | None:
    """The greatest stamp of ``column`` (a Salesforce watermark), or ``None``."""
    if column not in frame.columns or frame.empty:
        return None
    stamps = pd.to_datetime(frame[column], utc=True, errors="coerce", format="ISO8601").dropna()
    return None if stamps.empty else pd.Timestamp(stamps.max())


def agreed_rows(
    target: pd.DataFrame,
    rows: pd.DataFrame,
    *,
    key: str,
    exclude: Sequence[Any] = (),
) -> tuple[pd.DataFrame, list[str]]:
    """The rows both sides agree on after a run, and the keys the run deleted.

    Args:
        target: the target rows as read at preview (target field names).
        rows: the run's journal rows (``RunResult.rows``).
        key: the key column.
        exclude: keys whose values are not agreed (conflicts, held-back rows).

    Returns:
        ``(rows to store in the base, keys to remove from it)``; failed rows are left out
        (their previous base stays).
    """
    records = {k: {str(c): json_value(v) for c, v in r.items()} for k, r in _keyed(target, key)}
    bad = (rows["status"] == "failed") | rows["state"].isin(["pending", "sent"])
    failed = set(key_text(rows.loc[bad, "key"].astype("string")).dropna())
    removed: list[str] = []
    for row in rows[rows["status"].isin(["created", "updated", "deleted"])].to_dict("records"):
        folded = str(row["key"]).strip().lower()
        if row["status"] == "deleted":
            removed.append(folded)
            records.pop(folded, None)
            continue
        merged = records.setdefault(folded, {key: row["key"]})
        merged.update(row["after"])
    skip = failed | {str(k).strip().lower() for k in exclude}
    kept = [r for k, r in records.items() if k not in skip]
    frame = pd.DataFrame(kept) if kept else pd.DataFrame({key: pd.Series(dtype="object")})
    return frame.astype(object), removed


def _keyed(frame: pd.DataFrame, key: str) -> list[tuple[str, dict[Any, Any]]]:
    if key not in frame.columns:
        return []
    folded = key_text(frame[key]).tolist()
    return [
        (k, r) for k, r in zip(folded, frame.to_dict("records"), strict=True) if isinstance(k, str)
    ]

"""Where Bulk API 2.0 jobs live: one SQLite file (``bulk2.sqlite``) beside the sandbox's data.

A job is its Salesforce job-info JSON (kept as Salesforce returns it) plus what it carries: the
uploaded CSV of an ingest job, its row outcomes, and the result rows of a query job (CSV
lines kept a thousand to a row, so that a locator is just an offset). Jobs survive a restart of the sandbox; a
job that a restart interrupted mid-processing is marked ``Failed``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

from ditoolkit.sandbox.salesforce.ids import make_id

JOB_KEY_PREFIX = "750"
TERMINAL_STATES = frozenset({"JobComplete", "Failed", "Aborted"})
RESULT_KINDS = ("successfulResults", "failedResults", "unprocessedRecords")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, kind TEXT NOT NULL, info TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS uploads (job_id TEXT PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS ingest_results (
    job_id TEXT NOT NULL, kind TEXT NOT NULL, body BLOB NOT NULL, PRIMARY KEY (job_id, kind));
CREATE TABLE IF NOT EXISTS query_rows (
    job_id TEXT NOT NULL, seq INTEGER NOT NULL, line TEXT NOT NULL, PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS query_text (
    job_id TEXT NOT NULL, block INTEGER NOT NULL, text TEXT NOT NULL, ends BLOB NOT NULL,
    PRIMARY KEY (job_id, block)
);
"""
#: Result lines kept per ``query_text`` row: their text joined, and where each line ends (64-bit
#: offsets). ``query_rows`` (one line per row) is still read for jobs kept by earlier versions.
BLOCK_LINES = 1000
_JOB_TABLES = ("jobs", "uploads", "ingest_results", "query_rows", "query_text")


def sf_now() -> str:
    """The current time as Salesforce writes it in job info (``2024-01-31T12:00:00.000+0000``)."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"


class JobBook:
    """Thread-safe access to ``bulk2.sqlite``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._fail_interrupted()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _fail_interrupted(self) -> None:
        rows = self._db.execute("SELECT info FROM jobs").fetchall()
        for (text,) in rows:
            info = json.loads(text)
            if info["state"] in ("UploadComplete", "InProgress"):
                info["state"] = "Failed"
                info["errorMessage"] = "InternalServerError : the sandbox restarted during the job"
                self.save(info)

    def create(self, kind: str, build: Any) -> dict[str, Any]:
        """Create a job: ``build(job_id)`` returns its info; the new info is stored and returned."""
        with self._tx() as db:
            (last,) = db.execute("SELECT COALESCE(MAX(seq), 0) FROM jobs").fetchone()
            job_id = make_id(JOB_KEY_PREFIX, last + 1)
            info: dict[str, Any] = build(job_id)
            db.execute(
                "INSERT INTO jobs (id, seq, kind, info) VALUES (?, ?, ?, ?)",
                (job_id, last + 1, kind, json.dumps(info)),
            )
        return info

    def get(self, kind: str, job_id: str) -> dict[str, Any] | None:
        """The info of job ``job_id`` (15 or 18 characters) of ``kind``, or ``None``."""
        with self._lock:
            row = self._db.execute(
                "SELECT info FROM jobs WHERE kind = ? AND (id = ? OR substr(id, 1, 15) = ?)",
                (kind, job_id, job_id),
            ).fetchone()
        return json.loads(row[0]) if row else None

    def list(self, kind: str) -> list[dict[str, Any]]:
        """Every job of ``kind``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT info FROM jobs WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        return [json.loads(text) for (text,) in rows]

    def save(self, info: dict[str, Any]) -> None:
        """Store ``info`` (a job's new state), stamping ``systemModstamp``."""
        info["systemModstamp"] = sf_now()
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET info = ? WHERE id = ?", (json.dumps(info), info["id"])
            )

    def transition(
        self, kind: str, job_id: str, *, allowed: frozenset[str], to: str
    ) -> tuple[dict[str, Any] | None, bool]:
        """Move a job to state ``to`` if it is in one of ``allowed`` states, atomically.

        Returns:
            The job's info (after the move when it happened, else as it is, ``None`` when there
            is no such job) and whether the move happened.
        """
        with self._lock:
            info = self.get(kind, job_id)
            if info is None or info["state"] not in allowed:
                return info, False
            info["state"] = to
            self.save(info)
            return info, True

    def delete(self, job_id: str) -> None:
        """Forget a job and everything it carries."""
        with self._tx() as db:
            for table in _JOB_TABLES:
                column = "id" if table == "jobs" else "job_id"
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", (job_id,))

    def clear(self) -> None:
        """Forget every job (the org's data is being reset)."""
        with self._tx() as db:
            for table in _JOB_TABLES:
                db.execute(f"DELETE FROM {table}")

    def put_upload(self, job_id: str, body: bytes) -> bool:
        """Keep an ingest job's CSV; ``False`` when the job already has one."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM uploads WHERE job_id = ?", (job_id,)).fetchone():
                return False
            db.execute("INSERT INTO uploads (job_id, body) VALUES (?, ?)", (job_id, body))
        return True

    def get_upload(self, job_id: str) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM uploads WHERE job_id = ?", (job_id,)
            ).fetchone()
        return bytes(row[0]) if row else None

    def put_results(self, job_id: str, results: dict[str, str]) -> None:
        """Keep what an ingest job's result files are made from, by name."""
        with self._tx() as db:
            db.executemany(
                "INSERT OR REPLACE INTO ingest_results (job_id, kind, body) VALUES (?, ?, ?)",
                [(job_id, kind, body.encode("utf-8")) for kind, body in results.items()],
            )

    def get_result(self, job_id: str, kind: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM ingest_results WHERE job_id = ? AND kind = ?", (job_id, kind)
            ).fetchone()
        return bytes(row[0]).decode("utf-8") if row else None

    def put_rows(self, job_id: str, lines: Iterable[str]) -> None:
        """Keep a query job's result rows, each one CSV line (line ending included)."""
        kept = list(lines)
        blocks = []
        for number, first in enumerate(range(0, len(kept), BLOCK_LINES)):
            chunk = kept[first : first + BLOCK_LINES]
            ends = array("q", accumulate(map(len, chunk))).tobytes()
            blocks.append((job_id, number, "".join(chunk), ends))
        with self._tx() as db:
            db.executemany(
                "INSERT INTO query_text (job_id, block, text, ends) VALUES (?, ?, ?, ?)", blocks
            )

    def iter_rows(self, job_id: str, *, start: int) -> Iterator[str]:
        """A query job's result lines from offset ``start`` on, read a few blocks at a time."""
        if not self._has_blocks(job_id):
            yield from self._iter_legacy_rows(job_id, start=start)
            return
        block, skip = divmod(start, BLOCK_LINES)
        for text, ends in self._blocks(job_id, first=block):
            begins = [0, *ends[:-1]]
            yield from (text[b:e] for b, e in zip(begins[skip:], ends[skip:], strict=True))
            skip = 0

    def page_text(
        self, job_id: str, *, start: int, limit: int | None, max_chars: int | None
    ) -> tuple[str, int]:
        """Result lines from offset ``start`` on, joined, and how many they are.

        Args:
            job_id: the query job.
            start: offset of the first line.
            limit: at most this many lines (``None``: no limit).
            max_chars: at most this many characters, though never fewer than one line
                (``None``: no limit).
        """
        if not self._has_blocks(job_id):
            return self._legacy_page(job_id, start=start, limit=limit, max_chars=max_chars)
        parts: list[str] = []
        count = used = 0
        block, skip = divmod(start, BLOCK_LINES)
        for text, ends in self._blocks(job_id, first=block):
            begin = ends[skip - 1] if skip else 0
            stop = len(ends) if limit is None else min(len(ends), skip + limit - count)
            if max_chars is not None:
                fits = bisect_right(ends, begin + max_chars - used, lo=skip)
                stop = min(stop, max(fits, skip + 1) if count == 0 else fits)
            if stop > skip:
                parts.append(text[begin : ends[stop - 1]])
                used += ends[stop - 1] - begin
                count += stop - skip
            if stop < len(ends):
                break
            skip = 0
        return "".join(parts), count

    def _blocks(self, job_id: str, *, first: int) -> Iterator[tuple[str, array[int]]]:
        block = first
        while True:
            with self._lock:
                found = self._db.execute(
                    "SELECT text, ends FROM query_text WHERE job_id = ? AND block >= ? "
                    "ORDER BY block LIMIT 5",
                    (job_id, block),
                ).fetchall()
            if not found:
                return
            for text, blob in found:
                ends = array("q")
                ends.frombytes(blob)
                yield text, ends
            block += len(found)

    def _has_blocks(self, job_id: str) -> bool:
        with self._lock:
            found = self._db.execute(
                "SELECT 1 FROM query_text WHERE job_id = ? LIMIT 1", (job_id,)
            ).fetchone()
        return found is not None

    def _legacy_page(
        self, job_id: str, *, start: int, limit: int | None, max_chars: int | None
    ) -> tuple[str, int]:
        parts: list[str] = []
        used = 0
        for line in islice(self._iter_legacy_rows(job_id, start=start), limit):
            if max_chars is not None and parts and used + len(line) > max_chars:
                break
            parts.append(line)
            used += len(line)
        return "".join(parts), len(parts)

    def _iter_legacy_rows(self, job_id: str, *, start: int) -> Iterator[str]:
        """Result lines of a job kept one per row (``query_rows``)."""
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT line FROM query_rows WHERE job_id = ? AND seq >= ? ORDER BY seq "
                    "LIMIT 5000",
                    (job_id, start),
                ).fetchall()
            if not rows:
                return
            for (line,) in rows:
                yield line
            start += len(rows)

"""Writing DataFrames to any Salesforce object: one result row per input row, in input order.

Small work goes through sObject Collections (200 records per call, never one call per record);
large work through Bulk API 2.0 ingest jobs (one per ≤ 100 MB of CSV, split by
simple-salesforce), whose result CSVs are joined back to the input rows. Transient per-row
failures (``UNABLE_TO_LOCK_ROW``) are retried on the failed rows only, one call at a time;
permanent failures are never retried.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from ditoolkit.errors import (
    AllowanceError,
    AuthError,
    ConfigError,
    RemoteSystemError,
    RetriableError,
)
from ditoolkit.port import FieldType, Operation, RowResult, RowStatus, TableSchema
from ditoolkit.systems.http import TOO_LARGE
from ditoolkit.systems.salesforce.failures import TRANSIENT_CODES, call_with_retries, translate
from ditoolkit.systems.salesforce.values import csv_for_bulk, records_for_rest

OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"

Outcome = tuple[RowStatus, str | None, str | None, str | None]


def stops_the_write(exc: RemoteSystemError) -> bool:
    """A call-level failure every following call would meet too (allowance spent, session
    refused, service unreachable after the retries): the write stops and raises, so that the
    rows not sent stay unsent instead of being reported as failed rows."""
    stopping = isinstance(exc, AllowanceError | AuthError | RetriableError)
    return stopping and exc.code != OUTCOME_UNKNOWN


class WriteStopped(Exception):
    """Carries the outcomes got before a call-level failure stopped a write (internal)."""

    def __init__(self, error: RemoteSystemError, outcomes: list[Outcome]) -> None:
        super().__init__(str(error))
        self.error = error
        self.outcomes = outcomes


@dataclass(frozen=True)
class WriteSettings:
    """How writes choose their API and retry.

    Attributes:
        bulk_threshold: rows at or above which a Bulk 2.0 ingest job is used.
        collection_size: records per sObject Collections call (Salesforce's maximum is 200).
        bulk_poll_seconds: first wait before polling a Bulk job.
        lock_retry_rounds: how many times rows failing with a transient code are retried.
        call_attempts: attempts of one call on a transient call-level failure.
        backoff_seconds: first wait between attempts (doubles each time).
    """

    bulk_threshold: int = 2_000
    collection_size: int = 200
    bulk_poll_seconds: int = 1
    lock_retry_rounds: int = 3
    call_attempts: int = 5
    backoff_seconds: float = 0.2


_DONE = {
    "insert": RowStatus.CREATED,
    "update": RowStatus.UPDATED,
    "delete": RowStatus.DELETED,
    "hard_delete": RowStatus.DELETED,
}


def estimate_calls(rows: int, *, settings: WriteSettings) -> int:
    """API calls a write of ``rows`` rows is expected to make (for the allowance guard)."""
    if rows >= settings.bulk_threshold:
        return 9 * max(1, -(-rows // 1_000_000))
    return -(-rows // settings.collection_size)


def check_frame(
    frame: pd.DataFrame, schema: TableSchema, *, operation: str, key: str | None
) -> str | None:
    """Validate columns, operation and key before any call; return the key column.

    Raises:
        ConfigError: naming the object, the column and the fix.
    """
    try:
        op = Operation(operation)
    except ValueError:
        raise ConfigError(
            f"salesforce: unknown operation {operation!r} on {schema.name}",
            hint="use insert, update, upsert, delete or hard_delete",
        ) from None
    unknown = [c for c in frame.columns if c not in schema]
    if unknown:
        raise ConfigError(
            f"salesforce: {schema.name} has no field(s) {', '.join(map(repr, unknown))}",
            hint="rename or drop those columns; see describe() for the object's fields",
        )
    if op in (Operation.UPDATE, Operation.DELETE, Operation.HARD_DELETE):
        if "Id" not in frame.columns and not any(c.lower() == "id" for c in frame.columns):
            raise ConfigError(f"salesforce: {operation} on {schema.name} needs an Id column")
        return "Id"
    if op is Operation.UPSERT:
        if not key or key not in frame.columns:
            raise ConfigError(
                f"salesforce: upsert on {schema.name} needs its key column {key!r} in the frame"
            )
        field = schema.field(key)
        if not (field.external_id or field.key):
            raise ConfigError(
                f"salesforce: {schema.name}.{field.name} is not an external id",
                hint="upsert by Id or by a field marked External ID in Salesforce",
            )
        return field.name
    return key if key in frame.columns else None


class ObjectWriter:
    """Writes one frame to one object; collects per-row results."""

    def __init__(self, sf: Salesforce, schema: TableSchema, *, settings: WriteSettings) -> None:
        self.sf = sf
        self.schema = schema
        self.settings = settings
        self.types: dict[str, FieldType | None] = {f.name: f.type for f in schema.fields}
        self.calls = 0

    def _canonical(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.rename(columns={c: self.schema.field(c).name for c in frame.columns})

    def write(
        self, frame: pd.DataFrame, *, operation: str, key: str | None, clear_nulls: bool
    ) -> list[RowResult]:
        """Write every row; return one result per row (``row`` = position in ``frame``)."""
        key_column = check_frame(frame, self.schema, operation=operation, key=key)
        frame = self._canonical(frame.reset_index(drop=True))
        key_column = self.schema.field(key_column).name if key_column else None
        keys = list(frame[key_column]) if key_column else list(range(len(frame)))
        pending = list(range(len(frame)))
        results: dict[int, RowResult] = {}
        for round_number in range(self.settings.lock_retry_rounds + 1):
            use_bulk = round_number == 0 and len(pending) >= self.settings.bulk_threshold
            send = self._bulk if use_bulk else self._collections
            try:
                outcomes = send(
                    frame.iloc[pending],
                    operation=operation,
                    key=key_column,
                    clear_nulls=clear_nulls,
                )
            except WriteStopped as stop:
                done = zip(pending, stop.outcomes, strict=False)
                results |= {p: RowResult(p, keys[p], operation, *o) for p, o in done}
                stop.error.rows_done = [results[i] for i in sorted(results)]  # type: ignore[attr-defined]
                raise stop.error from None
            retry = []
            for position, outcome in zip(pending, outcomes, strict=True):
                status, rid, code, message = outcome
                if (
                    status is RowStatus.FAILED
                    and code in TRANSIENT_CODES
                    and round_number < self.settings.lock_retry_rounds
                ):
                    retry.append(position)
                    continue
                results[position] = RowResult(
                    position, keys[position], operation, status, rid, code, message
                )
            if not retry:
                break
            pending = retry
        return [results[i] for i in range(len(frame))]

    # -- sObject Collections ------------------------------------------------------------------

    def _collections(
        self, frame: pd.DataFrame, *, operation: str, key: str | None, clear_nulls: bool
    ) -> list[tuple[RowStatus, str | None, str | None, str | None]]:
        out: list[Outcome] = []
        size = self.settings.collection_size
        for start in range(0, len(frame), size):
            chunk = frame.iloc[start : start + size]
            try:
                out.extend(
                    self._collection_call(
                        chunk, operation=operation, key=key, clear_nulls=clear_nulls
                    )
                )
            except RemoteSystemError as exc:
                if not stops_the_write(exc):
                    raise
                raise WriteStopped(exc, out) from exc
        return out

    def _collection_call(
        self, chunk: pd.DataFrame, *, operation: str, key: str | None, clear_nulls: bool
    ) -> list[tuple[RowStatus, str | None, str | None, str | None]]:
        name = self.schema.name
        if operation in ("delete", "hard_delete"):
            ids = ",".join(str(v) for v in chunk["Id"])
            request: dict[str, Any] = {
                "path": "composite/sobjects",
                "method": "DELETE",
                "params": {"ids": ids, "allOrNone": "false"},
            }
        else:
            records = records_for_rest(chunk, self.types, clear_nulls=clear_nulls)
            for record in records:
                record["attributes"] = {"type": name}
            body = {"allOrNone": False, "records": records}
            if operation == "insert":
                request = {"path": "composite/sobjects", "method": "POST", "json": body}
            elif operation == "update":
                request = {"path": "composite/sobjects", "method": "PATCH", "json": body}
            else:
                request = {
                    "path": f"composite/sobjects/{name}/{key}",
                    "method": "PATCH",
                    "json": body,
                }
        try:
            answer = self._send(request, idempotent=operation != "insert")
        except RemoteSystemError as exc:
            if stops_the_write(exc):
                raise
            code = exc.code or type(exc).__name__
            if operation == "insert" and code == OUTCOME_UNKNOWN:
                message = "the call timed out after sending: re-read before retrying these rows"
            elif code == TOO_LARGE:  # processed, but its answer was not read
                code = OUTCOME_UNKNOWN
                message = f"{exc.message}: re-read before retrying these rows"
            else:
                message = exc.message
            return [(RowStatus.FAILED, None, code, message)] * len(chunk)
        return [self._outcome(item, operation) for item in answer]

    def _send(self, request: dict[str, Any], *, idempotent: bool) -> Any:
        def call() -> Any:
            self.calls += 1
            return self.sf.restful(**request)

        if idempotent:
            return call_with_retries(
                call,
                doing=f"write {self.schema.name}",
                attempts=self.settings.call_attempts,
                min_wait=self.settings.backoff_seconds,
            )
        return call_with_retries(
            lambda: _insert_safely(call),
            doing=f"insert {self.schema.name}",
            attempts=self.settings.call_attempts,
            min_wait=self.settings.backoff_seconds,
        )

    @staticmethod
    def _outcome(
        item: dict[str, Any], operation: str
    ) -> tuple[RowStatus, str | None, str | None, str | None]:
        if item.get("success"):
            if operation == "upsert":
                status = RowStatus.CREATED if item.get("created") else RowStatus.UPDATED
            else:
                status = _DONE[operation]
            return status, item.get("id"), None, None
        errors = item.get("errors") or [{}]
        first = errors[0]
        message = "; ".join(
            f"{e.get('message', '')}" + (f" [{', '.join(e['fields'])}]" if e.get("fields") else "")
            for e in errors
        )
        return (
            RowStatus.FAILED,
            item.get("id"),
            first.get("statusCode") or first.get("errorCode"),
            message,
        )

    # -- Bulk API 2.0 -------------------------------------------------------------------------

    def _bulk(
        self, frame: pd.DataFrame, *, operation: str, key: str | None, clear_nulls: bool
    ) -> list[tuple[RowStatus, str | None, str | None, str | None]]:
        if operation in ("delete", "hard_delete"):
            frame = frame[["Id"]]
        cells = csv_for_bulk(frame, self.types, clear_nulls=clear_nulls)
        handler = getattr(self.sf.bulk2, self.schema.name)
        with tempfile.TemporaryDirectory(prefix="ditoolkit-bulk-") as tmp:
            path = Path(tmp) / "upload.csv"
            cells.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            kwargs: dict[str, Any] = {
                "csv_file": str(path),
                "wait": self.settings.bulk_poll_seconds,
            }
            if operation == "upsert":
                kwargs["external_id_field"] = key
            run = getattr(handler, operation)
            try:
                jobs = (
                    run(**kwargs)
                    if operation == "insert"
                    else call_with_retries(
                        lambda: run(**kwargs),
                        doing=f"bulk {operation} {self.schema.name}",
                        attempts=3,
                    )
                )
            except (SalesforceError, requests.RequestException, RemoteSystemError) as exc:
                error = exc if isinstance(exc, RemoteSystemError) else translate(exc, doing="bulk")
                message = f"bulk {operation} failed before results were known: {error.message}"
                return [(RowStatus.FAILED, None, error.code or OUTCOME_UNKNOWN, message)] * len(
                    frame
                )
        return self._join_results(handler, jobs, cells, operation)

    def _join_results(
        self, handler: Any, jobs: Sequence[dict[str, Any]], cells: pd.DataFrame, operation: str
    ) -> list[tuple[RowStatus, str | None, str | None, str | None]]:
        columns = list(cells.columns)
        waiting: dict[tuple[str, ...], deque[int]] = defaultdict(deque)
        for position, row in enumerate(cells.itertuples(index=False, name=None)):
            waiting[tuple(row)].append(position)
        out: list[Any] = [None] * len(cells)
        for job in jobs:
            job_id = job["job_id"]
            for kind in ("successful", "failed", "unprocessed"):
                text = call_with_retries(
                    lambda kind=kind, job_id=job_id: getattr(handler, f"get_{kind}_records")(
                        job_id
                    ),
                    doing=f"bulk results {self.schema.name}",
                )
                for record in csv.DictReader(io.StringIO(text)):
                    row_key = tuple(record.get(c, "") for c in columns)
                    if not waiting[row_key]:
                        continue
                    out[waiting[row_key].popleft()] = _bulk_outcome(kind, record, operation)
        missing = (
            RowStatus.FAILED,
            None,
            OUTCOME_UNKNOWN,
            "no result came back for this row; re-read to check",
        )
        return [o if o is not None else missing for o in out]


def _insert_safely(call: Any) -> Any:
    """Run an insert; only failures known to precede processing are left retriable.

    A refused connection or an HTTP 503 / lock answer means nothing was written; a connection
    lost after sending may have been applied, so it is reported, not retried (no duplicates).
    """
    try:
        return call()
    except requests.ConnectTimeout:
        raise
    except requests.ConnectionError as exc:
        if "refused" in str(exc).lower():
            raise
        raise RemoteSystemError(
            "the connection was lost after the insert was sent",
            system="salesforce",
            code=OUTCOME_UNKNOWN,
        ) from exc
    except requests.RequestException as exc:
        raise RemoteSystemError(
            "the insert timed out after it was sent", system="salesforce", code=OUTCOME_UNKNOWN
        ) from exc


def _bulk_outcome(
    kind: str, record: dict[str, str], operation: str
) -> tuple[RowStatus, str | None, str | None, str | None]:
    if kind == "successful":
        if operation == "upsert":
            created = record.get("sf__Created", "").lower() == "true"
            return (
                (RowStatus.CREATED if created else RowStatus.UPDATED),
                record.get("sf__Id"),
                None,
                None,
            )
        return _DONE[operation], record.get("sf__Id") or None, None, None
    if kind == "unprocessed":
        return (
            RowStatus.FAILED,
            None,
            "UNPROCESSED",
            "Salesforce did not process this row (job aborted or failed)",
        )
    error = record.get("sf__Error", "")
    code, _, rest = error.partition(":")
    message = rest.rsplit(":", 1)[0] if rest.count(":") else rest
    return (
        RowStatus.FAILED,
        record.get("sf__Id") or None,
        code or "ERROR",
        message.strip(" -") or error,
    )

"""The Bulk API 2.0 handlers: job creation, state changes, uploads, results.

Work runs promptly: an ingest job is processed while its ``UploadComplete`` request is
answered, a query job while it is created, so a client polling once sees ``JobComplete``.
Refusals raise :class:`Bulk2Error`, which the routes turn into Salesforce's JSON error list.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ditoolkit.sandbox.salesforce.bulk2_ingest import IngestOutcome, IngestSpec, run_ingest
from ditoolkit.sandbox.salesforce.bulk2_jobs import (
    RESULT_KINDS,
    TERMINAL_STATES,
    JobBook,
    sf_now,
)
from ditoolkit.sandbox.salesforce.bulk2_query import (
    BadPageRequest,
    QuerySpec,
    query_page,
    run_query,
)
from ditoolkit.sandbox.salesforce.bulk2_requests import (
    INGEST_OPERATIONS,
    Bulk2Error,
    check_content_type,
    common_fields,
    enum_value,
    external_id_field,
    json_body,
    json_response,
    not_found,
    query_fields,
    read_upload_body,
)
from ditoolkit.sandbox.salesforce.bulk2_results import result_text
from ditoolkit.sandbox.salesforce.soql import SoqlError
from ditoolkit.sandbox.salesforce.store import Store

log = logging.getLogger(__name__)
_OPEN_STATES = frozenset({"Open", "UploadComplete", "InProgress"})
#: A job's settings, in the order Salesforce answers them.
_JOB_KEYS = (
    "id",
    "operation",
    "object",
    "createdById",
    "createdDate",
    "systemModstamp",
    "state",
    "externalIdFieldName",
    "concurrencyMode",
    "contentType",
    "apiVersion",
    "jobType",
    "contentUrl",
    "lineEnding",
    "columnDelimiter",
)
#: A GET of a job adds its progress to its settings.
_DETAIL_KEYS = (
    *_JOB_KEYS,
    "numberRecordsProcessed",
    "numberRecordsFailed",
    "retries",
    "totalProcessingTime",
    "apiActiveProcessingTime",
    "apexProcessingTime",
    "isPkChunkingSupported",
    "errorMessage",
)
#: A create or a state change answers with the settings but ``jobType``; a query job's answer
#: has no ``externalIdFieldName`` nor ``contentUrl`` either.
_CREATE_KEYS = {
    "ingest": [key for key in _JOB_KEYS if key != "jobType"],
    "query": [
        key for key in _JOB_KEYS if key not in ("jobType", "externalIdFieldName", "contentUrl")
    ],
}


class Bulk2Api:
    """The handlers, sharing the store and the job book."""

    def __init__(
        self, store: Store, book: JobBook, *, on_rows: Callable[[str, int], None] | None = None
    ) -> None:
        self.store = store
        self.book = book
        self.on_rows = on_rows
        self._user_id: str | None = None

    def user_id(self) -> str:
        """The sandbox user's id, the ``createdById`` of every job."""
        if self._user_id is None:
            known = getattr(self.store, "user_id", None)
            if not known:
                records = self.store.query("SELECT Id FROM User LIMIT 1").records
                known = records[0]["Id"] if records else None
            self._user_id = str(known or "005000000000000AAA")
        return self._user_id

    def base_info(self, kind: str, *, version: str, fields: dict[str, Any]) -> Any:
        """A function giving a new job's full info from its id."""
        user, now = self.user_id(), sf_now()

        def build(job_id: str) -> dict[str, Any]:
            info: dict[str, Any] = {
                "id": job_id,
                "createdById": user,
                "createdDate": now,
                "systemModstamp": now,
            }
            info.update(fields)
            info.update(concurrencyMode="Parallel", contentType="CSV", apiVersion=float(version))
            if kind == "ingest":
                info["contentUrl"] = f"services/data/v{version}/jobs/ingest/{job_id}/batches"
            info.update(
                jobType="V2Ingest" if kind == "ingest" else "V2Query",
                numberRecordsProcessed=0,
                retries=0,
                totalProcessingTime=0,
            )
            if kind == "ingest":
                info.update(numberRecordsFailed=0, apiActiveProcessingTime=0, apexProcessingTime=0)
            else:
                info["isPkChunkingSupported"] = False
            return info

        return build

    # -- jobs collection -------------------------------------------------------------------

    async def create(self, request: Request, *, kind: str, version: str) -> Response:
        body = await json_body(request)
        if kind == "ingest":
            fields = self.ingest_fields(body)
            info = self.book.create(kind, self.base_info(kind, version=version, fields=fields))
            return json_response(creation_view(kind, info))
        fields = query_fields(body)
        spec = QuerySpec(
            fields["query"], fields["operation"], fields["columnDelimiter"], fields["lineEnding"]
        )
        started = time.monotonic()
        try:
            rows = await run_in_threadpool(run_query, self.store, spec)
        except SoqlError as exc:
            raise Bulk2Error(400, exc.error_code, message=exc.message) from exc
        fields["object"] = rows.object_name
        info = self.book.create(kind, self.base_info(kind, version=version, fields=fields))
        await run_in_threadpool(self.book.put_rows, info["id"], [rows.header, *rows.lines])
        view = creation_view(kind, info)
        info.update(
            state="JobComplete",
            numberRecordsProcessed=len(rows.lines),
            totalProcessingTime=int((time.monotonic() - started) * 1000),
        )
        self.book.save(info)
        view["state"] = "UploadComplete"
        return json_response(view)

    def ingest_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        """The validated settings of a new ingest job."""
        operation = enum_value(body, "operation", allowed=INGEST_OPERATIONS, required=True)
        name = body.get("object")
        if not isinstance(name, str) or not name:
            raise Bulk2Error(400, "API_ERROR", message="object is required to create an ingest job")
        target = self.store.describe(name)
        if target is None:
            raise Bulk2Error(
                400, "INVALIDENTITY", message=f"sObject type '{name}' is not supported."
            )
        fields: dict[str, Any] = {"operation": operation, "object": target.name}
        if operation == "upsert":
            fields["externalIdFieldName"] = external_id_field(target, body)
        fields.update(common_fields(body))
        fields["state"] = "Open"
        return fields

    def list_jobs(self, kind: str) -> Response:
        jobs = [detail_view(info) for info in self.book.list(kind)]
        return json_response({"done": True, "records": jobs, "nextRecordsUrl": None})

    # -- one job ---------------------------------------------------------------------------

    def job(self, kind: str, job_id: str) -> dict[str, Any]:
        info = self.book.get(kind, job_id)
        if info is None:
            raise not_found()
        return info

    async def change_state(self, request: Request, *, kind: str, job_id: str) -> Response:
        body = await json_body(request)
        info = self.job(kind, job_id)
        wanted = body.get("state")
        if wanted == "UploadComplete" and kind == "ingest":
            claimed, moved = self.book.transition(
                kind, info["id"], allowed=frozenset({"Open"}), to="UploadComplete"
            )
            refuse_unless(moved, claimed or info, verb="Closing")
            await run_in_threadpool(self.process_ingest, dict(claimed or info))
            return json_response(creation_view(kind, claimed or info))
        if wanted == "Aborted":
            claimed, moved = self.book.transition(
                kind, info["id"], allowed=_OPEN_STATES, to="Aborted"
            )
            refuse_unless(moved, claimed or info, verb="Aborting")
            return json_response(creation_view(kind, claimed or info))
        raise Bulk2Error(
            400, "INVALIDJOBSTATE", message=f"Unable to change the state of the job to {wanted!r}"
        )

    def process_ingest(self, info: dict[str, Any]) -> None:
        """Run an ingest job to its end state and keep its results."""
        started = time.monotonic()
        info["state"] = "InProgress"
        self.book.save(info)
        body = self.book.get_upload(info["id"])
        spec = IngestSpec(
            info["object"],
            info["operation"],
            info.get("externalIdFieldName"),
            info["columnDelimiter"],
            info["lineEnding"],
        )
        if body is None:
            info.update(state="Failed", errorMessage="InvalidBatch : No data was uploaded")
            self.book.save(info)
            return
        try:
            outcome = run_ingest(self.store, spec, body=body)
        except Exception as exc:  # a defect must fail the job, not leave it InProgress
            log.exception("bulk ingest job %s failed", info["id"])
            outcome = IngestOutcome("Failed", error_message=f"InternalServerError : {exc}")
        if outcome.outcomes is not None:
            self.book.put_results(info["id"], {"outcomes": outcome.outcomes})
        elapsed = int((time.monotonic() - started) * 1000)
        info.update(
            state=outcome.state,
            numberRecordsProcessed=outcome.processed,
            numberRecordsFailed=outcome.failed,
            totalProcessingTime=elapsed,
            apiActiveProcessingTime=elapsed,
        )
        if outcome.error_message:
            info["errorMessage"] = outcome.error_message
        current = self.book.get("ingest", info["id"])
        if current is not None and current["state"] != "Aborted":
            self.book.save(info)

    def delete_job(self, kind: str, job_id: str) -> Response:
        info = self.job(kind, job_id)
        if info["state"] == "Open" or info["state"] == "InProgress":
            raise Bulk2Error(
                400,
                "INVALIDJOBSTATE",
                message=f"Deleting a job in state {info['state']} is not allowed: abort it first",
            )
        self.book.delete(info["id"])
        return Response(status_code=204)

    async def upload(self, request: Request, job_id: str) -> Response:
        info = self.job("ingest", job_id)
        check_content_type(request, "text/csv")
        if info["state"] != "Open":
            raise Bulk2Error(
                400,
                "INVALIDJOBSTATE",
                message=f"Unable to upload data: job {info['id']} is in state {info['state']}, "
                "data can only be uploaded while it is Open",
            )
        body = await read_upload_body(request)
        if not body:
            raise Bulk2Error(400, "API_ERROR", message="The upload is empty: send the CSV data")
        if not self.book.put_upload(info["id"], body):
            raise Bulk2Error(
                400,
                "INVALIDJOBSTATE",
                message=f"Found multiple contents for job: <{info['id']}>, please 'Close' / 'Abort' / "
                "'Delete' the current Job then create a new Job and make sure you only do "
                "'PUT' once on a given Job.",
            )
        return Response(status_code=201)

    def ingest_results(self, job_id: str, part: str) -> Response:
        info = self.job("ingest", job_id)
        kind = next(k for k in RESULT_KINDS if k.lower() == part.lower())
        if info["state"] not in TERMINAL_STATES:
            raise Bulk2Error(
                400,
                "INVALIDJOBSTATE",
                message=f"Results are available once the job is complete; it is {info['state']}",
            )
        text = result_text(
            kind,
            upload=self.book.get_upload(info["id"]),
            delimiter=info["columnDelimiter"],
            outcomes=self.book.get_result(info["id"], "outcomes"),
        )
        return Response(text, media_type="text/csv")

    def query_results(self, request: Request, job_id: str) -> Response:
        info = self.job("query", job_id)
        if info["state"] in _OPEN_STATES:
            raise Bulk2Error(412, "JOB_NOT_COMPLETE", message="The job is not complete yet")
        if info["state"] != "JobComplete":
            raise Bulk2Error(
                400, "INVALIDJOBSTATE", message=f"The job is {info['state']}: it has no results"
            )
        try:
            page = query_page(self.book, info, params=request.query_params)
        except BadPageRequest as exc:
            raise Bulk2Error(400, exc.code, message=exc.message) from exc
        if self.on_rows is not None and page.count:
            self.on_rows(str(info["object"]), page.count)
        return Response(
            page.body,
            media_type="text/csv",
            headers={
                "Sforce-Locator": page.locator,
                "Sforce-NumberOfRecords": str(page.count),
            },
        )


def refuse_unless(moved: bool, info: dict[str, Any], *, verb: str) -> None:
    """Raise INVALIDJOBSTATE when a state change was not allowed from the job's state."""
    if not moved:
        state = "Completed" if info["state"] == "JobComplete" else info["state"]
        raise Bulk2Error(400, "INVALIDJOBSTATE", message=f"{verb} already {state} Job not allowed")


def creation_view(kind: str, info: dict[str, Any]) -> dict[str, Any]:
    """The job info as Salesforce answers a create or a state change."""
    return {key: info[key] for key in _CREATE_KEYS[kind] if key in info}


def detail_view(info: dict[str, Any]) -> dict[str, Any]:
    """The job info as Salesforce answers a GET, in Salesforce's key order."""
    ordered = {key: info[key] for key in _DETAIL_KEYS if key in info}
    ordered.update((key, value) for key, value in info.items() if key not in ordered)
    return ordered

"""Query, queryAll (with query locators), limits, the versions list and the resource map."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ditoolkit.sandbox.salesforce.columns import column_metadata
from ditoolkit.sandbox.salesforce.org import Cursor, Org
from ditoolkit.sandbox.salesforce.soql import SoqlError
from ditoolkit.sandbox.salesforce.wire import VERSIONS, api_version, sf_error, sf_json

DEFAULT_BATCH = 2000
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.I)
_RESOURCES = (
    "tooling",
    "metadata",
    "eclair",
    "folders",
    "prechatForms",
    "contentHubConnectors",
    "analytics",
    "search",
    "quickActions",
    "queryAll",
    "query",
    "sobjects",
    "limits",
    "composite",
    "jobs/ingest",
    "jobs/query",
    "recent",
    "parameterizedSearch",
)


def _batch_size(request: Request) -> int:
    found = _BATCH.search(request.headers.get("sforce-query-options", ""))
    if not found:
        return DEFAULT_BATCH
    return max(200, min(DEFAULT_BATCH, int(found.group(1))))


def _page(request: Request, org: Org, cursor: Cursor, *, locator: str, offset: int) -> Response:
    size = _batch_size(request)
    body: dict[str, object] = {"totalSize": cursor.total_size, "done": True}
    if offset + size < len(cursor.records):
        version = api_version(request)
        body["done"] = False
        body["nextRecordsUrl"] = (
            f"/services/data/v{version}/{cursor.resource}/{locator}-{offset + size}"
        )
    body["records"] = page = cursor.records[offset : offset + size]
    if page:
        org.faults.count_rows(str(page[0]["attributes"]["type"]), len(page))
    return sf_json(body)


def query_routes(org: Org) -> list[Route]:
    """``/query``, ``/queryAll`` and their ``/{locator}-{offset}`` continuations."""

    async def run(request: Request) -> Response:
        resource = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        soql = request.query_params.get("q")
        if not soql:
            return sf_error("MALFORMED_QUERY", "A query string has to be specified")
        try:
            if request.query_params.get("columns", "").lower() == "true":
                return sf_json(column_metadata(soql, org.store))
            result = org.store.query(soql, include_deleted=resource == "queryAll")
        except SoqlError as exc:
            return sf_error(exc.error_code, exc.message)
        cursor = Cursor(result.records, result.total_size, resource)
        locator = org.cursors.open(cursor) if len(result.records) > _batch_size(request) else ""
        return _page(request, org, cursor, locator=locator, offset=0)

    async def more(request: Request) -> Response:
        locator, _, offset = request.path_params["locator"].partition("-")
        cursor = org.cursors.get(locator)
        if cursor is None or not offset.isdigit():
            return sf_error("INVALID_QUERY_LOCATOR", "invalid query locator")
        return _page(request, org, cursor, locator=locator, offset=int(offset))

    base = "/services/data/v{version}"
    return [
        Route(base + "/query", run, methods=["GET"]),
        Route(base + "/queryAll", run, methods=["GET"]),
        Route(base + "/query/{locator}", more, methods=["GET"]),
        Route(base + "/queryAll/{locator}", more, methods=["GET"]),
    ]


def limits_payload(org: Org) -> dict[str, dict[str, int]]:
    """The ``/limits`` answer: the daily API allowance as counted, the rest at their maximum."""
    daily = org.faults.daily_limit
    used = org.faults.total_calls
    fixed = {
        "DailyBulkApiBatches": 15000,
        "DailyBulkV2QueryJobs": 10000,
        "DailyBulkV2QueryFileStorageMB": 976562,
        "DataStorageMB": 1024,
        "FileStorageMB": 1024,
        "ConcurrentAsyncGetReportInstances": 200,
        "DailyAsyncApexExecutions": 250000,
        "HourlyODataCallout": 10000,
        "SingleEmail": 5000,
        "MassEmail": 5000,
    }
    out = {"DailyApiRequests": {"Max": daily, "Remaining": max(0, daily - used)}}
    out.update({name: {"Max": top, "Remaining": top} for name, top in fixed.items()})
    return out


def _release(version: str) -> str:
    """The release name of an API version (``59.0`` → ``Winter '24``)."""
    back = 59 - int(float(version))
    season = ("Winter", "Spring", "Summer")[(-back) % 3]
    return f"{season} '{24 - -(-back // 3)}"


def misc_routes(org: Org) -> list[Route]:
    """The versions list, each version's resource map, and ``/limits``."""

    async def versions(request: Request) -> Response:
        return sf_json(
            [{"label": _release(v), "url": f"/services/data/v{v}", "version": v} for v in VERSIONS]
        )

    async def resources(request: Request) -> Response:
        base = f"/services/data/v{api_version(request)}"
        return sf_json({name: f"{base}/{name}" for name in _RESOURCES})

    async def limits(request: Request) -> Response:
        return sf_json(limits_payload(org))

    return [
        Route("/services/data", versions, methods=["GET"]),
        Route("/services/data/v{version}", resources, methods=["GET"]),
        Route("/services/data/v{version}/limits", limits, methods=["GET"]),
    ]

"""Bulk API 2.0 of the Salesforce sandbox: ingest and query jobs under ``/services/data/vXX.X/jobs``.

:func:`bulk2_routes` gives the routes the app mounts; authentication and API-call counting are
the app's middleware's. Jobs are kept in ``bulk2.sqlite`` (:mod:`.bulk2_jobs`), served by
:mod:`.bulk2_api`, processed by :mod:`.bulk2_ingest` and :mod:`.bulk2_query`. Paths match
without regard to case and with or without a trailing slash, for any API version; a method a
resource does not take gets 405 with Salesforce's JSON error list.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ditoolkit.sandbox.salesforce.bulk2_api import Bulk2Api, detail_view
from ditoolkit.sandbox.salesforce.bulk2_jobs import JobBook
from ditoolkit.sandbox.salesforce.bulk2_requests import Bulk2Error, error_response, json_response
from ditoolkit.sandbox.salesforce.store import Store

Handler = Callable[[Bulk2Api, Request], Any]
_VERSION = r"/services/data/v(?P<version>\d+(?:\.\d+)?)/jobs/(?P<kind>ingest|query)"
_ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]
_ID = r"/(?P<job_id>[A-Za-z0-9]{15,18})"


def bulk2_routes(
    store: Store, *, book: JobBook, on_rows: Callable[[str, int], None] | None = None
) -> list[Route]:
    """The Bulk API 2.0 routes.

    Args:
        store: the org's records.
        book: where jobs are kept (``bulk2.sqlite`` in the sandbox's data folder).
        on_rows: told ``(object, rows)`` for every query result page served.
    """
    api = Bulk2Api(store, book, on_rows=on_rows)
    return [
        _route(api, "jobs", pattern=_VERSION, handlers={"GET": _list, "POST": _create}),
        _route(
            api,
            "job",
            pattern=_VERSION + _ID,
            handlers={"GET": _get, "PATCH": _patch, "DELETE": _delete},
        ),
        _route(api, "batches", pattern=_VERSION + _ID + "/batches", handlers={"PUT": _upload}),
        _route(
            api,
            "ingest_results",
            pattern=_VERSION
            + _ID
            + r"/(?P<part>successfulResults|failedResults|unprocessedRecords)",
            handlers={"GET": _ingest_results},
        ),
        _route(
            api,
            "query_results",
            pattern=_VERSION + _ID + "/results",
            handlers={"GET": _query_results},
        ),
    ]


def _route(api: Bulk2Api, name: str, *, pattern: str, handlers: dict[str, Handler]) -> Route:
    async def endpoint(request: Request) -> Response:
        handler = handlers.get(request.method)
        if handler is None:
            allowed = ",".join(handlers)
            return error_response(
                405,
                "METHOD_NOT_ALLOWED",
                message=f"HTTP Method '{request.method}' not allowed. Allowed are {allowed}",
            )
        try:
            if inspect.iscoroutinefunction(handler):
                answer: Response = await handler(api, request)
            else:  # SQLite reads and CSV pages: keep them off the event loop
                answer = await run_in_threadpool(handler, api, request)
            return answer
        except Bulk2Error as exc:
            return error_response(exc.status, exc.code, message=exc.message)

    groups = re.findall(r"\?P<(\w+)>", pattern)
    template = "/bulk2-" + name + "".join(f"/{{{g}}}" for g in groups)
    route = Route(template, endpoint, methods=_ANY_METHOD, name=f"bulk2_{name}")
    route.path_regex = re.compile(f"^{pattern}/?$", re.IGNORECASE)
    return route


def _kind(request: Request) -> str:
    return str(request.path_params["kind"]).lower()


def _version(request: Request) -> str:
    version = str(request.path_params["version"])
    return version if "." in version else f"{version}.0"


def _job_id(request: Request) -> str:
    return str(request.path_params["job_id"])


async def _create(api: Bulk2Api, request: Request) -> Response:
    return await api.create(request, kind=_kind(request), version=_version(request))


def _list(api: Bulk2Api, request: Request) -> Response:
    return api.list_jobs(_kind(request))


def _get(api: Bulk2Api, request: Request) -> Response:
    return json_response(detail_view(api.job(_kind(request), _job_id(request))))


async def _patch(api: Bulk2Api, request: Request) -> Response:
    return await api.change_state(request, kind=_kind(request), job_id=_job_id(request))


def _delete(api: Bulk2Api, request: Request) -> Response:
    return api.delete_job(_kind(request), _job_id(request))


async def _upload(api: Bulk2Api, request: Request) -> Response:
    if _kind(request) != "ingest":
        raise Bulk2Error(404, "NOT_FOUND", message="The requested resource does not exist")
    return await api.upload(request, _job_id(request))


def _ingest_results(api: Bulk2Api, request: Request) -> Response:
    if _kind(request) != "ingest":
        raise Bulk2Error(404, "NOT_FOUND", message="The requested resource does not exist")
    return api.ingest_results(_job_id(request), str(request.path_params["part"]))


def _query_results(api: Bulk2Api, request: Request) -> Response:
    if _kind(request) != "query":
        raise Bulk2Error(404, "NOT_FOUND", message="The requested resource does not exist")
    return api.query_results(request, _job_id(request))

"""The Salesforce sandbox's ASGI app: routes plus the gate every ``/services/`` call goes through.

The gate (:class:`ApiGate`) strips trailing slashes, refuses unserved API versions, checks the
session, counts the call against the daily allowance (``Sforce-Limit-Info`` on every answer),
and plays the injected faults: latency, ``503``, ``REQUEST_LIMIT_EXCEEDED``, session expiry.
``UNABLE_TO_LOCK_ROW`` is played per record by the store (see :func:`lock_fault_hook`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ditoolkit.sandbox.faults import FaultState, admin_routes
from ditoolkit.sandbox.salesforce.org import Org
from ditoolkit.sandbox.salesforce.wire import VERSIONS, not_found, sf_error

LOCK_ROW = "UNABLE_TO_LOCK_ROW"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_VERSION = re.compile(r"^/services/data/v([^/]+)")
_ID = re.compile(r"^[a-zA-Z0-9]{3}[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$")
_NAMED = {
    "describe",
    "deleted",
    "updated",
    "sobjects",
    "query",
    "queryAll",
    "limits",
    "composite",
    "jobs",
    "ingest",
    "batches",
    "results",
    "successfulResults",
    "failedResults",
    "unprocessedRecords",
}


def endpoint_key(method: str, path: str) -> str:
    """The counter key of a call: ids, locators and external id values become placeholders."""
    parts = path.split("/")
    out = []
    for index, part in enumerate(parts):
        previous = parts[index - 1] if index else ""
        if previous in ("query", "queryAll") and index == len(parts) - 1:
            out.append("{locator}")
        elif part not in _NAMED and (_ID.match(part) and any(c.isdigit() for c in part)):
            out.append("{id}")
        elif index >= 7 and parts[4] == "sobjects":
            out.append("{value}" if index == 7 else part)
        else:
            out.append(part)
    return f"{method} {'/'.join(out)}"


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            if kind.lower() in ("bearer", "oauth"):
                return token.strip()
        if name == b"x-sfdc-session":
            return value.decode("latin-1").strip()
    return None


def _invalid_session() -> Response:
    return sf_error("INVALID_SESSION_ID", "Session expired or invalid", status=401)


class ApiGate:
    """ASGI middleware: auth, counting, limits and faults for every API call."""

    def __init__(self, app: ASGIApp, *, org: Org) -> None:
        self.app = app
        self.org = org

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/")}
            path = scope["path"]
        refusal = self._refusal(scope, path)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if not path.startswith("/services/data/v"):
            await self.app(scope, receive, send)
            return
        await self._api_call(scope, receive, send)

    def _refusal(self, scope: Scope, path: str) -> Response | None:
        if path.startswith("/__sandbox__"):
            client = scope.get("client") or ("", 0)
            if client[0] not in _LOOPBACK:
                return Response("the sandbox admin API answers loopback only", status_code=403)
            return None
        version = _VERSION.match(path)
        if version and version.group(1) not in VERSIONS:
            return not_found()
        needs_session = path.startswith(("/services/data/v", "/id/", "/services/oauth2/userinfo"))
        if needs_session:
            token = _bearer(scope)
            if token is None or not self.org.sessions.valid(token):
                return _invalid_session()
        return None

    async def _api_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.org.faults
        verdict = faults.before_call(endpoint_key(scope["method"], scope["path"]))
        header = f"api-usage={verdict.calls_today}/{faults.daily_limit}".encode()
        await faults.delay()
        answer: Response | None = None
        if verdict.session_expired:
            self.org.sessions.expire_all()
            answer = _invalid_session()
        elif verdict.limit_exceeded or verdict.error_code == "REQUEST_LIMIT_EXCEEDED":
            answer = sf_error("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", status=403)
        elif verdict.error_code == "503":
            answer = Response("Service Unavailable", status_code=503, media_type="text/plain")
        elif verdict.error_code not in (None, LOCK_ROW):
            answer = sf_error(str(verdict.error_code), "injected fault")

        async def with_limit(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"sforce-limit-info", header))
            await send(message)

        if answer is not None:
            await answer(scope, receive, with_limit)
        else:
            await self.app(scope, receive, with_limit)


def lock_fault_hook(faults: FaultState) -> Callable[[], bool]:
    """Per-record ``UNABLE_TO_LOCK_ROW`` at the rate the faults admin set for that code."""
    rng = random.Random()

    def hook() -> bool:
        rate = faults.settings.error_rate.get(LOCK_ROW, 0.0)
        return rate > 0 and rng.random() < rate

    return hook


def build_app(
    org: Org,
    *,
    routes: list[BaseRoute],
    on_reset: Callable[[bool], Awaitable[None] | None],
) -> Any:
    """The Starlette app: admin routes, ``routes``, all behind :class:`ApiGate`."""
    app = Starlette(routes=[*admin_routes(org.faults, on_reset=on_reset), *routes])
    app.router.redirect_slashes = False

    async def unknown(request: Request, exc: Exception) -> Response:
        return not_found()

    async def wrong_method(request: Request, exc: Exception) -> Response:
        return sf_error(
            "METHOD_NOT_ALLOWED",
            f"HTTP Method '{request.method}' not allowed. Allowed are GET,HEAD",
            status=405,
        )

    app.add_exception_handler(404, unknown)
    app.add_exception_handler(405, wrong_method)
    return ApiGate(app, org=org)

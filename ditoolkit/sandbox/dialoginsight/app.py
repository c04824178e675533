"""The ASGI app: ``POST /webservices/ofc4/{service}.ashx?method={Method}`` plus ``/__sandbox__/``.

Service and method names are case-insensitive, as on DI's IIS servers. Every call is counted by
endpoint (``POST contacts.Merge``) before faults are applied; an injected fault answers as DI
would: ``Throttled`` (or any other code) in the ``Success:false`` envelope, or a bare HTTP 500 /
503 page for numeric codes.
"""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ditoolkit.sandbox.dialoginsight.auth import RIGHTS, authenticate, parse_expiry
from ditoolkit.sandbox.dialoginsight.methods import METHODS, Caller
from ditoolkit.sandbox.dialoginsight.wire import CallError, envelope
from ditoolkit.sandbox.faults import admin_routes

if TYPE_CHECKING:
    from ditoolkit.sandbox.dialoginsight.service import DialogInsightSandbox

_HTML_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def _locate(request: Request) -> tuple[str, str] | None:
    """(service, method) as sent, e.g. ``("contacts", "Merge")``; service in lower case."""
    service = request.path_params["service"]
    if not service.lower().endswith(".ashx"):
        return None
    method = next((v for k, v in request.query_params.items() if k.lower() == "method"), "")
    return service[: -len(".ashx")].lower(), method


def _fault_response(code: str, method: str) -> Response:
    if code.isdigit():
        status = int(code)
        title = _HTML_ERRORS.get(status, "Server Error")
        return HTMLResponse(f"<html><body><h1>{status} - {title}</h1></body></html>", status)
    message = "too many calls; slow down and retry later" if code == "Throttled" else code
    return envelope(method, error=CallError(code, message))


async def _read_body(request: Request) -> dict[str, Any]:
    raw = (await request.body()).decode("utf-8-sig", errors="replace")
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CallError("InvalidRequest", f"the body is not valid JSON: {exc.msg}") from exc
    if not isinstance(body, dict):
        raise CallError("InvalidRequest", "the body must be a JSON object with an AuthKey")
    return body


def _api(sandbox: DialogInsightSandbox) -> Any:
    faults = sandbox.faults

    async def call(request: Request) -> Response:
        located = _locate(request)
        if located is None:
            return PlainTextResponse("404 - File or directory not found.", 404)
        service, method = located
        name, handler = METHODS.get((service, method.lower()), (None, None))
        shown = name.split(".")[1] if name else method
        verdict = faults.before_call(f"{request.method} {service}.{shown}")
        await faults.delay()
        if request.method != "POST":
            return PlainTextResponse("405 - Method Not Allowed", 405, headers={"Allow": "POST"})
        label = name or f"{service}.{method}"
        if verdict.error_code:
            return _fault_response(verdict.error_code, label)
        try:
            if verdict.limit_exceeded:
                raise CallError("Throttled", "the daily call allowance of this key is spent")
            if handler is None:
                raise CallError("UnknownMethod", f"no method {method!r} on service {service!r}")
            body = await _read_body(request)
            host = request.client.host if request.client else ""
            key = authenticate(sandbox.store, body.get("AuthKey"), client_ip=host)
            return envelope(label, handler(Caller(sandbox.store, key), body))
        except CallError as error:
            return envelope(label, error=error)

    return call


def _keys_route(sandbox: DialogInsightSandbox) -> Route:
    async def add_key(request: Request) -> Response:
        try:
            body = await request.json()
            expires = body.get("expires")
            if expires is not None:
                parse_expiry(expires)
            ips = body.get("ips")
            for net in ips or []:
                ipaddress.ip_network(net, strict=False)
            permissions = body.get("permissions")
            for rights in (permissions or {}).values():
                if not set(rights) <= set(RIGHTS):
                    raise ValueError(f"permissions are lists of {', '.join(RIGHTS)}")
        except (ValueError, TypeError, AttributeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        id_key, key = sandbox.store.add_api_key(expires=expires, ips=ips, permissions=permissions)
        return JSONResponse({"idKey": id_key, "Key": key})

    return Route("/__sandbox__/keys", add_key, methods=["POST"])


class LoopbackAdminOnly:
    """Refuse ``/__sandbox__/`` to any client that is not on this machine."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/__sandbox__/"):
            host = (scope.get("client") or ("",))[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = False
            if not loopback:
                response = JSONResponse({"error": "the admin API answers loopback only"}, 403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_app(sandbox: DialogInsightSandbox) -> ASGIApp:
    """The sandbox's ASGI application."""
    every_method = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    routes = [
        Route("/webservices/ofc4/{service:str}", _api(sandbox), methods=every_method),
        *admin_routes(sandbox.faults, on_reset=sandbox.reset),
        _keys_route(sandbox),
    ]
    return LoopbackAdminOnly(Starlette(routes=routes))

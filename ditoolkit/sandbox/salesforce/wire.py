"""Salesforce's JSON on the wire: the content type, error lists, and per-call error answers."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

JSON_TYPE = "application/json;charset=UTF-8"
#: API versions the sandbox serves; clients pick the highest.
VERSIONS = tuple(f"{v}.0" for v in range(51, 60))


def sf_json(payload: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer with Salesforce's ``Content-Type``."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status_code=status, media_type=JSON_TYPE, headers=headers)


def sf_error(
    code: str, message: str, *, status: int = 400, fields: list[str] | None = None
) -> Response:
    """A REST error: a JSON list holding one ``{"message", "errorCode"[, "fields"]}``."""
    entry: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        entry["fields"] = fields
    return sf_json([entry], status=status)


def not_found() -> Response:
    """404 ``NOT_FOUND`` with Salesforce's wording."""
    return sf_error("NOT_FOUND", "The requested resource does not exist", status=404)


def save_errors(errors: list[dict[str, Any]], *, status: int = 400) -> Response:
    """A single-record save failure: its errors with ``errorCode`` in place of ``statusCode``."""
    return sf_json(
        [
            {"message": e["message"], "errorCode": e["statusCode"], "fields": e["fields"]}
            for e in errors
        ],
        status=status,
    )


async def read_json(request: Request) -> Any:
    """The request's JSON body.

    Raises:
        BadJson: the body is not JSON (Salesforce answers ``JSON_PARSER_ERROR``).
    """
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadJson(
            f"Unexpected character ('{raw[:1].decode(errors='replace')}'): {exc.msg}"
        ) from None


class BadJson(Exception):
    """A request body that is not JSON."""

    def response(self) -> Response:
        """The 400 ``JSON_PARSER_ERROR`` answer."""
        return sf_error("JSON_PARSER_ERROR", str(self))


def api_version(request: Request) -> str:
    """The ``vXX.X`` version of the path, without the ``v``."""
    return str(request.path_params.get("version", "59.0"))

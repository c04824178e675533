"""Bulk API 2.0 requests: reading and validating what clients send, and Salesforce's error list.

A refusal raises :class:`Bulk2Error` (HTTP status, ``errorCode``, ``message``); the routes turn
it into the JSON error list Salesforce answers with.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ditoolkit.sandbox.salesforce.bulk2_csv import DELIMITERS, LINE_ENDINGS
from ditoolkit.sandbox.salesforce.store import ObjectDef

JSON_TYPE = "application/json;charset=UTF-8"
INGEST_OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
QUERY_OPERATIONS = ("query", "queryAll")
MAX_UPLOAD_BYTES = 150 * 1024 * 1024


class Bulk2Error(Exception):
    """A request Salesforce would refuse: HTTP status, ``errorCode`` and ``message``."""

    def __init__(self, status: int, code: str, *, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, *, message: str) -> Response:
    """Salesforce's JSON error list."""
    body = json.dumps([{"errorCode": code, "message": message}])
    return Response(body, status_code=status, media_type=JSON_TYPE)


def json_response(payload: Any, *, status: int = 200) -> Response:
    return Response(json.dumps(payload), status_code=status, media_type=JSON_TYPE)


def not_found() -> Bulk2Error:
    return Bulk2Error(404, "NOT_FOUND", message="The requested resource does not exist")


def enum_value(
    body: dict[str, Any], key: str, *, allowed: tuple[str, ...], required: bool = False
) -> str | None:
    """``body[key]`` if it is one of ``allowed`` (absent allowed unless ``required``)."""
    value = body.get(key)
    if value is None and not required:
        return None
    if value not in allowed:
        if value is None:
            raise Bulk2Error(400, "API_ERROR", message=f"{key} is required to create a job")
        raise Bulk2Error(
            400,
            "JSON_PARSER_ERROR",
            message=f"Cannot deserialize instance of {key} from VALUE_STRING value {value} or request "
            f"may be missing a required field; allowed values: {', '.join(allowed)}",
        )
    return str(value)


def common_fields(body: dict[str, Any]) -> dict[str, Any]:
    """``contentType``, ``columnDelimiter`` and ``lineEnding``, defaulted as Salesforce does."""
    enum_value(body, "contentType", allowed=("CSV",))
    return {
        "columnDelimiter": enum_value(body, "columnDelimiter", allowed=tuple(DELIMITERS))
        or "COMMA",
        "lineEnding": enum_value(body, "lineEnding", allowed=tuple(LINE_ENDINGS)) or "LF",
    }


def query_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The validated settings of a new query job."""
    operation = enum_value(body, "operation", allowed=QUERY_OPERATIONS, required=True)
    soql = body.get("query")
    if not isinstance(soql, str) or not soql.strip():
        raise Bulk2Error(400, "API_ERROR", message="query is required to create a query job")
    fields: dict[str, Any] = {"operation": operation, "query": soql}
    fields.update(common_fields(body))
    fields["state"] = "UploadComplete"
    return fields


def external_id_field(target: ObjectDef, body: dict[str, Any]) -> str:
    """The canonical name of an upsert job's ``externalIdFieldName``."""
    name = body.get("externalIdFieldName")
    if not isinstance(name, str) or not name:
        raise Bulk2Error(
            400, "API_ERROR", message="externalIdFieldName is required for an upsert job"
        )
    found = target.field(name)
    if found is None or not (found.external_id or found.type == "id"):
        raise Bulk2Error(
            400,
            "INVALIDJOB",
            message=f"The field {name} on {target.name} is not an external ID field or does not exist",
        )
    return str(found.name)


def check_content_type(request: Request, expected: str) -> None:
    """Refuse a request whose Content-Type is given and is not ``expected``."""
    given = request.headers.get("content-type")
    if given is not None and given.split(";")[0].strip().lower() != expected:
        raise Bulk2Error(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            message=f"Content-Type '{given}' is not supported here: send {expected}",
        )


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object body."""
    check_content_type(request, "application/json")
    raw = await request.body()
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Bulk2Error(
            400, "JSON_PARSER_ERROR", message=f"The request body is not JSON: {exc}"
        ) from exc
    if not isinstance(body, dict):
        raise Bulk2Error(400, "JSON_PARSER_ERROR", message="The request body must be a JSON object")
    return body


async def read_upload_body(request: Request) -> bytes:
    """The uploaded CSV (chunked or not), refused past Salesforce's 150 MB per upload."""
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            raise Bulk2Error(
                400,
                "API_ERROR",
                message="The upload exceeds 150 MB: split the data over several jobs",
            )
        parts.append(chunk)
    return b"".join(parts)

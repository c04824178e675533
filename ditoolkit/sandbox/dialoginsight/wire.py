"""The OFC4 response envelope and call-level failures (``dialog-insight-api.md`` §1.4, §4)."""

from __future__ import annotations

import itertools
import json
from typing import Any

from starlette.responses import Response

#: Call-level error codes this sandbox answers with.
ERROR_CODES = (
    "InvalidRequest",
    "UnknownMethod",
    "InvalidAuthKey",
    "ExpiredAuthKey",
    "IpNotAllowed",
    "PermissionDenied",
    "ProjectNotFound",
    "TableNotFound",
    "InvalidClause",
    "InvalidField",
    "TooManyRecords",
    "Throttled",
)

_request_ids = itertools.count(18_000_001)


class CallError(Exception):
    """A failure of the whole call: ``Success:false`` with ``ErrorCode`` and ``ErrorMessage``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def envelope(method: str, fields: dict[str, Any] | None = None, *, error: CallError | None = None
             ) -> Response:  # fmt: skip
    """HTTP 200 with DI's envelope around ``fields`` (or around ``error``)."""
    body: dict[str, Any] = {
        "Success": error is None,
        "ErrorCode": error.code if error else None,
        "ErrorMessage": error.message if error else None,
    }
    body.update(fields or {})
    body["idRequest"] = next(_request_ids)
    outcome = f"Error {error.code}" if error else "Success"
    body["Trace"] = f"Beginning request\r\nTargeted service: {method}\r\n{outcome}"
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        media_type="application/json; charset=utf-8",
    )


def require_int(body: dict[str, Any], name: str) -> int:
    """An integer parameter of the call (sent as a number or a string of digits)."""
    value = body.get(name)
    if isinstance(value, bool) or value is None:
        raise CallError("InvalidRequest", f"the parameter {name} is required (an integer)")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CallError("InvalidRequest", f"the parameter {name} must be an integer") from None

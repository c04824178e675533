"""Translate a failed OFC4 call (``Success:false`` or a non-2xx status) into a ditoolkit error."""

from __future__ import annotations

from typing import Any

from ditoolkit.errors import (
    AuthError,
    NotFoundError,
    RejectedError,
    RemoteSystemError,
    RetriableError,
)
from ditoolkit.systems.dialoginsight.assumptions import (
    AUTH_CODES,
    NOT_FOUND_CODES,
    RETRIABLE_CODES,
    RETRIABLE_STATUSES,
)

SYSTEM = "dialoginsight"

_HINTS = {
    AuthError: (
        "check idKey and Key, the key's expiry date, its IP allow-list and its permissions "
        "(Users → Web Services in Dialog Insight)"
    ),
    NotFoundError: "check the idProject or idTable in your profile or mapping",
    RetriableError: "the service is busy or failing; try again later or lower the batch size",
    RejectedError: "the request was refused as it stands; fix the named field or value",
}


def error_class(code: str | None, status: int | None) -> type[RemoteSystemError]:
    """The ditoolkit error class for an OFC4 ``ErrorCode`` and HTTP status."""
    if code in AUTH_CODES:
        return AuthError
    if code in NOT_FOUND_CODES:
        return NotFoundError
    if code in RETRIABLE_CODES:
        return RetriableError
    if status is not None and (status in RETRIABLE_STATUSES or status >= 500):
        return RetriableError
    if code is None and status in (401, 403):
        return AuthError
    if code is None and status == 404:
        return NotFoundError
    return RejectedError


def call_error(
    method: str,
    *,
    body: Any,
    status: int | None,
    scrub: tuple[str, ...] = (),
) -> RemoteSystemError:
    """The error for a failed call of ``method`` (``Contacts.Merge``), from its response.

    Args:
        method: the OFC4 method, named in the message.
        body: the decoded JSON body (a dict when the service answered in its envelope).
        status: the HTTP status.
        scrub: strings (secrets) that must not appear in the message.
    """
    envelope = body if isinstance(body, dict) else {}
    code = envelope.get("ErrorCode")
    code = str(code) if code not in (None, "") else None
    text = envelope.get("ErrorMessage") or (f"HTTP {status}" if status else "no answer")
    cls = error_class(code, status)
    message = f"{method} failed: {code + ': ' if code else ''}{text}"
    if status is not None and not 200 <= status < 300:
        message += f" (HTTP {status})"
    for secret in scrub:
        if secret:
            message = message.replace(secret, "***")
    error = cls(message, system=SYSTEM, code=code, status=status, hint=_HINTS[cls])
    error.method = method  # type: ignore[attr-defined]
    error.error_message = text  # type: ignore[attr-defined]
    return error


def connection_error(method: str, exc: Exception) -> RetriableError:
    """The error for a call that got no HTTP answer (refused connection, timeout, TLS)."""
    error = RetriableError(
        f"{method} failed: no answer from the service ({type(exc).__name__})",
        system=SYSTEM,
        code=None,
        status=None,
        hint="check the base URL, the network and ca_bundle; the call was retried",
    )
    error.method = method  # type: ignore[attr-defined]
    error.error_message = type(exc).__name__  # type: ignore[attr-defined]
    return error

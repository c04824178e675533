"""simple-salesforce and transport failures → the ditoolkit error family.

The one place that decides what is transient (retried), what is an authentication problem,
what is a missing object, and what is a permanent rejection.
"""

from __future__ import annotations

from typing import Any

import requests
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from ditoolkit.errors import (
    AllowanceError,
    AuthError,
    NotFoundError,
    RejectedError,
    RemoteSystemError,
    RetriableError,
)

#: Per-record or per-call codes worth retrying.
TRANSIENT_CODES = {"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "TIMEOUT", "QUERY_TIMEOUT"}
TRANSIENT_STATUSES = {500, 502, 503, 504}


def error_body(exc: SalesforceError) -> tuple[str | None, str]:
    """The first ``errorCode`` and ``message`` of a Salesforce error answer."""
    content: Any = exc.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        return first.get("errorCode") or first.get("statusCode"), str(first.get("message", ""))
    if isinstance(content, dict):
        return content.get("errorCode"), str(content.get("message", content))
    return None, str(content)[:500]


def translate(exc: BaseException, *, doing: str) -> RemoteSystemError:
    """The ditoolkit error for ``exc``, raised while ``doing`` (e.g. "query Contact")."""
    if isinstance(exc, requests.RequestException):
        return RetriableError(
            f"{doing}: connection problem ({type(exc).__name__})",
            system="salesforce",
            code="CONNECTION",
            hint="check the network; the call can be retried",
        )
    if isinstance(exc, SalesforceAuthenticationFailed):
        return AuthError(
            f"{doing}: login refused ({exc.code})", system="salesforce", code=str(exc.code)
        )
    if not isinstance(exc, SalesforceError):
        return RemoteSystemError(f"{doing}: {exc}", system="salesforce")
    code, message = error_body(exc)
    status = exc.status
    text = f"{doing}: {code or status} {message}".strip()
    if isinstance(exc, SalesforceExpiredSession):
        return AuthError(text, system="salesforce", code=code, status=status, hint="log in again")
    if code == "REQUEST_LIMIT_EXCEEDED":
        return AllowanceError(
            text,
            system="salesforce",
            code=code,
            status=status,
            hint="the org's daily API allowance is spent; resume after it resets",
        )
    if code in TRANSIENT_CODES or status in TRANSIENT_STATUSES:
        return RetriableError(text, system="salesforce", code=code, status=status)
    if isinstance(exc, SalesforceResourceNotFound):
        return NotFoundError(text, system="salesforce", code=code, status=status)
    if isinstance(exc, SalesforceRefusedRequest):
        return RejectedError(text, system="salesforce", code=code, status=status)
    return RejectedError(text, system="salesforce", code=code, status=status)


def call_with_retries(
    fn: Any, *, doing: str, attempts: int = 5, max_wait: float = 8.0, min_wait: float = 0.2
) -> Any:
    """Run ``fn()``; retry transient failures with exponential backoff, translate the rest.

    Only calls safe to repeat go through here (reads, and writes whose repetition cannot
    duplicate a record); callers decide that.
    """
    from tenacity import (
        Retrying,
        retry_if_exception_type,
        stop_after_attempt,
        wait_exponential_jitter,
    )

    def attempt() -> Any:
        try:
            return fn()
        except (SalesforceError, requests.RequestException) as exc:
            raise translate(exc, doing=doing) from exc

    retrying = Retrying(
        retry=retry_if_exception_type(RetriableError),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(multiplier=min_wait, max=max_wait, jitter=min_wait),
        reraise=True,
    )
    return retrying(attempt)

"""Logging in to Salesforce with simple-salesforce, unchanged, over a session we control.

Supported flows: username + password + security token (SOAP), OAuth password grant, OAuth
client credentials, JWT bearer, and an existing session id + instance URL. A custom login host
(a sandbox org, my-domain, or the local sandbox) is reached by routing simple-salesforce's
``https://login.salesforce.com`` requests to it, so the library itself stays unmodified.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError

from ditoolkit.errors import AuthError, ConfigError
from ditoolkit.secrets import Secret, reveal
from ditoolkit.systems.http import BoundedAdapter, mebibytes

AUTH_FLOWS = ("password", "oauth_password", "client_credentials", "jwt", "session")
#: simple-salesforce builds login URLs as ``https://{domain}.salesforce.com``; a custom login
#: host gets this placeholder domain, and the session routes the placeholder to the real host.
_PLACEHOLDER_DOMAIN = "ditoolkit-login"
_PLACEHOLDER_HOST = f"https://{_PLACEHOLDER_DOMAIN}.salesforce.com"


#: (connect, read) seconds; simple-salesforce sets no timeout, so a dead connection would hang.
DEFAULT_TIMEOUT = (10.0, 300.0)
#: The largest JSON or XML answer read (REST pages hold at most 2,000 records).
DEFAULT_MAX_RESPONSE_MB = 64.0
#: The largest Bulk 2.0 result page read (CSV; its size follows the reader's ``bulk_page_rows``).
DEFAULT_MAX_CSV_RESPONSE_MB = 1024.0


class _LoginHostAdapter(BoundedAdapter):
    """Sends requests meant for the placeholder login host to the configured one."""

    def __init__(self, login_url: str, **limits: Any) -> None:
        super().__init__(**limits)
        self.login_url = login_url.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if request.url and request.url.startswith(_PLACEHOLDER_HOST):
            request.url = self.login_url + request.url[len(_PLACEHOLDER_HOST) :]
        return super().send(request, **kwargs)


def build_session(
    *,
    ca_bundle: str | None = None,
    login_url: str | None = None,
    timeout: float | tuple[float, float] | None = None,
    max_response_mb: float | None = None,
    max_csv_response_mb: float | None = None,
) -> requests.Session:
    """A session that trusts ``ca_bundle`` even when ``REQUESTS_CA_BUNDLE`` is exported.

    Every request gets a timeout and every answer a size bound (see
    :class:`~ditoolkit.systems.http.BoundedAdapter`).

    Args:
        timeout: seconds, or (connect, read) seconds, for every request (default
            :data:`DEFAULT_TIMEOUT`).
        max_response_mb: the largest JSON/XML answer read (default
            :data:`DEFAULT_MAX_RESPONSE_MB`).
        max_csv_response_mb: the largest Bulk 2.0 CSV result page read (default
            :data:`DEFAULT_MAX_CSV_RESPONSE_MB`).
    """
    limits = DEFAULT_TIMEOUT if timeout is None else timeout
    pair = (float(limits), float(limits)) if isinstance(limits, (int, float)) else limits
    csv_mb = DEFAULT_MAX_CSV_RESPONSE_MB if max_csv_response_mb is None else max_csv_response_mb
    bounds: dict[str, Any] = {
        "system": "salesforce",
        "timeout": pair,
        "max_bytes": mebibytes(max_response_mb or DEFAULT_MAX_RESPONSE_MB),
        "max_bytes_by_type": {"text/csv": mebibytes(csv_mb)},
    }
    session = requests.Session()
    session.mount("https://", BoundedAdapter(**bounds))
    if ca_bundle:
        session.verify = ca_bundle
        session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides verify
    if login_url and _domain(login_url) == _PLACEHOLDER_DOMAIN:
        session.mount(_PLACEHOLDER_HOST, _LoginHostAdapter(login_url, **bounds))
    return session


def _domain(login_url: str | None) -> str:
    """simple-salesforce's ``domain`` for a login URL (``login``, ``test``, ``acme.my``...)."""
    if not login_url:
        return "login"
    host = urlparse(login_url).hostname or ""
    if host.endswith(".salesforce.com") and urlparse(login_url).port in (None, 443):
        return host[: -len(".salesforce.com")]
    return _PLACEHOLDER_DOMAIN


def _pick_flow(settings: dict[str, Any]) -> str:
    flow = settings.get("auth")
    if flow:
        if flow not in AUTH_FLOWS:
            raise ConfigError(
                f"salesforce: unknown auth flow {flow!r}",
                hint=f"use one of {', '.join(AUTH_FLOWS)}",
            )
        return str(flow)
    if settings.get("session_id"):
        return "session"
    if settings.get("username") and settings.get("password") and settings.get("consumer_key"):
        return "oauth_password"
    if settings.get("username") and settings.get("password"):
        return "password"
    if settings.get("username") and settings.get("private_key_file"):
        return "jwt"
    if settings.get("consumer_key") and settings.get("consumer_secret"):
        return "client_credentials"
    raise ConfigError(
        "salesforce: no complete set of credentials was given",
        hint="give username + password (+ security_token), or consumer_key + consumer_secret, "
        "or session_id + instance_url",
    )


def _flow_arguments(flow: str, s: dict[str, Any]) -> dict[str, Any]:
    if flow == "session":
        return {"session_id": reveal(s["session_id"]), "instance_url": s.get("instance_url")}
    if flow == "password":
        return {
            "username": s["username"],
            "password": reveal(s["password"]),
            "security_token": reveal(s.get("security_token")) or "",
        }
    if flow == "oauth_password":
        return {
            "username": s["username"],
            "password": (reveal(s["password"]) or "") + (reveal(s.get("security_token")) or ""),
            "consumer_key": reveal(s["consumer_key"]),
            "consumer_secret": reveal(s.get("consumer_secret")),
        }
    if flow == "jwt":
        return {
            "username": s["username"],
            "consumer_key": reveal(s["consumer_key"]),
            "privatekey_file": s["private_key_file"],
        }
    return {
        "consumer_key": reveal(s["consumer_key"]),
        "consumer_secret": reveal(s["consumer_secret"]),
    }


def login(**settings: Any) -> Salesforce:
    """Log in and return a simple-salesforce client.

    Args:
        **settings: ``auth`` (one of :data:`AUTH_FLOWS`, else guessed), ``username``,
            ``password``, ``security_token``, ``consumer_key``, ``consumer_secret``,
            ``private_key_file``, ``session_id``, ``instance_url``, ``login_url``,
            ``api_version``, ``ca_bundle``, ``timeout`` (seconds or (connect, read)),
            ``max_response_mb`` and ``max_csv_response_mb`` (answer size bounds).
            Secrets may be :class:`Secret` or ``str``.

    Raises:
        AuthError: the credentials were refused (the message never shows them).
        ConfigError: the settings are incomplete.
    """
    flow = _pick_flow(settings)
    login_url = settings.get("login_url") or settings.get("instance_url")
    session = build_session(
        ca_bundle=settings.get("ca_bundle"),
        login_url=login_url,
        timeout=settings.get("timeout"),
        max_response_mb=settings.get("max_response_mb"),
        max_csv_response_mb=settings.get("max_csv_response_mb"),
    )
    kwargs = _flow_arguments(flow, settings)
    if flow != "session":
        kwargs["domain"] = _domain(login_url)
    try:
        return Salesforce(
            session=session, version=str(settings.get("api_version") or "59.0"), **kwargs
        )
    except SalesforceAuthenticationFailed as exc:
        raise AuthError(
            f"login refused ({exc.code}): {exc.message}",
            system="salesforce",
            code=str(exc.code),
            status=401,
            hint="check the username, password and security token of the profile",
        ) from None
    except (SalesforceError, requests.RequestException) as exc:
        raise AuthError(
            f"login failed: {type(exc).__name__}",
            system="salesforce",
            hint=f"check that {login_url or 'login.salesforce.com'} is reachable and trusted",
        ) from exc


__all__ = ["AUTH_FLOWS", "Secret", "build_session", "login"]

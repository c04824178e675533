"""Logging in: SOAP ``login``, the OAuth token endpoint, and the identity/userinfo resources.

Answers follow what simple-salesforce, jsforce and the Salesforce CLI read
(``docs/sandbox.md``): unprefixed ``<sessionId>``/``<serverUrl>`` under a default namespace, the
``INVALID_LOGIN`` SOAP fault (HTTP 500), OAuth errors as ``{"error", "error_description"}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
import time
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ditoolkit.sandbox.salesforce.jwt_bearer import GRANT_TYPE
from ditoolkit.sandbox.salesforce.org import Org
from ditoolkit.sandbox.salesforce.wire import VERSIONS, sf_json

_XML = "text/xml;charset=UTF-8"
_FAULT = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:sf="urn:fault.partner.soap.sforce.com" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>'
    "<faultcode>{code}</faultcode><faultstring>{code}: {message}</faultstring><detail>"
    '<sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>{code}</sf:exceptionCode>'
    "<sf:exceptionMessage>{message}</sf:exceptionMessage></sf:LoginFault></detail>"
    "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
)
_INVALID_LOGIN = "Invalid username, password, security token; or user locked out."


def _element(body: str, name: str) -> str | None:
    found = re.search(rf"<(?:[\w.-]+:)?{name}(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?{name}>", body, re.S)
    return html.unescape(found.group(1)) if found else None


def _user_info(org: Org, base: str) -> str:
    ident = org.identity
    fields: list[tuple[str, str | None]] = [
        ("accessibilityMode", "false"),
        ("chatterExternal", "false"),
        ("currencySymbol", "$"),
        ("orgAttachmentFileSizeLimit", "5242880"),
        ("orgDefaultCurrencyIsoCode", "USD"),
        ("orgDefaultCurrencyLocale", "en_US"),
        ("orgDisallowHtmlAttachments", "false"),
        ("orgHasPersonAccounts", "false"),
        ("organizationId", ident.org_id),
        ("organizationMultiCurrency", "false"),
        ("organizationName", "ditoolkit Sandbox"),
        ("profileId", "00e5g000000AbCdAAK"),
        ("roleId", None),
        ("sessionSecondsValid", "7200"),
        ("userDefaultCurrencyIsoCode", None),
        ("userEmail", ident.username),
        ("userFullName", ident.full_name),
        ("userId", ident.user_id),
        ("userLanguage", "en_US"),
        ("userLocale", "en_US"),
        ("userName", ident.username),
        ("userTimeZone", "America/Toronto"),
        ("userType", "Standard"),
        ("userUiSkin", "Theme3"),
    ]
    return "".join(
        f'<{k} xsi:nil="true"/>' if v is None else f"<{k}>{html.escape(v)}</{k}>" for k, v in fields
    )


def _login_response(org: Org, base: str, version: str, token: str) -> str:
    org15 = org.identity.org15
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="urn:partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse>'
        f"<result><metadataServerUrl>{base}/services/Soap/m/{version}/{org15}"
        "</metadataServerUrl><passwordExpired>false</passwordExpired><sandbox>true</sandbox>"
        f"<serverUrl>{base}/services/Soap/u/{version}/{org15}</serverUrl>"
        f"<sessionId>{token}</sessionId><userId>{org.identity.user_id}</userId>"
        f"<userInfo>{_user_info(org, base)}</userInfo></result>"
        "</loginResponse></soapenv:Body></soapenv:Envelope>"
    )


def _password_ok(org: Org, username: str | None, password: str | None) -> bool:
    creds = org.credentials
    expected = creds.password + creds.security_token
    return (
        username is not None
        and password is not None
        and username.lower() == creds.username.lower()
        and hmac.compare_digest(password.encode(), expected.encode())
    )


def soap_login_route(org: Org) -> Route:
    """``POST /services/Soap/u/{version}``: the partner API's ``login`` call."""

    async def login(request: Request) -> Response:
        body = (await request.body()).decode("utf-8", errors="replace")
        version = request.path_params["version"]
        if _element(body, "login") is None:
            fault = _FAULT.format(code="INVALID_OPERATION", message="Unsupported SOAP operation")
            return Response(fault, status_code=500, media_type=_XML)
        if not _password_ok(org, _element(body, "username"), _element(body, "password")):
            fault = _FAULT.format(code="INVALID_LOGIN", message=_INVALID_LOGIN)
            return Response(fault, status_code=500, media_type=_XML)
        answer = _login_response(org, Org.base_url(request), version, org.sessions.issue())
        return Response(answer, media_type=_XML)

    return Route("/services/Soap/u/{version}", login, methods=["POST"])


def _oauth_error(error: str, description: str, *, status: int = 400) -> Response:
    return sf_json({"error": error, "error_description": description}, status=status)


def _client(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            key, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return key, secret
        except (ValueError, UnicodeDecodeError):
            return None, None
    return form.get("client_id"), form.get("client_secret")


def _token_answer(org: Org, base: str) -> Response:
    token = org.sessions.issue()
    issued = str(int(time.time() * 1000))
    identity_url = f"{base}/id/{org.identity.org_id}/{org.identity.user_id}"
    signed = hmac.new(
        org.credentials.consumer_secret.encode(), (identity_url + issued).encode(), hashlib.sha256
    )
    return sf_json(
        {
            "access_token": token,
            "instance_url": base,
            "id": identity_url,
            "token_type": "Bearer",
            "issued_at": issued,
            "scope": "api",
            "signature": base64.b64encode(signed.digest()).decode(),
        }
    )


def _jwt_grant(org: Org, form: dict[str, str], base: str) -> Response:
    if org.jwt is None:
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    problem = org.jwt.check(
        form.get("assertion", ""),
        consumer_key=org.credentials.consumer_key,
        username=org.credentials.username,
    )
    if problem is not None:
        return _oauth_error(*problem)
    return _token_answer(org, base)


def oauth_token_route(org: Org) -> Route:
    """``POST /services/oauth2/token``: password, client-credentials and JWT bearer grants."""

    async def token(request: Request) -> Response:
        raw = (await request.body()).decode("utf-8", errors="replace")
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        grant = form.get("grant_type")
        if grant == GRANT_TYPE:
            return _jwt_grant(org, form, Org.base_url(request))
        if grant not in ("password", "client_credentials"):
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        key, secret = _client(request, form)
        creds = org.credentials
        if key != creds.consumer_key:
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if secret is None or not hmac.compare_digest(secret, creds.consumer_secret):
            return _oauth_error("invalid_client", "invalid client credentials")
        if grant == "password" and not _password_ok(
            org, form.get("username"), form.get("password")
        ):
            return _oauth_error("invalid_grant", "authentication failure")
        return _token_answer(org, Org.base_url(request))

    return Route("/services/oauth2/token", token, methods=["POST"])


def identity_payload(org: Org, base: str) -> dict[str, Any]:
    """The identity of the logged-in user, with the OpenID fields ``userinfo`` adds."""
    ident = org.identity
    version = VERSIONS[-1]
    urls = {
        "enterprise": f"{base}/services/Soap/c/{{version}}/{ident.org15}",
        "partner": f"{base}/services/Soap/u/{{version}}/{ident.org15}",
        "rest": f"{base}/services/data/v{{version}}/",
        "sobjects": f"{base}/services/data/v{{version}}/sobjects/",
        "query": f"{base}/services/data/v{{version}}/query/",
        "limits": f"{base}/services/data/v{{version}}/limits/",
        "profile": f"{base}/{ident.user_id}",
    }
    return {
        "id": f"{base}/id/{ident.org_id}/{ident.user_id}",
        "sub": f"{base}/id/{ident.org_id}/{ident.user_id}",
        "user_id": ident.user_id,
        "organization_id": ident.org_id,
        "username": ident.username,
        "preferred_username": ident.username,
        "nickname": "sanalyst",
        "nick_name": "sanalyst",
        "name": ident.full_name,
        "display_name": ident.full_name,
        "given_name": "Sandbox",
        "family_name": "Analyst",
        "email": ident.username,
        "email_verified": True,
        "active": True,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "zoneinfo": "America/Toronto",
        "utcOffset": -18000000,
        "asserted_user": True,
        "is_app_installed": True,
        "photos": {},
        "addr_country": "CA",
        "urls": {k: v.replace("{version}", version) for k, v in urls.items()},
    }


def identity_routes(org: Org) -> list[Route]:
    """``GET /services/oauth2/userinfo`` and ``GET /id/{org}/{user}`` (both need a session)."""

    async def userinfo(request: Request) -> Response:
        return sf_json(identity_payload(org, Org.base_url(request)))

    return [
        Route("/services/oauth2/userinfo", userinfo, methods=["GET", "POST"]),
        Route("/id/{org_id}/{user_id}", userinfo, methods=["GET", "POST"]),
    ]

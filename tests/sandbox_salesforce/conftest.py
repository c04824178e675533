"""Fixtures for the Salesforce sandbox tests: an isolated sandbox, simple-salesforce, raw HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from ditoolkit.sandbox.admin import SandboxAdmin
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox

VERSION = "59.0"

#: The admin API client the tests of this folder type their ``admin`` fixture with.
Admin = SandboxAdmin


def https_session(info: dict[str, Any]) -> requests.Session:
    """A requests session that trusts only the sandbox's CA (and ignores CA variables)."""
    session = requests.Session()
    session.verify = info["ca_bundle"]
    session.trust_env = False
    return session


def oauth_login(info: dict[str, Any]) -> tuple[requests.Session, str]:
    """A session trusting the sandbox's CA and an access token from the OAuth password flow."""
    http = https_session(info)
    answer = http.post(
        f"{info['instance_url']}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": info["consumer_key"],
            "client_secret": info["consumer_secret"],
            "username": info["username"],
            "password": info["password"] + info["security_token"],
        },
        timeout=30,
    )
    answer.raise_for_status()
    return http, str(answer.json()["access_token"])


def login(info: dict[str, Any], session: requests.Session | None = None) -> Salesforce:
    """simple-salesforce, unmodified, logged in through SOAP with password + security token."""
    host = info["instance_url"].split("://", 1)[1]
    return Salesforce(
        username=info["username"],
        password=info["password"],
        security_token=info["security_token"],
        domain=f"{host}/services/Soap/u/{VERSION}?d=",
        session=session or https_session(info),
    )


@pytest.fixture(scope="session")
def sf_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A sandbox of our own (empty seed), so that resets here disturb no other test file."""
    with start_sandbox(tmp_path_factory.mktemp("sf-sandbox"), seed="empty") as running:
        yield running


@pytest.fixture(scope="session")
def sf_info(sf_org: SandboxProcess) -> dict[str, Any]:
    """The ``salesforce`` section of sandbox.json."""
    return sf_org.salesforce


@pytest.fixture
def admin(sf_info: dict[str, Any]) -> Iterator[Admin]:
    """The admin API, with records and faults reset before the test and faults after it."""
    helper = SandboxAdmin.of(sf_info)
    helper.reset(data=True)
    yield helper
    helper.reset(data=False)


@pytest.fixture
def sf(sf_info: dict[str, Any], admin: Admin) -> Salesforce:
    """A logged-in simple-salesforce on a freshly reset org."""
    return login(sf_info)


@pytest.fixture
def api(sf: Salesforce, sf_info: dict[str, Any]) -> Rest:
    """Raw REST calls with the same session as ``sf`` (for what simple-salesforce lacks)."""
    return Rest(sf_info, sf.session_id)


class Rest:
    """Plain ``requests`` against ``/services/data/v59.0``."""

    def __init__(self, info: dict[str, Any], token: str) -> None:
        self.root = info["instance_url"]
        self.base = f"{self.root}/services/data/v{VERSION}"
        self.http = https_session(info)
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        return self.http.request(method, url, **kw)

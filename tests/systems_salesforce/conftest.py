"""Fixtures: a Salesforce adapter connected to a sandbox of its own, over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from ditoolkit.systems.salesforce import SalesforceSystem


@pytest.fixture(scope="module")
def sf_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A sandbox per test module (empty seed), so modules cannot disturb each other."""
    with start_sandbox(tmp_path_factory.mktemp("sf"), seed="empty") as running:
        yield running


@pytest.fixture
def sf_info(sf_sandbox: SandboxProcess) -> dict[str, Any]:
    return sf_sandbox.salesforce


class Admin:
    """The sandbox's ``/__sandbox__/`` API."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.base = info["instance_url"].rstrip("/") + "/__sandbox__"
        self.http = requests.Session()
        self.http.verify = info["ca_bundle"]
        self.http.trust_env = False

    def faults(self, **settings: Any) -> None:
        self.http.post(f"{self.base}/faults", json=settings, timeout=10).raise_for_status()

    def reset(self, *, data: bool = True) -> None:
        self.http.post(f"{self.base}/reset", json={"data": data}, timeout=30).raise_for_status()

    def calls(self) -> int:
        return int(self.http.get(f"{self.base}/counters", timeout=10).json()["total"])


@pytest.fixture
def admin(sf_info: dict[str, Any]) -> Iterator[Admin]:
    admin = Admin(sf_info)
    admin.reset()
    yield admin
    admin.faults(latency_ms=0, error_rate={}, session_expiry_after=None, daily_limit=None)


def connect(info: dict[str, Any], **extra: Any) -> SalesforceSystem:
    return SalesforceSystem.connect(
        username=info["username"],
        password=info["password"],
        security_token=info["security_token"],
        login_url=info["login_url"],
        ca_bundle=info["ca_bundle"],
        api_version=info["api_version"],
        **extra,
    )


@pytest.fixture(name="connect")
def connect_fixture() -> Any:
    """The function logging in with a sandbox.json section."""
    return connect


@pytest.fixture
def sf(sf_info: dict[str, Any], admin: Admin) -> SalesforceSystem:
    return connect(sf_info, write_settings=None)

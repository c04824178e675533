"""Fixtures: a Salesforce adapter connected to a sandbox of its own, over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ditoolkit.sandbox.admin import SandboxAdmin
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


@pytest.fixture
def admin(sf_info: dict[str, Any]) -> Iterator[SandboxAdmin]:
    admin = SandboxAdmin.of(sf_info)
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
def sf(sf_info: dict[str, Any], admin: SandboxAdmin) -> SalesforceSystem:
    return connect(sf_info, write_settings=None)

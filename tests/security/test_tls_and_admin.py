"""TLS verification is never turned off, and the sandboxes' admin API answers loopback only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from starlette.testclient import TestClient

from ditoolkit.errors import DitoolkitError
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from ditoolkit.systems.dialoginsight import DialogInsightSystem
from ditoolkit.systems.salesforce import SalesforceSystem

PACKAGE = Path(__file__).resolve().parents[2] / "ditoolkit"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
DISABLING = [
    re.compile(r"verify\s*=\s*False"),
    re.compile(r"\.verify\s*=\s*False"),
    re.compile(r"CERT_NONE"),
    re.compile(r"check_hostname\s*=\s*False"),
    re.compile(r"disable_warnings"),
    re.compile(r"_create_unverified_context"),
    re.compile(r"PYTHONHTTPSVERIFY"),
    re.compile(r"CURL_CA_BUNDLE\s*[\]=]"),
]


def test_no_code_turns_tls_verification_off() -> None:
    sources = [*PACKAGE.rglob("*.py"), *NOTEBOOKS.rglob("*.py"), *NOTEBOOKS.rglob("*.ipynb")]
    assert len(sources) > 50
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if any(pattern.search(line) for pattern in DISABLING)
    ]
    assert found == []


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    with start_sandbox(tmp_path_factory.mktemp("tls-sandbox"), seed="empty") as running:
        yield running


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A CA that did not sign the sandbox's certificate."""
    path = tmp_path_factory.mktemp("other-ca") / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)


@pytest.mark.parametrize("which", ["other CA", "system CAs"])
def test_salesforce_refuses_a_server_its_ca_did_not_sign(
    sandbox: SandboxProcess, other_ca: str, which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    info = sandbox.salesforce
    with pytest.raises(DitoolkitError) as error:
        SalesforceSystem.connect(
            username=info["username"],
            password=info["password"],
            security_token=info["security_token"],
            login_url=info["login_url"],
            ca_bundle=other_ca if which == "other CA" else None,
            api_version=info["api_version"],
        )
    text = str(error.value).lower()
    assert "certificate" in text or "ssl" in text or "tls" in text, str(error.value)
    assert error.value.hint


@pytest.mark.parametrize("which", ["other CA", "system CAs"])
def test_dialoginsight_refuses_a_server_its_ca_did_not_sign(
    sandbox: SandboxProcess, other_ca: str, which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    settings = dict(sandbox.dialoginsight) | {
        "ca_bundle": other_ca if which == "other CA" else None
    }
    system = DialogInsightSystem.from_settings(settings, default_project=1001, attempts=1)
    try:
        with pytest.raises(DitoolkitError) as error:
            system.read("Contact", project=1001)
    finally:
        system.close()
    text = str(error.value).lower()
    assert "certificate" in text or "ssl" in text or "tls" in text, str(error.value)
    assert error.value.hint


def _apps(tmp_path: Path) -> dict[str, object]:
    from ditoolkit.sandbox import dialoginsight, salesforce

    return {
        "salesforce": salesforce.build_service(tmp_path / "sf", seed="empty"),
        "dialoginsight": dialoginsight.build_service(tmp_path / "di", seed="empty"),
    }


ADMIN = [
    ("GET", "/__sandbox__/counters", None),
    ("GET", "/__sandbox__/faults", None),
    ("POST", "/__sandbox__/faults", {"error_rate": {"Throttled": 1.0}}),
    ("POST", "/__sandbox__/reset", {"data": True}),
]


@pytest.mark.parametrize("client", [("10.1.2.3", 5000), ("192.168.1.20", 443), ("8.8.8.8", 1)])
def test_admin_api_refuses_non_loopback_clients(tmp_path: Path, client: tuple[str, int]) -> None:
    for name, service in _apps(tmp_path).items():
        app = service.app  # type: ignore[attr-defined]
        with TestClient(app, client=client) as remote:
            for method, path, body in ADMIN:
                answer = remote.request(method, path, json=body)
                assert answer.status_code == 403, (name, method, path, answer.text)
            if name == "dialoginsight":
                answer = remote.post("/__sandbox__/keys", json={})
                assert answer.status_code == 403
        with TestClient(app, client=("127.0.0.1", 5000)) as local:
            assert local.get("/__sandbox__/faults").json()["error_rate"] == {}, name
        getattr(service, "close", lambda: None)()

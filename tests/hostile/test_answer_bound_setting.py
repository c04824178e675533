"""The answer-size bound a profile or the environment sets reaches both clients' transport."""

from __future__ import annotations

import pytest

from ditoolkit.api import connect_dialoginsight, connect_salesforce
from ditoolkit.errors import RejectedError
from ditoolkit.sandbox.process import SandboxProcess
from ditoolkit.systems.http import TOO_LARGE

#: A few hundred bytes: smaller than any answer of the sandboxes.
TINY_MB = "0.0002"


@pytest.fixture
def on_sandbox(sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch) -> SandboxProcess:
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(sandbox.data_dir))
    for name in ("SF_MAX_RESPONSE_MB", "SF_MAX_CSV_RESPONSE_MB", "DI_MAX_RESPONSE_MB"):
        monkeypatch.delenv(f"DITOOLKIT_{name}", raising=False)
    return sandbox


def test_dialog_insight_bound_from_the_environment(
    on_sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert connect_dialoginsight(profile="sandbox").projects()["idProject"].tolist()
    monkeypatch.setenv("DITOOLKIT_DI_MAX_RESPONSE_MB", TINY_MB)
    tight = connect_dialoginsight(profile="sandbox")
    with pytest.raises(RejectedError) as info:
        tight.projects()
    assert info.value.code == TOO_LARGE and "Projects.List" in str(info.value)


def test_salesforce_bound_from_the_environment(
    on_sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "Email" in connect_salesforce(profile="sandbox").describe("Contact").names
    monkeypatch.setenv("DITOOLKIT_SF_MAX_RESPONSE_MB", TINY_MB)
    with pytest.raises(RejectedError) as info:
        connect_salesforce(profile="sandbox").describe("Contact")  # the login answer is past it
    assert info.value.code == TOO_LARGE and info.value.system == "salesforce"

"""A sandbox's admin API and secrets, for the workflow tests."""

from __future__ import annotations

from ditoolkit.sandbox.admin import SandboxAdmin
from ditoolkit.sandbox.process import SandboxProcess


def counters(sandbox: SandboxProcess) -> dict[str, dict[str, int]]:
    """Both sandboxes' API call counters by endpoint."""
    sections = {"salesforce": sandbox.salesforce, "dialoginsight": sandbox.dialoginsight}
    return {
        system: dict(SandboxAdmin.of(section).counters()["by_endpoint"])
        for system, section in sections.items()
    }


def secrets_of(sandbox: SandboxProcess) -> dict[str, str]:
    """Every secret sandbox.json holds."""
    sf, di = sandbox.salesforce, sandbox.dialoginsight
    return {
        "password": sf["password"],
        "security_token": sf["security_token"],
        "consumer_secret": sf["consumer_secret"],
        "Key": di["Key"],
    }

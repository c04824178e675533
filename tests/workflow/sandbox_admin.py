"""A sandbox's admin API and secrets, for the workflow tests."""

from __future__ import annotations

from typing import Any

import requests

from ditoolkit.sandbox.process import SandboxProcess


def admin_get(sandbox: SandboxProcess, system: str, path: str) -> Any:
    """GET ``/__sandbox__/<path>`` of one sandbox (``salesforce`` or ``dialoginsight``)."""
    info = sandbox.salesforce if system == "salesforce" else sandbox.dialoginsight
    base = info.get("instance_url") or info["base_url"].split("/webservices")[0]
    answer = requests.get(f"{base}/__sandbox__/{path}", verify=info["ca_bundle"], timeout=10)
    answer.raise_for_status()
    return answer.json()


def counters(sandbox: SandboxProcess) -> dict[str, dict[str, int]]:
    """Both sandboxes' API call counters by endpoint."""
    return {
        system: dict(admin_get(sandbox, system, "counters")["by_endpoint"])
        for system in ("salesforce", "dialoginsight")
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

"""Notebook runs against a demo sandbox started for these tests, each notebook run once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ditoolkit.sandbox.process import SandboxProcess, start_sandbox

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
DEMO_MAPPING = REPO / "mappings" / "demo.yml"


@pytest.fixture(scope="module")
def notebook_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A demo-seeded sandbox of its own, with the environment the kernels inherit."""
    folder = tmp_path_factory.mktemp("nb-sandbox")
    with start_sandbox(folder, seed="demo") as running, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DITOOLKIT_SANDBOX_DIR", str(running.data_dir))
        patch.setenv("DITOOLKIT_HOME", str(tmp_path_factory.mktemp("nb-home")))
        patch.delenv("DITOOLKIT_CONFIG", raising=False)
        yield running


def secrets_of(sandbox: SandboxProcess) -> list[str]:
    """Every secret of the sandbox's ``sandbox.json``."""
    sf, di = sandbox.salesforce, sandbox.dialoginsight
    return [
        str(v)
        for v in (sf["password"], sf["security_token"], sf["consumer_secret"], di["Key"])
        if v
    ]


def environment() -> dict[str, str]:
    """The current environment (the kernels' and subprocesses')."""
    return dict(os.environ)

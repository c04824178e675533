"""Fixtures of the reliability matrix: one sandbox per test process, reset for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_rig import MAPPING, NO_FAULTS, Rig, admins

from ditoolkit.sandbox.process import SandboxProcess, start_sandbox


@pytest.fixture(scope="session")
def reliability_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """Both sandboxes (empty seed) shared by the tests of one process."""
    with start_sandbox(tmp_path_factory.mktemp("reliability-sandbox"), seed="empty") as running:
        yield running


@pytest.fixture
def rig(
    reliability_sandbox: SandboxProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Rig]:
    """Wiped records, no faults, a fresh ``$DITOOLKIT_HOME`` and the two-direction mapping."""
    sf_admin, di_admin = admins(reliability_sandbox.info)
    found = Rig(
        data_dir=reliability_sandbox.data_dir,
        home=tmp_path / "home",
        sf_admin=sf_admin,
        di_admin=di_admin,
        mapping=tmp_path / "both_ways.yml",
    )
    found.mapping.write_text(MAPPING, encoding="utf-8")
    for admin in (sf_admin, di_admin):
        admin.reset()
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(reliability_sandbox.data_dir))
    monkeypatch.setenv("DITOOLKIT_HOME", str(found.home))
    yield found
    found.faults(**NO_FAULTS)

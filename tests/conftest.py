"""Shared fixtures: sandboxes started as real processes, reached over real HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ditoolkit.sandbox.process import SandboxProcess, start_sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """Both sandboxes with the empty seed, shared by a test session (reset state per test)."""
    with start_sandbox(tmp_path_factory.mktemp("sandbox"), seed="empty") as running:
        yield running


@pytest.fixture(scope="session")
def demo_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """Both sandboxes with the demo seed (read-only use: do not write to it in tests)."""
    with start_sandbox(tmp_path_factory.mktemp("demo-sandbox"), seed="demo") as running:
        yield running


@pytest.fixture
def data_dir() -> Path:
    """The folder of test data files."""
    return Path(__file__).parent / "data"

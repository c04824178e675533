"""Fixtures of the workflow tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_mapping() -> Path:
    """The repository's demo mapping."""
    return ROOT / "mappings" / "demo.yml"

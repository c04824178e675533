"""Panels against the demo sandbox, reached through the ``sandbox`` profile over HTTPS."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ditoolkit.sandbox.process import SandboxProcess
from ditoolkit.ui.survey import ConnectionCheck, connect_both

REPO = Path(__file__).resolve().parents[2]
DEMO_MAPPING = REPO / "mappings" / "demo.yml"


@pytest.fixture(scope="module")
def demo_env(demo_sandbox: SandboxProcess) -> Iterator[SandboxProcess]:
    """``DITOOLKIT_SANDBOX_DIR`` pointing at the demo sandbox for the module's tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DITOOLKIT_SANDBOX_DIR", str(demo_sandbox.data_dir))
        patch.delenv("DITOOLKIT_CONFIG", raising=False)
        yield demo_sandbox


@pytest.fixture(scope="module")
def demo_connections(demo_env: SandboxProcess) -> ConnectionCheck:
    """Both adapters, connected with the ``sandbox`` profile."""
    found = connect_both("sandbox")
    found.raise_for_errors()
    return found


def sandbox_secrets(sandbox: SandboxProcess) -> list[str]:
    """Every secret value of the sandbox's ``sandbox.json``."""
    sf, di = sandbox.salesforce, sandbox.dialoginsight
    values = [sf["password"], sf["security_token"], sf["consumer_secret"], di["Key"]]
    return [str(v) for v in values if v]


def widget_texts(widget: Any) -> list[str]:
    """Every text a widget tree shows (values, descriptions, options, titles), unescaped."""
    texts: list[str] = []
    for name in ("value", "description", "tooltip", "placeholder"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            texts.append(html.unescape(value))
    texts.extend(str(o) for o in getattr(widget, "options", ()) or ())
    texts.extend(str(t) for t in getattr(widget, "titles", ()) or ())
    for child in getattr(widget, "children", ()) or ():
        texts.extend(widget_texts(child))
    return texts

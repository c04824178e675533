"""Fixtures: a Dialog Insight adapter connected to a sandbox of its own, over HTTPS.

``di_system`` is the fixture the shared adapter contract suite reuses: a connected
:class:`DialogInsightSystem` on a freshly reset sandbox (empty seed), default project 1001,
with the ``Purchases`` table's key declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ditoolkit.sandbox.admin import SandboxAdmin
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from ditoolkit.systems.dialoginsight import DialogInsightSystem

#: The relational table of the default world, with the key the API cannot tell us.
PURCHASES = {"idTable": 2001, "code": "Purchases", "idProject": 1001, "key": "idPurchase"}


@pytest.fixture(scope="module")
def di_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A sandbox per test module (empty seed), so modules cannot disturb each other."""
    with start_sandbox(tmp_path_factory.mktemp("di"), seed="empty") as running:
        yield running
        running.stop(timeout=3)  # the sandbox can linger on SIGTERM after serving a failure


@pytest.fixture
def di_info(di_sandbox: SandboxProcess) -> dict[str, Any]:
    """The sandbox.json ``dialoginsight`` section."""
    return di_sandbox.dialoginsight


#: The sandbox's admin API (faults, counters, reset, keys).
Admin = SandboxAdmin


def calls_by_method(admin: SandboxAdmin) -> dict[str, int]:
    """The sandbox's call counters keyed ``service.method`` in lower case (``contacts.get``)."""
    counted = admin.counters()["by_endpoint"]
    return {k.split(" ", 1)[-1].lower(): int(v) for k, v in counted.items()}


@pytest.fixture
def di_admin(di_info: dict[str, Any]) -> Iterator[Admin]:
    """The admin API, with data wiped before the test and faults cleared after it."""
    admin = SandboxAdmin.of(di_info)
    admin.reset(data=True)
    yield admin
    admin.faults(latency_ms=0, error_rate={})
    admin.http.close()


@pytest.fixture
def di_system_factory(
    di_info: dict[str, Any], di_admin: Admin
) -> Iterator[Callable[..., DialogInsightSystem]]:
    """Build connected systems on the (reset) sandbox; keywords override the settings."""
    made: list[DialogInsightSystem] = []

    def make(**overrides: Any) -> DialogInsightSystem:
        options: dict[str, Any] = {
            "tables": [PURCHASES],
            "default_project": 1001,
            "retry_wait": 0.01,
            "retry_max_wait": 0.05,
        }
        options.update(overrides)
        system = DialogInsightSystem.from_settings(di_info, **options)
        made.append(system)
        return system

    yield make
    for system in made:
        system.close()


@pytest.fixture
def di_system(di_system_factory: Callable[..., DialogInsightSystem]) -> DialogInsightSystem:
    """A connected DialogInsightSystem on a freshly reset sandbox (default project 1001)."""
    return di_system_factory()

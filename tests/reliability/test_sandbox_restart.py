"""The sandbox process stopped (SIGTERM) and started again on the same data dir and ports while
``apply`` runs: the run rides through with retries or stops resumable; then it is checked."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_rig import MAPPING, Rig, admins, check_synced, seed

ROWS = 1_000  # per direction


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FixedPortSandbox:
    """``python -m ditoolkit sandbox start`` on fixed ports, stoppable and restartable."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.ports = (_free_port(), _free_port())
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 60) -> dict[str, object]:
        info = self.data_dir / "sandbox.json"
        info.unlink(missing_ok=True)
        sf_port, di_port = self.ports
        command = [sys.executable, "-m", "ditoolkit", "sandbox", "start"]
        command += ["--data-dir", str(self.data_dir), "--seed", "empty"]
        command += ["--sf-port", str(sf_port), "--di-port", str(di_port)]
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "sandbox.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not info.exists():
            assert self.process.poll() is None, (self.data_dir / "sandbox.log").read_text()
            assert time.monotonic() < deadline, "the sandbox did not start"
            time.sleep(0.05)
        found: dict[str, object] = json.loads(info.read_text())
        return found

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


@pytest.fixture
def restartable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Rig, FixedPortSandbox]]:
    sandbox = FixedPortSandbox(tmp_path / "sandbox")
    info = sandbox.start()
    sf_admin, di_admin = admins(info)
    rig = Rig(sandbox.data_dir, tmp_path / "home", sf_admin, di_admin, tmp_path / "both.yml")
    rig.mapping.write_text(MAPPING, encoding="utf-8")
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(sandbox.data_dir))
    monkeypatch.setenv("DITOOLKIT_HOME", str(rig.home))
    try:
        yield rig, sandbox
    finally:
        sandbox.stop()


def test_sandbox_restarted_twice_mid_run(restartable: tuple[Rig, FixedPortSandbox]) -> None:
    rig, sandbox = restartable
    seed(contacts=ROWS, leads=ROWS)
    rig.faults(latency_ms=20)  # in memory: gone after the first restart
    child = rig.popen("apply", str(rig.mapping), "--profile", "sandbox")
    restarts = 0
    for mark in (ROWS // 2, ROWS + ROWS // 2):  # during each direction's writes
        while rig.journal().states().get("done", 0) < mark and child.poll() is None:
            time.sleep(0.01)
        if child.poll() is not None:
            break
        sandbox.stop()
        sandbox.start()
        restarts += 1
    _, err = child.communicate(timeout=300)
    rig.log.append(f"apply during restarts: exit {child.returncode}: {err[-1500:]}")
    assert restarts == 2, "\n".join(rig.log)
    assert child.returncode in (0, 1, 2), "\n".join(rig.log)  # ends by itself, never crashes
    rig.apply_until_done(attempts=3)
    check_synced(rig, contacts=ROWS, leads=ROWS)

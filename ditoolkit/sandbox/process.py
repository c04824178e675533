"""Start the sandboxes as a child process and wait until they answer (tests, demo, notebooks)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ditoolkit.errors import ConfigError


@dataclass
class SandboxProcess:
    """A running ``python -m ditoolkit sandbox start`` and its ``sandbox.json``."""

    data_dir: Path
    process: subprocess.Popen[bytes]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def salesforce(self) -> dict[str, Any]:
        return dict(self.info["salesforce"])

    @property
    def dialoginsight(self) -> dict[str, Any]:
        return dict(self.info["dialoginsight"])

    def stop(self, *, timeout: float = 15) -> None:
        """SIGTERM, then SIGKILL if it does not stop within ``timeout`` seconds."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox(
    data_dir: str | Path,
    *,
    seed: str = "demo",
    timeout: float = 60,
    log_path: str | Path | None = None,
) -> SandboxProcess:
    """Start both sandboxes on free loopback ports and return once ``sandbox.json`` exists.

    Raises:
        ConfigError: the sandbox exited or did not come up within ``timeout`` seconds; the
            message carries the end of its log.
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    info_path = data_dir / "sandbox.json"
    info_path.unlink(missing_ok=True)
    log_file = Path(log_path) if log_path else data_dir / "sandbox.log"
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ditoolkit",
                "sandbox",
                "start",
                "--data-dir",
                str(data_dir),
                "--seed",
                seed,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ),
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if info_path.exists():
            return SandboxProcess(data_dir, process, json.loads(info_path.read_text()))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    SandboxProcess(data_dir, process).stop()
    tail = log_file.read_text(errors="replace")[-3000:]
    raise ConfigError(
        f"the sandbox in {data_dir} did not start within {timeout:.0f} s; its log ends:\n{tail}",
        hint=f"read {log_file} for the whole log",
    )

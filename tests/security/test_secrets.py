"""Secrets never leave memory: not in output, logs, run files, local state, or error messages.

The plan and apply commands run as child processes with logging at DEBUG against a sandbox of
this module; afterwards stdout, stderr, every file under ``--out`` and every file under
``$DITOOLKIT_HOME`` (the journal and state SQLite files read as bytes) are scanned for the
password, security token, consumer secret, the DI Key and every session id the sandbox issued.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ditoolkit.errors import AuthError, DitoolkitError
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from ditoolkit.systems.dialoginsight import DialogInsightSystem
from ditoolkit.systems.salesforce import SalesforceSystem

ROOT = Path(__file__).resolve().parents[2]
DEBUG_MAIN = (
    "import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
    "from ditoolkit.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    with start_sandbox(tmp_path_factory.mktemp("secrets-sandbox"), seed="demo") as running:
        yield running


def secrets_of(sandbox: SandboxProcess) -> dict[str, str]:
    sf, di = sandbox.salesforce, sandbox.dialoginsight
    found = {
        "password": sf["password"],
        "security_token": sf["security_token"],
        "consumer_secret": sf["consumer_secret"],
        "di_key": di["Key"],
    }
    sessions = sandbox.data_dir / "salesforce" / "sessions.sqlite3"
    with sqlite3.connect(sessions) as db:
        for (token,) in db.execute("SELECT token FROM sessions"):
            found[f"session {token[:8]}"] = token
    return found


def _leaks(sandbox: SandboxProcess, texts: dict[str, bytes]) -> list[str]:
    secrets = secrets_of(sandbox)
    return [
        f"{name} in {where}"
        for where, data in texts.items()
        for name, secret in secrets.items()
        if secret.encode() in data
    ]


def _files(*folders: Path) -> dict[str, bytes]:
    return {
        str(path): path.read_bytes()
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file()
    }


@dataclass
class Run:
    process: subprocess.CompletedProcess[bytes]
    out: Path
    home: Path


def _run(sandbox: SandboxProcess, tmp: Path, *args: str) -> Run:
    home, out = tmp / "home", tmp / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DITOOLKIT_")}
    env |= {"DITOOLKIT_SANDBOX_DIR": str(sandbox.data_dir), "DITOOLKIT_HOME": str(home)}
    process = subprocess.run(
        [sys.executable, "-c", DEBUG_MAIN, *args, "--profile", "sandbox", "--out", str(out)],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    return Run(process, out, home)


@pytest.fixture(scope="module")
def plan_run(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run(sandbox, tmp_path_factory.mktemp("plan"), "plan", "mappings/demo.yml")


@pytest.fixture(scope="module")
def apply_run(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run(
        sandbox,
        tmp_path_factory.mktemp("apply"),
        "apply",
        "mappings/demo.yml",
        "--transfer",
        "contacts_to_di",
    )


def test_plan_at_debug_leaks_no_secret(plan_run: Run, sandbox: SandboxProcess) -> None:
    assert plan_run.process.returncode in (0, 1), plan_run.process.stderr.decode()[-2000:]
    assert b"DEBUG" in plan_run.process.stderr, "logging at DEBUG did not reach stderr"
    texts = {"stdout": plan_run.process.stdout, "stderr": plan_run.process.stderr}
    texts |= _files(plan_run.out, plan_run.home) if plan_run.home.exists() else _files(plan_run.out)
    assert len(secrets_of(sandbox)) > 4, "no session was issued"
    assert _leaks(sandbox, texts) == []


def test_apply_at_debug_leaks_no_secret_in_journal_or_state(
    apply_run: Run, sandbox: SandboxProcess
) -> None:
    assert apply_run.process.returncode in (0, 1), apply_run.process.stderr.decode()[-2000:]
    home = _files(apply_run.home)
    assert any(name.endswith((".sqlite", ".sqlite3", ".db")) for name in home), sorted(home)
    texts = {"stdout": apply_run.process.stdout, "stderr": apply_run.process.stderr}
    texts |= _files(apply_run.out) | home
    assert _leaks(sandbox, texts) == []


def _connect_sf(sandbox: SandboxProcess, **changes: str) -> SalesforceSystem:
    info = sandbox.salesforce
    settings = {
        "username": info["username"],
        "password": info["password"],
        "security_token": info["security_token"],
        "login_url": info["login_url"],
        "ca_bundle": info["ca_bundle"],
        "api_version": info["api_version"],
    } | changes
    return SalesforceSystem.connect(**settings)


def _all_text(error: BaseException) -> str:
    return "\n".join(
        [str(error), repr(error), "".join(traceback.format_exception(error)), str(vars(error))]
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"password": "wrong-password-1"},
        {"security_token": "wrong-token-1"},
        {"username": "nobody@example.com"},
    ],
)
def test_failed_login_error_shows_no_secret(
    sandbox: SandboxProcess, changes: dict[str, str]
) -> None:
    with pytest.raises(AuthError) as info:
        _connect_sf(sandbox, **changes)
    text = _all_text(info.value)
    secrets = secrets_of(sandbox) | {f"given {k}": v for k, v in changes.items() if k != "username"}
    assert [name for name, value in secrets.items() if value in text] == []
    assert info.value.hint


def test_failed_oauth_login_shows_no_consumer_secret(sandbox: SandboxProcess) -> None:
    info = sandbox.salesforce
    with pytest.raises(DitoolkitError) as error:
        _connect_sf(
            sandbox,
            auth="oauth_password",
            consumer_key=info["consumer_key"],
            consumer_secret="not-the-consumer-secret",
        )
    text = _all_text(error.value)
    assert "not-the-consumer-secret" not in text
    assert [n for n, v in secrets_of(sandbox).items() if v in text] == []


def test_failed_di_calls_show_no_key(sandbox: SandboxProcess) -> None:
    wrong = dict(sandbox.dialoginsight) | {"Key": "wrong-di-key-0123456789"}
    system = DialogInsightSystem.from_settings(wrong, default_project=1001, attempts=1)
    try:
        with pytest.raises(DitoolkitError) as info:
            system.read("Contact", project=1001)
        assert repr(system).count("wrong-di-key") == 0
    finally:
        system.close()
    text = _all_text(info.value)
    assert "wrong-di-key-0123456789" not in text
    assert [n for n, v in secrets_of(sandbox).items() if v in text] == []


def test_failed_di_call_with_a_good_key_shows_no_key(sandbox: SandboxProcess) -> None:
    system = DialogInsightSystem.from_settings(sandbox.dialoginsight, default_project=1001)
    try:
        with pytest.raises(DitoolkitError) as info:
            system.read("Contact", project=999_999)
        assert sandbox.dialoginsight["Key"] not in repr(system) + str(vars(system))
    finally:
        system.close()
    assert sandbox.dialoginsight["Key"] not in _all_text(info.value)


def test_sessions_stay_in_memory(sandbox: SandboxProcess, tmp_path: Path) -> None:
    """Connecting and reading writes no session id anywhere under the working folders."""
    system = _connect_sf(sandbox)
    system.read("Contact", columns=["Id"], where={"LastName": "nobody"})
    token = str(system.sf.session_id)
    assert token in secrets_of(sandbox).values()
    assert token not in repr(system)
    for folder in (tmp_path, ROOT / ".ditoolkit"):
        if folder.exists():
            assert all(token.encode() not in data for data in _files(folder).values())

"""The demo leaves none of its sandboxes' secrets in anything it writes or prints.

The demo runs once for the module (``python -m ditoolkit demo --out DIR`` through the CLI's
``main``, in a child process). Its data folder (sandbox data, ``$DITOOLKIT_HOME`` with the
journal) is removed when the demo ends, so the child appends one last step to the demo's own
:data:`~ditoolkit.workflow.demo.STEPS` that copies that folder aside; the demo's behaviour is
otherwise the one users get. The secrets are read from the copy: the sandbox.json fields that
are secrets, the Dialog Insight API keys and the Salesforce session tokens the sandboxes issued,
and a line of each private key. Every file is then scanned as bytes: the out folder (executed
notebooks, HTML, CSVs, summary and plan files, logs), the data folder (journal SQLite files,
sandbox logs and stores), whatever the run left in its temporary folder and working directory,
notebooks written during the run, and the run's captured stdout and stderr. Only the sandbox's
own credential files are skipped (sandbox.json, credentials.json, private keys, the session
store); the Dialog Insight store is scanned after its ``api_keys`` rows are removed.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MIN_SECRET = 12  # every secret is longer; shorter strings could match by chance

#: The child's driver: the demo's own steps, plus a copy of its data folder before removal.
DRIVER = """\
import shutil
import sys
from pathlib import Path

from ditoolkit.cli import main
from ditoolkit.workflow import demo

snapshot = Path(sys.argv[2])


def keep_data_folder(ctx):
    shutil.copytree(ctx.work, snapshot)
    return "data folder copied"


demo.STEPS.append(demo.Step("copy the data folder before it is removed", keep_data_folder))
sys.exit(main(["demo", "--out", sys.argv[1]]))
"""

#: The sandbox's own credential and key files (relative to the data folder's ``sandbox``).
CREDENTIAL_FILES = {
    "sandbox.json",
    "server.key",
    "salesforce/credentials.json",
    "salesforce/jwt_private_key.pem",
    "salesforce/sessions.sqlite3",
    "salesforce/sessions.sqlite3-wal",
    "salesforce/sessions.sqlite3-shm",
}
DI_STORE = "dialoginsight/dialoginsight.sqlite"


@dataclass(frozen=True)
class DemoRun:
    """What the demo left, where, and what it printed."""

    returncode: int
    stdout: bytes
    stderr: bytes
    out: Path
    data: Path
    scratch: Path
    temp: Path
    cwd: Path
    started: float

    @property
    def sandbox_dir(self) -> Path:
        return self.data / "sandbox"


@dataclass(frozen=True)
class Leak:
    """A secret (by name, never by value) found in a file or stream."""

    where: str
    secret: str


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    base = tmp_path_factory.mktemp("demo-secrets")
    temp, cwd, scratch = base / "tmp", base / "cwd", base / "scratch"
    for folder in (temp, cwd, scratch):
        folder.mkdir()
    driver = base / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DITOOLKIT_")}
    env |= {"TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
    out, data = base / "runs" / "demo", base / "data"
    started = time.time()
    process = subprocess.run(
        [sys.executable, str(driver), str(out), str(data)],
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=400,
    )
    return DemoRun(
        returncode=process.returncode,
        stdout=process.stdout,
        stderr=process.stderr,
        out=out,
        data=data,
        scratch=scratch,
        temp=temp,
        cwd=cwd,
        started=started,
    )


@pytest.fixture(scope="module")
def secrets(demo_run: DemoRun) -> dict[str, str]:
    """Every secret the demo's sandboxes held, by name."""
    assert demo_run.returncode == 0, (demo_run.stdout[-3000:] + demo_run.stderr[-3000:]).decode(
        errors="replace"
    )
    return secrets_in(demo_run.sandbox_dir, scratch=demo_run.scratch)


def secrets_in(sandbox_dir: Path, *, scratch: Path) -> dict[str, str]:
    """The secrets of the sandbox data folder ``sandbox_dir`` (see the module)."""
    info = json.loads((sandbox_dir / "sandbox.json").read_text(encoding="utf-8"))
    sf, di = info["salesforce"], info["dialoginsight"]
    found = {
        "salesforce password": sf["password"],
        "salesforce security_token": sf["security_token"],
        "salesforce consumer_secret": sf["consumer_secret"],
        "dialoginsight Key": di["Key"],
    }
    sessions = _rows(sandbox_dir / "salesforce" / "sessions.sqlite3", "SELECT token FROM sessions")
    found |= {f"salesforce session {n}": token for n, token in enumerate(sessions, 1)}
    keys = _rows(_db_copy(sandbox_dir / DI_STORE, scratch / "keys"), "SELECT key FROM api_keys")
    found |= {f"dialoginsight API key {n}": key for n, key in enumerate(keys, 1)}
    for name in ("server.key", "salesforce/jwt_private_key.pem"):
        found[f"private key {name}"] = _pem_line(sandbox_dir / name)
    short = [name for name, value in found.items() if len(value) < MIN_SECRET]
    assert not short, f"secrets too short to scan for: {short}"
    first_names = {value: name for name, value in reversed(found.items())}
    return {name: value for value, name in first_names.items()}  # one name per secret


def _rows(db: Path, query: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [str(row[0]) for row in conn.execute(query)]


def _db_copy(db: Path, folder: Path) -> Path:
    """A copy of SQLite file ``db`` with its WAL files, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for part in db.parent.glob(db.name + "*"):
        shutil.copy2(part, folder / part.name)
    return folder / db.name


def _pem_line(path: Path) -> str:
    """The first base64 line of a PEM file's body."""
    lines = path.read_text(encoding="ascii").splitlines()
    return next(line for line in lines if line and not line.startswith("-----"))


def scan(data: bytes, secrets: Mapping[str, str], *, where: str) -> list[Leak]:
    """Every secret found in ``data``."""
    return [Leak(where, name) for name, value in secrets.items() if value.encode() in data]


def scan_files(files: Iterable[Path], secrets: Mapping[str, str]) -> list[Leak]:
    """Every secret found in the bytes of ``files`` (files gone meanwhile are skipped)."""
    leaks: list[Leak] = []
    for path in files:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            continue
        leaks += scan(data, secrets, where=str(path))
    return leaks


def _files(root: Path) -> Iterator[Path]:
    return (p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink())


def data_files(run: DemoRun) -> list[Path]:
    """The data folder's files, the credential files left out, the DI store cleaned."""
    skipped = {run.sandbox_dir / name for name in CREDENTIAL_FILES}
    store = run.sandbox_dir / DI_STORE
    kept = [p for p in _files(run.data) if p not in skipped and not p.name.startswith(store.name)]
    return [*kept, *_without_api_keys(store, run.scratch / "store")]


def _without_api_keys(db: Path, folder: Path) -> list[Path]:
    """The files of a copy of the DI store whose ``api_keys`` rows are gone (vacuumed)."""
    copy = _db_copy(db, folder)
    conn = sqlite3.connect(copy)
    try:
        conn.execute("DELETE FROM api_keys")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
    finally:
        conn.close()
    return sorted(folder.glob(db.name + "*"))


def written_during_run(folder: Path, run: DemoRun) -> list[Path]:
    """Files under ``folder`` modified since the run started."""
    return [p for p in _files(folder) if p.stat().st_mtime >= run.started - 1]


def every_file(run: DemoRun) -> list[Path]:
    """Everything the run left that the scan covers (see the module)."""
    return [
        *_files(run.out),
        *data_files(run),
        *_files(run.temp),
        *_files(run.cwd),
        *written_during_run(ROOT / "notebooks", run),
    ]


@pytest.mark.slow
def test_the_demo_ran_and_its_secrets_are_known(demo_run: DemoRun, secrets: dict[str, str]) -> None:
    assert {"salesforce password", "dialoginsight Key"} <= set(secrets)
    assert any(name.startswith("salesforce session") for name in secrets)  # notebooks logged in
    assert not list(demo_run.temp.glob("ditoolkit-demo-*"))  # the demo removed its data folder
    assert (demo_run.data / "home").is_dir() and (demo_run.sandbox_dir / "sandbox.json").is_file()


@pytest.mark.slow
def test_no_file_the_demo_leaves_holds_a_secret(demo_run: DemoRun, secrets: dict[str, str]) -> None:
    files = every_file(demo_run)
    suffixes = {p.suffix for p in files}
    assert {".ipynb", ".html", ".csv", ".json", ".log"} <= suffixes  # the scan is not empty
    assert any(p.name.startswith("journal.sqlite") for p in files)
    assert any(p.name == "sandbox.log" for p in files)
    leaks = scan_files(files, secrets)
    assert leaks == [], "\n".join(f"{leak.secret} in {leak.where}" for leak in leaks)


@pytest.mark.slow
def test_the_demo_prints_no_secret(demo_run: DemoRun, secrets: dict[str, str]) -> None:
    assert b"sandboxes stopped" in demo_run.stdout
    leaks = scan(demo_run.stdout, secrets, where="stdout") + scan(
        demo_run.stderr, secrets, where="stderr"
    )
    assert leaks == [], "\n".join(f"{leak.secret} in {leak.where}" for leak in leaks)


@pytest.mark.slow
def test_the_scan_finds_a_secret_planted_in_a_copy(
    demo_run: DemoRun, secrets: dict[str, str], tmp_path: Path
) -> None:
    notebook = next(demo_run.out.glob("04_sync_*.ipynb"))
    planted = tmp_path / notebook.name
    text = notebook.read_text(encoding="utf-8")
    planted.write_text(text, encoding="utf-8")
    assert scan_files([planted], secrets) == []
    name, value = "salesforce security_token", secrets["salesforce security_token"]
    planted.write_text(text.replace("}", f', "x": "{value}"}}', 1), encoding="utf-8")
    assert scan_files([planted], secrets) == [Leak(str(planted), name)]

    journal = next(p for p in _files(demo_run.data / "home") if p.name == "journal.sqlite")
    copy = _db_copy(journal, tmp_path / "journal")
    with sqlite3.connect(copy) as conn:
        conn.execute("CREATE TABLE planted (value TEXT)")
        conn.execute("INSERT INTO planted VALUES (?)", (secrets["dialoginsight Key"],))
    leaks = scan_files(sorted(copy.parent.glob(copy.name + "*")), secrets)
    assert {leak.secret for leak in leaks} == {"dialoginsight Key"}

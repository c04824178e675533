"""Fixtures of the hostile-input suites: a project folder with a CSV-fed mapping, CLI runs in
process, and the sandboxes' write counters to prove that nothing was written."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from ditoolkit.cli import main
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox

#: A transfer fed by a CSV file into DI project 1002 (as the demo's trade-show load).
CSV_MAPPING = """\
version: 1
project: 1002
transfers:
  - name: hostile_csv_to_di
    direction: sf_to_di
    csv: {{path: {path}, delimiter: "{delimiter}", encoding: auto}}
    dialoginsight: {{table: Contact}}
    key: {{csv: Courriel, dialoginsight: f_EMail, transform: [trim, lower]}}
    fields:
      - {{csv: Prenom, dialoginsight: f_FirstName}}
      - {{csv: Nom, dialoginsight: f_LastName}}
    operations: [insert, update]
    nulls: leave
"""

#: Cells that spreadsheets would run as formulas.
FORMULAS = (
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3",
    "=1+1",
    "\t=1+1",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def dangerous_cells(path: Path) -> list[tuple[int, str]]:
    """(line, cell) of every cell of a CSV file that a spreadsheet would run as a formula."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (number, cell)
            for number, row in enumerate(csv.reader(handle), start=1)
            for cell in row
            if cell.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(cell)
        ]


def sandbox_base(info: dict[str, Any]) -> str:
    """The sandbox's origin (``https://127.0.0.1:port``)."""
    return str(info.get("instance_url") or info["base_url"].split("/webservices")[0])


def counters(sandbox: SandboxProcess) -> dict[str, dict[str, int]]:
    """Both sandboxes' API call counters by endpoint."""
    out = {}
    for system, info in (
        ("salesforce", sandbox.salesforce),
        ("dialoginsight", sandbox.dialoginsight),
    ):
        answer = requests.get(
            f"{sandbox_base(info)}/__sandbox__/counters", verify=info["ca_bundle"], timeout=10
        )
        answer.raise_for_status()
        out[system] = dict(answer.json()["by_endpoint"])
    return out


def write_calls(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]
) -> dict[str, int]:
    """Calls to write endpoints (anything but Salesforce GETs and DI Get/List) between two
    counter readings."""
    made: dict[str, int] = {}
    for system in after:
        for endpoint, count in after[system].items():
            reads = endpoint.startswith("GET ") or endpoint.endswith((".Get", ".List"))
            delta = count - before.get(system, {}).get(endpoint, 0)
            if delta and not reads:
                made[f"{system} {endpoint}"] = delta
    return made


@dataclass
class CliRun:
    """One in-process run of ``python -m ditoolkit``."""

    code: int
    stdout: str
    stderr: str


@dataclass
class Project:
    """A project folder holding a mapping whose CSV side is ``data/input.csv``."""

    root: Path
    sandbox: SandboxProcess
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    @property
    def csv(self) -> Path:
        return self.root / "data" / "input.csv"

    def mapping(self, *, delimiter: str = ",") -> Path:
        path = self.root / "mapping.yml"
        path.write_text(
            CSV_MAPPING.format(path="data/input.csv", delimiter=delimiter), encoding="utf-8"
        )
        return path

    def run(self, *args: str) -> CliRun:
        self.capsys.readouterr()
        code = main(list(args))
        captured = self.capsys.readouterr()
        return CliRun(code, captured.out, captured.err)


@pytest.fixture(scope="package")
def hostile_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """Both sandboxes with the demo seed, for the hostile suites only (a bug could write)."""
    with start_sandbox(tmp_path_factory.mktemp("hostile-sandbox"), seed="demo") as running:
        yield running


@pytest.fixture
def project(
    tmp_path: Path,
    hostile_sandbox: SandboxProcess,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Project]:
    """A fresh project folder, the working directory, talking to the demo sandboxes."""
    (tmp_path / "data").mkdir()
    for name in [n for n in os.environ if n.startswith("DITOOLKIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(hostile_sandbox.data_dir))
    monkeypatch.setenv("DITOOLKIT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    yield Project(tmp_path, hostile_sandbox, monkeypatch, capsys)

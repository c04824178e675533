"""``python -m ditoolkit plan`` against the demo sandboxes, over real HTTPS.

Expected counts are computed from what the sandboxes hold (read back through the adapters and
the CSV file itself), never written down.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from sandbox_admin import counters, secrets_of

from ditoolkit.cli import main
from ditoolkit.core.summary import ERROR_FILE_COLUMNS, PLAN_FILE_COLUMNS, RESULT_FILE_COLUMNS
from ditoolkit.sandbox.process import SandboxProcess
from ditoolkit.workflow.connections import Connections

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "mappings" / "demo.yml"
TRANSFERS = ("acquisition_to_leads", "contacts_to_di", "tradeshow_csv_to_di")


@dataclass
class PlanOutcome:
    """One run of the plan command as a child process."""

    process: subprocess.CompletedProcess[str]
    out: Path
    calls_before: dict[str, dict[str, int]]
    calls_after: dict[str, dict[str, int]]


def env_for(sandbox: SandboxProcess, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DITOOLKIT_")}
    return env | {"DITOOLKIT_SANDBOX_DIR": str(sandbox.data_dir)} | extra


def run_plan(sandbox: SandboxProcess, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ditoolkit", "plan", *args],
        capture_output=True,
        text=True,
        env=env_for(sandbox, **env),
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def planned(demo_sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> PlanOutcome:
    out = tmp_path_factory.mktemp("plan-out")
    before = counters(demo_sandbox)
    process = run_plan(demo_sandbox, str(MAPPING), "--profile", "sandbox", "--out", str(out))
    return PlanOutcome(process, out, before, counters(demo_sandbox))


def delta(outcome: PlanOutcome, system: str) -> dict[str, int]:
    before, after = outcome.calls_before[system], outcome.calls_after[system]
    return {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}


def test_plan_exits_zero_and_writes_every_file(planned: PlanOutcome) -> None:
    assert planned.process.returncode == 0, planned.process.stderr
    for folder in (planned.out, *(planned.out / name for name in TRANSFERS)):
        for name, columns in (
            ("plan.csv", PLAN_FILE_COLUMNS),
            ("results.csv", RESULT_FILE_COLUMNS),
            ("errors.csv", ERROR_FILE_COLUMNS),
        ):
            assert list(pd.read_csv(folder / name, nrows=0).columns) == columns
        assert json.loads((folder / "summary.json").read_text())["dry_run"] is True
    for name in TRANSFERS:
        assert (planned.out / name / "report.html").read_text().startswith("<!DOCTYPE html>")
        assert name in planned.process.stdout
    total = json.loads((planned.out / "summary.json").read_text())
    parts = [json.loads((planned.out / n / "summary.json").read_text()) for n in TRANSFERS]
    assert total["transfer"] is None and total["command"] == "plan"
    assert total["counts"] == {k: sum(p["counts"][k] for p in parts) for k in total["counts"]}


def test_plan_writes_nothing_to_either_system(planned: PlanOutcome) -> None:
    sf, di = delta(planned, "salesforce"), delta(planned, "dialoginsight")
    assert sf and di, "the plan read both systems"
    assert all(endpoint.startswith("GET ") for endpoint in sf), sf
    assert all(endpoint.endswith((".Get", ".List")) for endpoint in di), di
    total = json.loads((planned.out / "summary.json").read_text())
    assert total["api_calls"] == {"salesforce": sum(sf.values()), "dialoginsight": sum(di.values())}


def test_no_secret_in_output_or_files(planned: PlanOutcome, demo_sandbox: SandboxProcess) -> None:
    texts = [planned.process.stdout, planned.process.stderr]
    texts += [p.read_text(encoding="utf-8") for p in planned.out.rglob("*") if p.is_file()]
    for name, secret in secrets_of(demo_sandbox).items():
        assert not any(secret in text for text in texts), name


def _keys(values: pd.Series) -> set[str]:
    return {str(v) for v in values.dropna()}


def _sides(connections: Connections, name: str) -> tuple[set[str], set[str], int]:
    """(source keys, target keys, source rows) of one demo transfer, read independently."""
    sf, di = connections.salesforce, connections.dialoginsight
    if name == "contacts_to_di":
        source = sf.read("Contact", columns=["Id"], where="Email != null")["Id"]
        target = di.read("Contact", columns=["f_SalesforceId"], project=1001)["f_SalesforceId"]
    elif name == "acquisition_to_leads":
        source = di.read("Contact", columns=["idContact"], project=1002)["idContact"]
        target = sf.read("Lead", columns=["DI_Contact_Id__c"])["DI_Contact_Id__c"]
    else:
        file = pd.read_csv(
            ROOT / "mappings/data/tradeshow.csv", sep=";", encoding="cp1252", dtype=str
        )
        source = file["Courriel"].str.strip().str.lower()
        target = di.read("Contact", columns=["f_EMail"], project=1002)["f_EMail"].str.lower()
    return _keys(source), _keys(target), len(source)


@pytest.mark.parametrize("name", TRANSFERS)
def test_counts_match_the_sandbox_data(
    planned: PlanOutcome, demo_sandbox: SandboxProcess, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(demo_sandbox.data_dir))
    connections = Connections("sandbox")
    try:
        source, target, rows = _sides(connections, name)
    finally:
        connections.close()
    folder = planned.out / name
    counts = json.loads((folder / "summary.json").read_text())["counts"]
    plan = pd.read_csv(folder / "plan.csv", dtype=str)
    errors = pd.read_csv(folder / "errors.csv", dtype=str)
    for operation in ("insert", "update", "delete"):
        assert counts[operation] == int((plan["operation"] == operation).sum())
    assert counts["held_back"] == len(errors) and counts["conflict"] == 0
    assert rows == counts["insert"] + counts["update"] + counts["unchanged"] + counts["held_back"]
    held = _keys(errors["key"])
    inserted = set(plan.loc[plan["operation"] == "insert", "key"])
    assert inserted == (source - target) - held
    matched = counts["update"] + counts["unchanged"]
    assert matched == len((source & target) - held)


def test_one_transfer_writes_its_files_in_the_out_folder(
    demo_sandbox: SandboxProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(demo_sandbox.data_dir))
    args = ["--transfer", "contacts_to_di", "--profile", "sandbox", "--out", str(tmp_path)]
    code = main(["plan", str(MAPPING), *args])
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["errors.csv", "plan.csv", "report.html", "results.csv", "summary.json"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["transfer"] == "contacts_to_di"
    assert "contacts_to_di" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--transfer", "no_such_transfer"], "no transfer named 'no_such_transfer'"),
        ([], "has no field 'Emial'"),
    ],
)
def test_refusals_exit_two(
    demo_sandbox: SandboxProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: str,
) -> None:
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(demo_sandbox.data_dir))
    mapping = tmp_path / "broken.yml"
    text = MAPPING.read_text(encoding="utf-8").replace("salesforce: Email,", "salesforce: Emial,")
    mapping.write_text(text, "utf-8")
    (tmp_path / "data").mkdir()
    shutil.copy(MAPPING.parent / "data" / "tradeshow.csv", tmp_path / "data")
    out = tmp_path / "out"
    assert main(["plan", str(mapping), *args, "--profile", "sandbox", "--out", str(out)]) == 2
    assert expected in capsys.readouterr().err
    assert_refused_files(out, expected)


def assert_refused_files(out: Path, expected: str) -> None:
    """A refused run still leaves the four files: zero counts, headers, the reason."""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert expected in summary["error"]
    assert summary["command"] == "plan" and set(summary["counts"].values()) == {0}
    for name, columns in (
        ("plan.csv", PLAN_FILE_COLUMNS),
        ("results.csv", RESULT_FILE_COLUMNS),
        ("errors.csv", ERROR_FILE_COLUMNS),
    ):
        frame = pd.read_csv(out / name)
        assert list(frame.columns) == columns and frame.empty


def test_refused_login_exits_two_without_showing_the_password(
    demo_sandbox: SandboxProcess, tmp_path: Path
) -> None:
    wrong = "not-the-password-8d1f"
    process = run_plan(
        demo_sandbox,
        str(MAPPING),
        "--transfer",
        "contacts_to_di",
        "--out",
        str(tmp_path),
        DITOOLKIT_SF_PASSWORD=wrong,
    )
    assert process.returncode == 2
    assert "error:" in process.stderr and "Traceback" not in process.stderr
    assert wrong not in process.stdout + process.stderr
    assert_refused_files(tmp_path, "")
    assert not any(wrong in path.read_text(encoding="utf-8") for path in tmp_path.iterdir())

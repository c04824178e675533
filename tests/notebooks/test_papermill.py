"""Each notebook run once by papermill against the sandbox; every check reads that one run."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill as pm
import pytest

import ditoolkit as dtk
from ditoolkit.core.diff import COUNT_KEYS
from ditoolkit.core.mapping import Mapping
from ditoolkit.sandbox.process import SandboxProcess
from ditoolkit.systems.csvfile import CsvSystem
from tests.notebooks.conftest import DEMO_MAPPING, NOTEBOOKS, secrets_of


@pytest.fixture(scope="module")
def runs(notebook_sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run 01, 02 and 03 unattended, and 02 with a missing mapping file; return the folder."""
    out = tmp_path_factory.mktemp("notebook-runs")
    jobs = {
        "01_connect": {},
        "02_mapping": {"mapping": str(DEMO_MAPPING)},
        "03_preview": {"mapping": str(DEMO_MAPPING)},
    }
    for name, parameters in jobs.items():
        pm.execute_notebook(
            str(NOTEBOOKS / f"{name}.ipynb"),
            str(out / f"{name}.ipynb"),
            parameters={**parameters, "interactive": False, "output_dir": str(out / name)},
            kernel_name="python3",
            cwd=str(NOTEBOOKS),
            progress_bar=False,
        )
    with pytest.raises(pm.PapermillExecutionError) as failed:
        pm.execute_notebook(
            str(NOTEBOOKS / "02_mapping.ipynb"),
            str(out / "02_failed.ipynb"),
            parameters={
                "mapping": str(out / "no-such-mapping.yml"),
                "interactive": False,
                "output_dir": str(out / "02_failed"),
            },
            kernel_name="python3",
            cwd=str(NOTEBOOKS),
            progress_bar=False,
        )
    (out / "02_failed.error").write_text(str(failed.value), encoding="utf-8")
    return out


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _check_shape(summary: dict, notebook: str) -> None:
    assert summary["notebook"] == notebook
    assert set(summary["counts"]) == set(COUNT_KEYS)
    assert set(summary["api_calls"]) == {"salesforce", "dialoginsight"}
    assert summary["seconds"] >= 0
    for name in ("plan.csv", "results.csv", "errors.csv"):
        assert name in {p.name for p in (Path(summary["_folder"])).iterdir()}


def _loaded(runs: Path, name: str) -> dict:
    summary = _summary(runs / name)
    summary["_folder"] = str(runs / name)
    return summary


def test_connect_summary_and_holdings(runs: Path, notebook_sandbox: SandboxProcess):
    summary = _loaded(runs, "01_connect")
    _check_shape(summary, "01_connect")
    assert all(v == 0 for v in summary["counts"].values())
    assert summary["api_calls"]["salesforce"] > 0 and summary["api_calls"]["dialoginsight"] > 0
    sf = dtk.connect_salesforce(profile="sandbox")
    org = dtk.read_sobject(sf, "Organization", columns=["Name"])["Name"].iloc[0]
    text = (runs / "01_connect.ipynb").read_text(encoding="utf-8")
    assert org in text
    for project in notebook_sandbox.dialoginsight["projects"]:
        assert project["name"] in text


def test_mapping_summary(runs: Path):
    summary = _loaded(runs, "02_mapping")
    _check_shape(summary, "02_mapping")
    assert summary["api_calls"]["dialoginsight"] > 0


def _source_rows(transfer: str) -> int:
    chosen = Mapping.load(DEMO_MAPPING).transfer(transfer)
    if chosen.csv is not None:
        files = CsvSystem(
            files={"f": chosen.csv.resolved},
            delimiter=chosen.csv.delimiter,
            encoding=chosen.csv.encoding,
        )
        return len(files.read("f"))
    if chosen.direction == "di_to_sf":
        di = dtk.connect_dialoginsight(profile="sandbox")
        return len(dtk.read_di_table(di, chosen.dialoginsight.table, project=chosen.project))
    sf = dtk.connect_salesforce(profile="sandbox")
    return len(
        dtk.read_sobject(
            sf, chosen.salesforce.object, columns=["Id"], where=chosen.salesforce.where
        )
    )


def test_preview_counts_every_source_row(runs: Path):
    total = _loaded(runs, "03_preview")
    _check_shape(total, "03_preview")
    assert total["transfer"] is None and total["dry_run"] is True
    added = dict.fromkeys(COUNT_KEYS, 0)
    for transfer in Mapping.load(DEMO_MAPPING).names:
        summary = _loaded(runs / "03_preview", transfer)
        _check_shape(summary, "03_preview")
        counts = summary["counts"]
        placed = sum(counts[k] for k in ("insert", "update", "unchanged", "held_back", "conflict"))
        assert placed == _source_rows(transfer), transfer
        planned = (runs / "03_preview" / transfer / "plan.csv").read_text(encoding="utf-8")
        assert (
            len(planned.splitlines()) - 1 == counts["insert"] + counts["update"] + counts["delete"]
        )
        assert (runs / "03_preview" / transfer / "report.html").is_file()
        for key in COUNT_KEYS:
            added[key] += counts[key]
    assert total["counts"] == added


def test_a_failed_run_fails_with_its_reason(runs: Path):
    error = (runs / "02_failed.error").read_text(encoding="utf-8")
    assert "MappingError" in error and "no-such-mapping.yml" in error
    failed = nbformat.read(runs / "02_failed.ipynb", as_version=4)
    outputs = [o for c in failed.cells if c.cell_type == "code" for o in c.outputs]
    assert any(o.get("output_type") == "error" for o in outputs)


def test_no_secret_in_any_output(runs: Path, notebook_sandbox: SandboxProcess):
    secrets = secrets_of(notebook_sandbox)
    files = [p for p in runs.rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in secrets:
            assert secret not in text, f"{path.name} holds a secret"

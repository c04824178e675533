"""04_sync and 05_csv_load run once each by papermill on a demo sandbox of their own.

They write, so this module's sandbox is not the one 01–03 read (see ``notebook_sandbox``):
each check reads the one run of its notebook, then the sandbox itself over HTTPS.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

import ditoolkit as dtk
from ditoolkit.core.diff import COUNT_KEYS
from ditoolkit.core.mapping import Mapping
from ditoolkit.sandbox.process import SandboxProcess
from ditoolkit.systems.csvfile.files import read_csv_file
from tests.notebooks.conftest import DEMO_MAPPING, NOTEBOOKS, secrets_of

SYNC = "acquisition_to_leads"
LOAD = "tradeshow_csv_to_di"


def _execute(name: str, out: Path, **parameters: object) -> None:
    pm.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out / f"{parameters.pop('as_name', name)}.ipynb"),
        parameters={"mapping": str(DEMO_MAPPING), "interactive": False, **parameters},
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
    )


def test_sync_and_csv_load_notebooks(notebook_sandbox: SandboxProcess, tmp_path: Path):
    """One test, so that the three runs happen once (xdist would split a module's tests)."""
    runs = _run_notebooks(tmp_path)
    check_sync_applies_verifies_and_offers_undo(runs)
    check_csv_load_places_every_row_in_a_success_or_error_file(runs)
    check_a_load_of_a_transfer_without_a_csv_file_fails_with_its_reason(runs)
    check_no_secret_in_any_output(runs, notebook_sandbox)


def _run_notebooks(out: Path) -> Path:
    """04 applies the type B transfer, 05 loads the CSV file, 05 on a non-CSV transfer fails."""
    _execute("04_sync", out, transfer=SYNC, dry_run=False, output_dir=str(out / "04_sync"))
    _execute("05_csv_load", out, transfer=LOAD, output_dir=str(out / "05_csv_load"))
    with pytest.raises(pm.PapermillExecutionError) as failed:
        _execute(
            "05_csv_load",
            out,
            as_name="05_failed",
            transfer="contacts_to_di",
            output_dir=str(out / "05_failed"),
        )
    (out / "05_failed.error").write_text(str(failed.value), encoding="utf-8")
    return out


def _summary(folder: Path) -> dict:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["counts"]) == set(COUNT_KEYS)
    assert set(summary["api_calls"]) == {"salesforce", "dialoginsight"}
    assert {p.name for p in folder.iterdir()} >= {"plan.csv", "results.csv", "errors.csv"}
    return summary


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _text(runs: Path, name: str) -> str:
    notebook = nbformat.read(runs / f"{name}.ipynb", as_version=4)
    return "\n".join(
        str(o.get("text", "")) + json.dumps(o.get("data", {}))
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
    )


def check_sync_applies_verifies_and_offers_undo(runs: Path) -> None:
    summary = _summary(runs / "04_sync")
    assert summary["notebook"] == "04_sync" and summary["transfer"] == SYNC
    assert summary["dry_run"] is False and summary["run_id"]
    counts = summary["counts"]
    results = _csv(runs / "04_sync" / "results.csv")
    assert len(results) == counts["insert"] + counts["update"] > 0
    assert (results["status"] == "failed").sum() == counts["failed"]
    created = results.loc[results["status"] == "created", "key"]
    sf = dtk.connect_salesforce(profile="sandbox")
    leads = dtk.read_sobject(sf, "Lead", columns=["DI_Contact_Id__c"])
    assert set(created) <= set(leads["DI_Contact_Id__c"].dropna().astype(str))
    errors = _csv(runs / "04_sync" / "errors.csv")
    assert len(errors) == counts["held_back"] + counts["failed"]
    text = _text(runs, "04_sync")
    assert "verify passed" in text
    assert f"python -m ditoolkit undo {summary['run_id']} --yes" in text
    preview = _summary(runs / "04_sync" / "preview")
    assert preview["dry_run"] is True and preview["counts"]["insert"] == counts["insert"]


def check_csv_load_places_every_row_in_a_success_or_error_file(runs: Path) -> None:
    folder = runs / "05_csv_load"
    summary = _summary(folder)
    assert summary["notebook"] == "05_csv_load" and summary["transfer"] == LOAD
    side = Mapping.load(DEMO_MAPPING).transfer(LOAD).csv
    assert side is not None and side.resolved is not None
    source = read_csv_file(side.resolved, delimiter=side.delimiter, encoding=side.encoding)
    success = _csv(folder / f"{side.resolved.stem}.success.csv")
    error = _csv(folder / f"{side.resolved.stem}.error.csv")
    assert len(success) + len(error) == len(source)
    assert len(error) == summary["counts"]["held_back"] + summary["counts"]["failed"] > 0
    mapped = {r.source for r in Mapping.load(DEMO_MAPPING).transfer(LOAD).pairs_for() if r.source}
    assert set(success.columns) >= mapped | {"ID", "STATUS", "LINE"}
    assert list(success.columns[: len(source.columns)]) == list(source.columns)
    assert "ERROR" in error.columns and error["ERROR"].str.len().gt(0).all()
    created = success["STATUS"] == "Item Created"
    assert created.any(), set(success["STATUS"])
    loaded = success.loc[created, "Courriel"].str.strip().str.lower()
    di = dtk.connect_dialoginsight(profile="sandbox")
    contacts = dtk.read_di_table(di, "Contact", project=1002)
    assert set(loaded) <= set(contacts["f_EMail"].dropna().str.lower())
    assert "encoding cp1252" in _text(runs, "05_csv_load")


def check_a_load_of_a_transfer_without_a_csv_file_fails_with_its_reason(runs: Path) -> None:
    error = (runs / "05_failed.error").read_text(encoding="utf-8")
    assert "MappingError" in error and "reads no CSV file" in error
    assert LOAD in error  # the hint names the transfer that would do


def check_no_secret_in_any_output(runs: Path, sandbox: SandboxProcess) -> None:
    secrets = secrets_of(sandbox)
    files = [p for p in runs.rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in secrets:
            assert secret not in text, f"{path.name} holds a secret"

"""The run panel on a demo sandbox of its own: dry run, apply with progress, verify, undo.

The panel writes, so it gets its own sandbox (the session's demo sandbox stays as seeded).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import ditoolkit as dtk
from ditoolkit.core.journal import Journal
from ditoolkit.core.mapping import Mapping
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from ditoolkit.ui.run_panel import SHOWN, RunPanel
from tests.ui.conftest import DEMO_MAPPING, sandbox_secrets, widget_texts

TRANSFER = "acquisition_to_leads"


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A demo-seeded sandbox for this module only, with its own journal folder."""
    folder = tmp_path_factory.mktemp("run-panel-sandbox")
    with start_sandbox(folder, seed="demo") as running, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DITOOLKIT_SANDBOX_DIR", str(running.data_dir))
        patch.setenv("DITOOLKIT_HOME", str(tmp_path_factory.mktemp("run-panel-home")))
        patch.delenv("DITOOLKIT_CONFIG", raising=False)
        yield running


def _leads() -> pd.DataFrame:
    sf = dtk.connect_salesforce(profile="sandbox")
    return dtk.read_sobject(sf, "Lead", columns=["Id", "DI_Contact_Id__c", "Email"])


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_dry_run_writes_nothing(own_sandbox: SandboxProcess, tmp_path: Path):
    before = _leads()
    panel = RunPanel(DEMO_MAPPING, profile="sandbox", transfer=TRANSFER, output_dir=tmp_path)
    assert panel.dry_run.value is True and panel.apply_button.description == "Dry run"
    panel.apply_button.click()

    run = panel.run
    assert run is not None and run.dry_run, panel.status.value
    assert set(run.results()["status"]) == {"skipped"}
    assert "nothing to verify" in panel.verify_view.value
    assert panel.undo_button.disabled
    summary = _summary(tmp_path)
    assert summary["notebook"] == "04_sync" and summary["dry_run"] is True
    assert summary["run_id"] == run.run_ids[0]
    planned = summary["counts"]["insert"] + summary["counts"]["update"]
    assert planned == len(run.results()) > 0
    after = _leads()
    assert sorted(after["Id"]) == sorted(before["Id"])


def test_apply_verify_and_undo_only_after_confirmation(own_sandbox: SandboxProcess, tmp_path: Path):
    before = _leads()
    panel = RunPanel(DEMO_MAPPING, profile="sandbox", transfer=TRANSFER, output_dir=tmp_path)
    panel.dry_run.value = False
    assert panel.apply_button.description == "Apply"
    panel.apply_button.click()

    run = panel.run
    assert run is not None and not run.dry_run, panel.status.value
    results = run.results()
    created = results[results["status"] == "created"]
    counts = _summary(tmp_path)["counts"]
    assert len(created) == counts["insert"] - counts["failed"] > 0
    assert panel.progress.value == panel.progress.max == len(results)
    leads = _leads()
    keys = set(leads["DI_Contact_Id__c"].dropna().astype(str))
    assert set(created["key"].astype(str)) <= keys
    assert len(leads) == len(before) + len(created)
    assert panel.verify_view.value.count("verify passed")
    for key in created["key"].head(3):
        assert str(key) in panel.results_view.value

    # Undo asks first: the confirmation appears, nothing is undone yet.
    assert not panel.undo_button.disabled
    panel.undo_button.click()
    assert panel.confirm_button.layout.display == SHOWN
    assert f"{len(created) + int((results['status'] == 'updated').sum())} row change" in (
        panel.undo_view.value
    )
    assert len(_leads()) == len(leads)
    panel.cancel_button.click()
    assert panel.confirm_button.layout.display != SHOWN
    assert panel.confirm_undo() == []  # no confirmation pending: nothing happens
    assert len(_leads()) == len(leads)
    with Journal.in_home(os.environ["DITOOLKIT_HOME"]) as journal:
        assert journal.undo_runs(run.run_ids[0]) == []

    panel.undo_button.click()
    panel.confirm_button.click()
    assert [r.ok for r in panel.undone] == [True], panel.undo_view.value
    restored = _leads()
    assert sorted(restored["Id"]) == sorted(before["Id"])
    assert not set(created["key"].astype(str)) & set(restored["DI_Contact_Id__c"].dropna())
    assert panel.undo_button.disabled


def test_a_refused_run_shows_its_reason(own_sandbox: SandboxProcess, tmp_path: Path):
    names = Mapping.load(DEMO_MAPPING).names
    panel = RunPanel(DEMO_MAPPING, profile="sandbox", transfer="no_such", output_dir=tmp_path)
    panel.dry_run.value = False
    panel.apply_button.click()
    assert panel.run is None
    assert "no_such" in panel.status.value and names[0] in panel.status.value
    assert not panel.apply_button.disabled
    for secret in sandbox_secrets(own_sandbox):
        assert all(secret not in text for text in widget_texts(panel.widget))

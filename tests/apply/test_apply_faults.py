"""apply over HTTPS against the sandboxes: transient errors, session expiry, allowance, undo."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
from sandbox_world import World, seed_di_contacts, seed_sf_contacts

from ditoolkit.api import connect_dialoginsight, connect_salesforce


def _leads() -> pd.DataFrame:
    sf = connect_salesforce(profile="sandbox")
    return sf.read("Lead", columns=["Id", "DI_Contact_Id__c", "Email", "LastName"])


def _di_contacts() -> pd.DataFrame:
    di = connect_dialoginsight(profile="sandbox")
    try:
        return di.read("Contact", columns=["f_SalesforceId", "f_EMail", "f_LastName"], project=1001)
    finally:
        di.close()


def _run_rows(world: World, run_id: str) -> pd.DataFrame:
    with sqlite3.connect(world.home / "journal.sqlite") as db:
        return pd.read_sql_query(
            "SELECT key, operation, state, status, error_code FROM row_outcomes WHERE run_id = ?",
            db,
            params=(run_id,),
        )


def test_transient_errors_are_retried_and_every_row_lands_once(world: World) -> None:
    seed_di_contacts(300)
    world.sf_admin.faults(error_rate={"UNABLE_TO_LOCK_ROW": 0.05}, seed=7)
    world.di_admin.faults(error_rate={"Throttled": 0.05}, seed=7)
    done = world.run(
        "apply", str(world.leads), "--profile", "sandbox", "--out", str(world.home / "out")
    )
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.strip()
    leads = _leads()
    assert len(leads) == 300 and leads["DI_Contact_Id__c"].is_unique
    rows = _run_rows(world, run_id)
    assert len(rows) == 300 and set(rows["status"]) == {"created"}
    summary = json.loads((world.home / "out" / "summary.json").read_text())
    assert summary["run_id"] == run_id and summary["counts"]["insert"] == 300
    assert summary["counts"]["failed"] == 0
    files = [*world.home.glob("journal.sqlite*"), *(world.home / "out").iterdir()]
    stored = b"".join(p.read_bytes() for p in files)
    assert b"person7@example.com" in stored  # the check can see what the run stored
    secrets = [
        world.sandbox.salesforce["password"],
        world.sandbox.salesforce["security_token"],
        world.sandbox.dialoginsight["Key"],
    ]
    assert not [s for s in secrets if s.encode() in stored]  # never a secret in the journal


def test_a_session_expiring_mid_run_is_renewed(world: World) -> None:
    seed_sf_contacts(450)
    world.sf_admin.faults(session_expiry_after=4)
    done = world.run("apply", str(world.contacts), "--profile", "sandbox")
    assert done.returncode == 0, done.stderr
    contacts = _di_contacts()
    assert len(contacts) == 450 and contacts["f_SalesforceId"].is_unique


def test_the_allowance_running_out_stops_cleanly_and_the_run_resumes(world: World) -> None:
    seed_di_contacts(1200)
    used = int(world.sf_admin.counters()["total"])
    world.sf_admin.faults(daily_limit=used + 9)
    stopped = world.run("apply", str(world.leads), "--profile", "sandbox")
    assert stopped.returncode == 2, stopped.stderr
    run_id = stopped.stdout.strip()
    rows = _run_rows(world, run_id)
    assert len(rows) == 1200
    assert (rows["state"] != "done").any()  # stopped part-way, nothing lost
    assert set(rows.loc[rows["state"] == "done", "status"]) <= {"created"}

    world.sf_admin.faults(daily_limit=10_000_000)
    resumed = world.run("apply", "--resume", run_id, "--profile", "sandbox")
    assert resumed.returncode == 0, resumed.stderr
    rows = _run_rows(world, run_id)
    assert set(rows["state"]) == {"done"} and set(rows["status"]) == {"created"}
    leads = _leads()
    assert len(leads) == 1200 and leads["DI_Contact_Id__c"].is_unique


def test_undo_over_https_restores_salesforce(world: World) -> None:
    seed_di_contacts(40)
    first = world.run("apply", str(world.leads), "--profile", "sandbox")
    assert first.returncode == 0, first.stderr
    di = connect_dialoginsight(profile="sandbox")
    changed = pd.DataFrame(
        {"f_EMail": [f"person{i}@example.com" for i in range(5)], "f_LastName": ["Renamed"] * 5}
    )
    di.write("Contact", changed, operation="update", project=1002).raise_for_errors()
    di.close()
    seed_di_contacts(3, start=40)
    before = _leads().sort_values("DI_Contact_Id__c").reset_index(drop=True)
    second = world.run("apply", str(world.leads), "--profile", "sandbox")
    assert second.returncode == 0, second.stderr
    run_id = second.stdout.strip()
    assert (_leads()["LastName"] == "Renamed").sum() == 5

    preview = world.run("undo", run_id)
    assert preview.returncode == 0 and "--yes" in preview.stdout
    assert len(_leads()) == 43  # nothing undone without --yes

    undone = world.run("undo", run_id, "--yes")
    assert undone.returncode == 0, undone.stderr
    after = _leads().sort_values("DI_Contact_Id__c").reset_index(drop=True)
    pd.testing.assert_frame_equal(after, before)


def test_a_dry_run_writes_nothing_and_reports_what_it_would_do(world: World) -> None:
    seed_di_contacts(25)
    out = world.home / "dry"
    done = world.run(
        "apply", str(world.leads), "--profile", "sandbox", "--dry-run", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert len(_leads()) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dry_run"] is True and summary["counts"]["insert"] == 25
    results = pd.read_csv(out / "results.csv")
    assert len(results) == 25 and set(results["status"]) == {"skipped"}


def test_undo_from_a_notebook_asks_first(world: World) -> None:
    from ditoolkit.core.run_result import RunResult
    from ditoolkit.workflow.undo_command import undo

    seed_di_contacts(5)
    run_id = world.run("apply", str(world.leads), "--profile", "sandbox").stdout.strip()
    asked: list[int] = []
    shown = undo(run_id, confirm=lambda changes: asked.append(len(changes)) or False)
    assert asked == [5] and isinstance(shown, pd.DataFrame) and len(_leads()) == 5
    result = undo(run_id, confirm=True)
    assert isinstance(result, RunResult) and result.ok and len(_leads()) == 0

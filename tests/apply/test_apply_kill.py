"""A run killed with SIGKILL at several points, then resumed: nothing lost, nothing doubled."""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Callable

import pandas as pd
import pytest
from sandbox_world import World, seed_di_contacts

from ditoolkit.api import connect_dialoginsight, connect_salesforce

States = dict[str, int]


def _first_batch_in_flight(states: States) -> bool:
    return states.get("sent", 0) > 0 and states.get("done", 0) == 0


def _mid_run_in_flight(states: States) -> bool:
    return states.get("sent", 0) > 0 and states.get("done", 0) >= 1000


def _all_written(states: States) -> bool:
    return bool(states) and set(states) == {"done"}


def _kill_when(world: World, ready: Callable[[States], bool]) -> None:
    """Start ``apply`` in a child process and SIGKILL it once the journal shows ``ready``."""
    child = world.popen("apply", str(world.leads), "--profile", "sandbox")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and child.poll() is None:
        if ready(world.journal_states()):
            child.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, (child.returncode, child.communicate())


def _check_everything_landed_once(world: World, count: int) -> None:
    sf = connect_salesforce(profile="sandbox")
    leads = sf.read("Lead", columns=["DI_Contact_Id__c", "Email", "LastName"])
    assert len(leads) == count and leads["DI_Contact_Id__c"].is_unique
    di = connect_dialoginsight(profile="sandbox")
    contacts = di.read("Contact", columns=["idContact", "f_EMail", "f_LastName"], project=1002)
    di.close()
    ids = contacts["idContact"].astype(str)
    planned = set(zip(ids, contacts["f_EMail"], contacts["f_LastName"], strict=True))
    landed = zip(leads["DI_Contact_Id__c"], leads["Email"], leads["LastName"], strict=True)
    assert set(landed) == planned  # the final state is the planned state
    with sqlite3.connect(world.home / "journal.sqlite") as db:
        runs = pd.read_sql_query("SELECT run_id, status FROM runs ORDER BY started", db)
        rows = pd.read_sql_query(
            "SELECT key, state, status FROM row_outcomes WHERE run_id = ?",
            db,
            params=(runs["run_id"].iloc[0],),
        )
    assert runs["status"].iloc[0] == "completed"
    assert set(rows["state"]) == {"done"} and set(rows["status"]) == {"created"}
    assert sorted(rows["key"]) == sorted(ids)  # every row accounted for, once
    assert set(leads["DI_Contact_Id__c"]) == set(ids)


def _kill_and_resume(world: World, count: int, ready: Callable[[States], bool]) -> None:
    seed_di_contacts(count)
    world.sf_admin.faults(latency_ms=40)
    _kill_when(world, ready)
    world.sf_admin.faults(latency_ms=0)
    again = world.run("apply", str(world.leads), "--profile", "sandbox")
    assert again.returncode == 0, again.stderr
    assert "resuming run" in again.stderr
    _check_everything_landed_once(world, count)


@pytest.mark.parametrize(
    "ready", [_first_batch_in_flight, _mid_run_in_flight], ids=["first-batch", "mid-run"]
)
def test_killed_then_resumed_lands_every_row_once(world: World, ready: Callable) -> None:
    _kill_and_resume(world, 2000, ready)


@pytest.mark.slow
@pytest.mark.parametrize(
    "ready", [_mid_run_in_flight, _all_written], ids=["mid-run", "during-verify"]
)
def test_a_bigger_run_killed_then_resumed(world: World, ready: Callable) -> None:
    _kill_and_resume(world, 6000, ready)

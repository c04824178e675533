"""The fault matrix: whole two-direction syncs on the sandboxes under each fault, then resumed.

Every cell ends with :func:`check_synced`: both targets equal their sources value for value, no
key twice on a target, every source row journaled once as created, every run completed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from reliability_rig import Rig, check_synced, seed

ROWS = 800  # per direction
#: What a row may fail with in one run when locks keep failing past the adapter's retries.
TRANSIENT = frozenset({"UNABLE_TO_LOCK_ROW"})


@contextmanager
def once_done(rig: Rig, rows: int, action: Callable[[], None]) -> Iterator[list[bool]]:
    """Call ``action`` once, from a watcher thread, when the journal shows ``rows`` rows done."""
    fired: list[bool] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if rig.journal().states().get("done", 0) >= rows:
                action()
                fired.append(True)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield fired
    finally:
        stop.set()
        thread.join(timeout=10)


def test_latency(rig: Rig) -> None:
    seed(contacts=ROWS, leads=ROWS)
    rig.faults(latency_ms=30)
    assert rig.apply_until_done(attempts=1) == 1
    check_synced(rig, contacts=ROWS, leads=ROWS)


@pytest.mark.parametrize("rate", [0.05, 0.20], ids=["5pc", "20pc"])
def test_transient_errors(rig: Rig, rate: float) -> None:
    seed(contacts=ROWS, leads=ROWS)
    rig.sf_admin.faults(error_rate={"UNABLE_TO_LOCK_ROW": rate, "503": rate}, seed=11)
    rig.di_admin.faults(error_rate={"Throttled": rate, "503": rate}, seed=11)
    rig.apply_until_done(attempts=8)
    check_synced(rig, contacts=ROWS, leads=ROWS, transient=TRANSIENT)
    if rate >= 0.2:
        assert rig.retried, "no call was retried: the faults did not reach the run"


def test_session_expiry_mid_run(rig: Rig) -> None:
    seed(contacts=ROWS, leads=ROWS)
    rig.sf_admin.faults(session_expiry_after=6)
    expire = lambda: rig.sf_admin.faults(session_expiry_after=1)  # noqa: E731
    with once_done(rig, ROWS + 200, expire) as fired:  # while leads are being written
        assert rig.apply_until_done(attempts=1) == 1
    assert fired, "the session never expired during the leads' writes"
    check_synced(rig, contacts=ROWS, leads=ROWS)


def _stopped_resumable(rig: Rig, transfer: str) -> None:
    """The run of ``transfer`` stopped part-way: interrupted, no row given up on."""
    journal = rig.journal()
    runs = journal.frame("SELECT transfer, status FROM runs WHERE kind = 'apply'")
    assert (runs["transfer"] == transfer).sum() == 1, runs
    assert runs.loc[runs["transfer"] == transfer, "status"].item() == "interrupted"
    failed = journal.frame(
        "SELECT key, error_code, message FROM row_outcomes WHERE status = 'failed'"
    )
    assert failed.empty, failed.drop_duplicates("error_code").to_dict("records")  # resumable


def test_salesforce_allowance_exhausted_mid_run(rig: Rig) -> None:
    seed(contacts=ROWS, leads=ROWS)
    rig.sf_admin.faults(latency_ms=150)  # the limit lands between the leads' calls
    limit = lambda: rig.sf_admin.faults(daily_limit=rig.sf_admin.calls())  # noqa: E731
    with once_done(rig, ROWS + 1, limit) as fired:
        stopped = rig.apply()
    assert fired and stopped.returncode == 2, stopped.stderr  # refused: the allowance
    _stopped_resumable(rig, "leads_to_sf")
    states = rig.journal().states()
    assert states.get("pending", 0) + states.get("sent", 0) > 0, states  # left to resume
    rig.sf_admin.faults(daily_limit=10_000_000, latency_ms=0)
    assert rig.apply_until_done(attempts=1) == 1
    check_synced(rig, contacts=ROWS, leads=ROWS)


def test_dialog_insight_allowance_exhausted_mid_run(rig: Rig) -> None:
    seed(contacts=ROWS, leads=ROWS)
    rig.di_admin.faults(latency_ms=150)
    limit = lambda: rig.di_admin.faults(daily_limit=rig.di_admin.calls())  # noqa: E731
    with once_done(rig, 1, limit) as fired:
        stopped = rig.apply()
    # DI answers a spent allowance with Throttled: retried, then the run stops, refused
    assert fired and stopped.returncode == 2, stopped.stderr
    assert "allowance" in stopped.stderr, stopped.stderr
    _stopped_resumable(rig, "contacts_to_di")
    rig.di_admin.faults(daily_limit=10_000_000, latency_ms=0)
    assert rig.apply_until_done(attempts=1) == 1
    check_synced(rig, contacts=ROWS, leads=ROWS)

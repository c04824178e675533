"""The rig of the reliability matrix: a two-direction mapping, its data, runs, and the checks.

One mapping holds one transfer per direction: Salesforce contacts feed Dialog Insight project
1001 (type A, keyed by the Salesforce Id) and the contacts of DI project 1002 become Salesforce
leads (upserted by ``DI_Contact_Id__c``). A run is ``python -m ditoolkit apply`` in a child
process; :func:`check_synced` proves the end state: each target equals its source value for
value, no key twice on a target, and every source row journaled exactly once as created.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ditoolkit.api import connect_dialoginsight, connect_salesforce
from ditoolkit.sandbox.admin import SandboxAdmin

MAPPING = """\
version: 1
transfers:
  - name: contacts_to_di
    direction: sf_to_di
    project: 1001
    salesforce: {object: Contact}
    dialoginsight: {table: Contact}
    key: {salesforce: Id, dialoginsight: f_SalesforceId}
    fields:
      - {salesforce: Email, dialoginsight: f_EMail}
      - {salesforce: LastName, dialoginsight: f_LastName}
    operations: [insert, update]
  - name: leads_to_sf
    direction: di_to_sf
    project: 1002
    salesforce: {object: Lead}
    dialoginsight: {table: Contact}
    key: {dialoginsight: idContact, salesforce: DI_Contact_Id__c}
    fields:
      - {dialoginsight: f_EMail, salesforce: Email}
      - {dialoginsight: f_LastName, salesforce: LastName}
      - {salesforce: Company, value: "[not provided]"}
    operations: [insert, update]
"""

TRANSFERS = ("contacts_to_di", "leads_to_sf")
NO_FAULTS: dict[str, Any] = {
    "error_rate": {},
    "session_expiry_after": None,
    "daily_limit": None,
    "latency_ms": 0,
}


def admins(info: dict[str, Any]) -> tuple[SandboxAdmin, SandboxAdmin]:
    """The Salesforce and Dialog Insight admin APIs of a ``sandbox.json``."""
    return SandboxAdmin.of(info["salesforce"]), SandboxAdmin.of(info["dialoginsight"])


@dataclass
class Rig:
    """A sandbox data dir, its admin APIs, a fresh ``$DITOOLKIT_HOME`` and the mapping."""

    data_dir: Path
    home: Path
    sf_admin: SandboxAdmin
    di_admin: SandboxAdmin
    mapping: Path
    log: list[str] = field(default_factory=list)
    retried: int = 0  # retries the runs' logs mention

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DITOOLKIT_SANDBOX_DIR": str(self.data_dir),
            "DITOOLKIT_HOME": str(self.home),
        }

    def faults(self, **settings: Any) -> None:
        """The same fault settings on both sandboxes."""
        for admin in (self.sf_admin, self.di_admin):
            admin.faults(**settings)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        """``python -m ditoolkit ARGS`` started in a child process."""
        return subprocess.Popen(
            [sys.executable, "-m", "ditoolkit", *args],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def apply(self, *, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """One ``apply MAPPING --profile sandbox`` run to its end."""
        child = self.popen("apply", str(self.mapping), "--profile", "sandbox")
        out, err = child.communicate(timeout=timeout)
        self.log.append(f"apply exit {child.returncode}: {err.strip()[-600:]}")
        self.retried += err.count("retrying")
        return subprocess.CompletedProcess(child.args, child.returncode, out, err)

    def apply_until_done(self, *, attempts: int) -> int:
        """Apply, and apply again (which resumes) while a run stops short (exit 1 or 2).

        Returns:
            How many runs it took.
        """
        for attempt in range(1, attempts + 1):
            done = self.apply()
            if done.returncode == 0:
                return attempt
            assert done.returncode in (1, 2), "\n".join(self.log)
        raise AssertionError(f"not done after {attempts} runs:\n" + "\n".join(self.log))

    def journal(self) -> Journaled:
        return Journaled(self.home / "journal.sqlite")


class Journaled:
    """Read-only views of ``journal.sqlite`` (written by the child processes)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if not self.path.exists():
            return []
        try:
            with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5) as db:
                return db.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            return []  # created, not yet holding its tables

    def states(self) -> dict[str, int]:
        """Row states over every run."""
        rows = self._query("SELECT state, COUNT(*) FROM row_outcomes GROUP BY state")
        return {str(s): int(n) for s, n in rows}

    def frame(self, sql: str, params: tuple[Any, ...] = ()) -> pd.DataFrame:
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5) as db:
            return pd.read_sql_query(sql, db, params=params)


def seed(*, contacts: int, leads: int, start: int = 0) -> None:
    """``contacts`` Salesforce contacts and ``leads`` DI contacts in project 1002 (bulk writes),
    numbered from ``start`` so that later seeds add new people."""
    if contacts:
        sf = connect_salesforce(profile="sandbox")
        numbers = range(start, start + contacts)
        frame = pd.DataFrame(
            {
                "Email": [f"c{i}@example.com" for i in numbers],
                "LastName": [f"Contact{i}" for i in numbers],
            }
        )
        sf.write("Contact", frame, operation="insert").raise_for_errors()
    if leads:
        di = connect_dialoginsight(profile="sandbox")
        numbers = range(start, start + leads)
        frame = pd.DataFrame(
            {
                "f_EMail": [f"person{i}@example.com" for i in numbers],
                "f_LastName": [f"Person{i}" for i in numbers],
            }
        )
        di.write("Contact", frame, operation="upsert", project=1002).raise_for_errors()
        di.close()


def kill_when(
    rig: Rig,
    ready: Callable[[dict[str, int]], bool],
    *,
    timeout: float = 240,
) -> bool:
    """Start ``apply``; SIGKILL it once the journal's row states satisfy ``ready``.

    Returns:
        True when it was killed, False when it ended by itself first (exit 0 expected).
    """
    child = rig.popen("apply", str(rig.mapping), "--profile", "sandbox")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        if ready(rig.journal().states()):
            child.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    _, err = child.communicate(timeout=60)
    if child.returncode == -signal.SIGKILL:
        return True
    assert child.returncode == 0, f"exit {child.returncode}: {err[-2000:]}"
    return False


def _sf(table: str, columns: list[str]) -> pd.DataFrame:
    return connect_salesforce(profile="sandbox").read(table, columns=columns)


def _di(project: int, columns: list[str]) -> pd.DataFrame:
    di = connect_dialoginsight(profile="sandbox")
    try:
        return di.read("Contact", columns=columns, project=project)
    finally:
        di.close()


def _same_rows(target: pd.DataFrame, source: pd.DataFrame, *, what: str) -> None:
    """Equal as sets of (key, email, name) and no key twice on the target."""
    key = target.columns[0]
    counts = target[key].value_counts()
    assert (counts <= 1).all(), f"{what}: duplicated keys {list(counts[counts > 1].index)}"
    assert len(target) == len(source), f"{what}: {len(target)} rows, expected {len(source)}"
    want = {tuple(str(v) for v in r) for r in source.itertuples(index=False)}
    got = {tuple(str(v) for v in r) for r in target.itertuples(index=False)}
    assert got == want, f"{what}: {len(want - got)} missing or wrong, {len(got - want)} extra"


def check_synced(
    rig: Rig, *, contacts: int, leads: int, transient: frozenset[str] = frozenset()
) -> None:
    """Both systems hold the expected state and the journal accounts for every row once.

    Args:
        rig: the rig.
        contacts / leads: the rows seeded on each source.
        transient: error codes a row may have failed with in one run (landed by a later one).
    """
    rig.faults(**NO_FAULTS)
    sf_contacts = _sf("Contact", ["Id", "Email", "LastName"])
    di_1002 = _di(1002, ["idContact", "f_EMail", "f_LastName"])
    assert len(sf_contacts) == contacts and len(di_1002) == leads  # sources untouched
    _same_rows(_di(1001, ["f_SalesforceId", "f_EMail", "f_LastName"]), sf_contacts, what="DI 1001")
    _same_rows(_sf("Lead", ["DI_Contact_Id__c", "Email", "LastName"]), di_1002, what="SF leads")
    journal = rig.journal()
    runs = journal.frame("SELECT run_id, transfer, status FROM runs WHERE kind = 'apply'")
    assert set(runs["status"]) == {"completed"}, runs["status"].value_counts().to_dict()
    rows = journal.frame(
        "SELECT r.transfer, o.key, o.state, o.status, o.error_code FROM row_outcomes o "
        "JOIN runs r ON r.run_id = o.run_id WHERE r.kind = 'apply'"
    )
    assert set(rows["state"]) <= {"done"} and set(rows["status"]) <= {"created", "failed"}
    codes = set(rows.loc[rows["status"] == "failed", "error_code"])
    assert codes <= transient, f"rows failed with {codes - transient}"
    rows = rows[rows["status"] == "created"]
    sources = {
        "contacts_to_di": sf_contacts["Id"].astype(str),
        "leads_to_sf": di_1002["idContact"].astype(str),
    }
    for name, keys in sources.items():
        journaled = rows.loc[rows["transfer"] == name, "key"].str.lower()
        assert journaled.is_unique, f"{name}: a row journaled as created twice"
        assert set(journaled) == set(keys.str.lower()), f"{name}: rows not accounted for"

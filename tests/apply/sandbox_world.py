"""The world of apply tests over HTTPS: a sandbox per module, fresh local state per test."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from ditoolkit.api import connect_dialoginsight, connect_salesforce
from ditoolkit.cli import main
from ditoolkit.sandbox.admin import SandboxAdmin
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox

#: DI contacts (project 1002, type B) become Salesforce leads, upserted by DI_Contact_Id__c.
LEADS_MAPPING = """\
version: 1
project: 1002
transfers:
  - name: leads
    direction: di_to_sf
    salesforce: {object: Lead}
    dialoginsight: {table: Contact}
    key: {dialoginsight: idContact, salesforce: DI_Contact_Id__c}
    fields:
      - {dialoginsight: f_EMail, salesforce: Email}
      - {dialoginsight: f_LastName, salesforce: LastName}
      - {salesforce: Company, value: "[not provided]"}
    operations: [insert, update]
"""

#: Salesforce contacts feed DI project 1001 (type A), keyed by the Salesforce Id.
CONTACTS_MAPPING = """\
version: 1
project: 1001
transfers:
  - name: contacts
    direction: sf_to_di
    salesforce: {object: Contact}
    dialoginsight: {table: Contact}
    key: {salesforce: Id, dialoginsight: f_SalesforceId}
    fields:
      - {salesforce: Email, dialoginsight: f_EMail}
      - {salesforce: LastName, dialoginsight: f_LastName}
    operations: [insert, update]
"""

#: The same contacts kept equal both ways (updates only).
BOTH_MAPPING = (
    CONTACTS_MAPPING.replace("name: contacts", "name: both_ways")
    .replace("direction: sf_to_di", "direction: both")
    .replace("operations: [insert, update]", "operations: [update]")
)


@dataclass
class World:
    """A sandbox, its admin APIs, a fresh ``$DITOOLKIT_HOME`` and mapping files."""

    sandbox: SandboxProcess
    home: Path
    sf_admin: SandboxAdmin
    di_admin: SandboxAdmin
    leads: Path
    contacts: Path

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DITOOLKIT_SANDBOX_DIR": str(self.sandbox.data_dir),
            "DITOOLKIT_HOME": str(self.home),
        }

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``python -m ditoolkit ARGS`` in a child process."""
        return subprocess.run(
            [sys.executable, "-m", "ditoolkit", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``python -m ditoolkit ARGS`` in this process (the environment is already set)."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
        return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "ditoolkit", *args],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def journal_states(self) -> dict[str, int]:
        """Row states of every run, read straight from the journal (empty before it exists)."""
        path = self.home / "journal.sqlite"
        if not path.exists():
            return {}
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            try:
                rows = db.execute("SELECT state, COUNT(*) FROM row_outcomes GROUP BY state")
                return {str(s): int(n) for s, n in rows.fetchall()}
            except sqlite3.OperationalError:
                return {}


@pytest.fixture(scope="session")
def apply_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """Both sandboxes (empty seed) of the apply tests, in a folder of their own; every test
    resets their records and faults (one start per test process keeps the suite quick)."""
    with start_sandbox(tmp_path_factory.mktemp("apply-sandbox"), seed="empty") as running:
        yield running


@pytest.fixture
def world(
    apply_sandbox: SandboxProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    found = World(
        sandbox=apply_sandbox,
        home=tmp_path / "home",
        sf_admin=SandboxAdmin.of(apply_sandbox.salesforce),
        di_admin=SandboxAdmin.of(apply_sandbox.dialoginsight),
        leads=tmp_path / "leads.yml",
        contacts=tmp_path / "contacts.yml",
    )
    found.leads.write_text(LEADS_MAPPING, encoding="utf-8")
    found.contacts.write_text(CONTACTS_MAPPING, encoding="utf-8")
    for admin in (found.sf_admin, found.di_admin):
        admin.reset()
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(apply_sandbox.data_dir))
    monkeypatch.setenv("DITOOLKIT_HOME", str(found.home))
    yield found
    for admin in (found.sf_admin, found.di_admin):
        admin.faults(error_rate={}, session_expiry_after=None, daily_limit=None, latency_ms=0)


def seed_di_contacts(count: int, *, start: int = 0, name: str = "Person") -> None:
    """``count`` contacts in DI project 1002 (``f_EMail`` is its primary key), upserted: the
    ``i``-th is ``person{i}@example.com`` named ``{name}{i}``."""
    di = connect_dialoginsight(profile="sandbox")
    frame = pd.DataFrame(
        {
            "f_EMail": [f"person{i}@example.com" for i in range(start, start + count)],
            "f_LastName": [f"{name}{i}" for i in range(start, start + count)],
        }
    )
    di.write("Contact", frame, operation="upsert", project=1002).raise_for_errors()
    di.close()


def seed_sf_contacts(count: int) -> None:
    """``count`` Salesforce contacts."""
    sf = connect_salesforce(profile="sandbox")
    frame = pd.DataFrame(
        {
            "Email": [f"c{i}@example.com" for i in range(count)],
            "LastName": [f"Contact{i}" for i in range(count)],
        }
    )
    sf.write("Contact", frame, operation="insert").raise_for_errors()


def last_names() -> tuple[dict[str, str], dict[str, str]]:
    """The Salesforce contacts' last names by Id, and DI project 1001's by ``f_SalesforceId``."""
    sf = connect_salesforce(profile="sandbox").read("Contact", columns=["Id", "LastName"])
    di = connect_dialoginsight(profile="sandbox")
    rows = di.read("Contact", columns=["f_SalesforceId", "f_LastName"], project=1001)
    di.close()
    return dict(zip(sf["Id"], sf["LastName"], strict=True)), dict(
        zip(rows["f_SalesforceId"], rows["f_LastName"], strict=True)
    )


def set_last_name(sf_id: str, *, sf: str | None = None, di: str | None = None) -> None:
    """Rename the contact ``sf_id`` in Salesforce (``sf``) and/or in DI project 1001 (``di``)."""
    if sf is not None:
        frame = pd.DataFrame({"Id": [sf_id], "LastName": [sf]})
        connect_salesforce(profile="sandbox").write(
            "Contact", frame, operation="update"
        ).raise_for_errors()
    if di is not None:
        frame = pd.DataFrame({"f_SalesforceId": [sf_id], "f_LastName": [di]})
        system = connect_dialoginsight(profile="sandbox")
        system.write("Contact", frame, operation="update", project=1001).raise_for_errors()
        system.close()


def seed_both_sides(world: World, mapping: Path, count: int) -> pd.DataFrame:
    """``count`` Salesforce contacts, the same in DI project 1001, and a first ``both`` run of
    ``mapping`` (which writes ``BOTH_MAPPING``); the Salesforce contacts as read."""
    mapping.write_text(BOTH_MAPPING, encoding="utf-8")
    seed_sf_contacts(count)
    sf = connect_salesforce(profile="sandbox").read("Contact", columns=["Id", "Email", "LastName"])
    same = pd.DataFrame(
        {"f_SalesforceId": sf["Id"], "f_EMail": sf["Email"], "f_LastName": sf["LastName"]}
    )
    di = connect_dialoginsight(profile="sandbox")
    di.write("Contact", same, operation="upsert", project=1001).raise_for_errors()
    di.close()
    first = world.run("apply", str(mapping), "--profile", "sandbox")
    assert first.returncode == 0, first.stderr
    return sf

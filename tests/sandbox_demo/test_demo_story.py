"""The two demo seeds tell one story: shared keys, and every kind of change in each transfer.

Both sides are read over HTTPS with plain clients (simple-salesforce, raw OFC4 calls), and the
kinds of change are worked out here from what they hold, with the demo mapping's pairs and
simple normalization (trimmed text, emails without case, dates in one form; a null in the
source leaves the target alone). The plan command must then find the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
from email_validator import EmailNotValidError, validate_email
from simple_salesforce import Salesforce

from ditoolkit.cli import main
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from tests.sandbox_dialoginsight.conftest import DiApi
from tests.sandbox_salesforce.conftest import login

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "mappings" / "demo.yml"
CONTACT_SOQL = (
    "SELECT Id, Email, FirstName, LastName, Phone, Birthdate, Account.Name FROM Contact "
    "WHERE Email != null"
)
LEAD_SOQL = (
    "SELECT DI_Contact_Id__c, Email, FirstName, LastName, Company, Phone, "
    "DI_Optin_Newsletter__c FROM Lead"
)
Row = dict[str, Any]


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _email(value: Any) -> Any:
    text = _text(value)
    return text.lower() if isinstance(text, str) else text


def _date(value: Any) -> Any:
    text = _text(value)
    return text.replace(".", "-") if isinstance(text, str) else text


def _valid_email(value: Any) -> bool:
    if value is None:
        return True
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@dataclass
class Transfer:
    """One transfer's rows, keyed, with its field pairs (source name, target name, normalizer)."""

    source: dict[str, Row]
    target: dict[str, Row]
    pairs: list[tuple[str, str, Callable[[Any], Any]]]
    held: Callable[[Row], bool]
    kinds: dict[str, set[str]] = field(default_factory=dict)

    def classify(self) -> Transfer:
        kinds: dict[str, set[str]] = {k: set() for k in ("insert", "update", "unchanged")}
        kinds["held_back"] = {key for key, row in self.source.items() if self.held(row)}
        kinds["target_only"] = set(self.target) - set(self.source)
        kinds["respelled"] = set()
        for key, row in self.source.items():
            if key in kinds["held_back"]:
                continue
            if key not in self.target:
                kinds["insert"].add(key)
                continue
            other = self.target[key]
            changed = [
                s
                for s, t, norm in self.pairs
                if norm(row.get(s)) is not None and norm(row.get(s)) != norm(other.get(t))
            ]
            kinds["update" if changed else "unchanged"].add(key)
            if not changed and any(row.get(s) != other.get(t) for s, t, _ in self.pairs):
                kinds["respelled"].add(key)
        self.kinds = kinds
        return self


@dataclass
class Sides:
    """Everything the demo sandboxes hold that the demo mapping reads."""

    contacts: list[Row]
    deleted_contacts: set[str]
    leads: list[Row]
    members: list[Row]
    acquired: list[Row]
    purchases: list[Row]


def _read(sf: Salesforce, di: DiApi) -> Sides:
    contacts = sf.query_all(CONTACT_SOQL)["records"]
    for row in contacts:
        row["Account.Name"] = (row.pop("Account") or {}).get("Name")
    everyone = sf.query_all("SELECT Id, IsDeleted FROM Contact", include_deleted=True)
    return Sides(
        contacts=contacts,
        deleted_contacts={r["Id"] for r in everyone["records"] if r["IsDeleted"]},
        leads=sf.query_all(LEAD_SOQL)["records"],
        members=di.get(1001, MaxRows=5000),
        acquired=di.get(1002, MaxRows=5000),
        purchases=di.ok("RelationalTables.Get", {"idTable": 2001})["Records"],
    )


@pytest.fixture(scope="module")
def sides(demo_sandbox: SandboxProcess) -> Sides:
    return _read(login(demo_sandbox.salesforce), DiApi(demo_sandbox.dialoginsight))


@pytest.fixture(scope="module")
def contacts_to_di(sides: Sides) -> Transfer:
    pairs = [
        ("Email", "f_EMail", _email),
        ("FirstName", "f_FirstName", _text),
        ("LastName", "f_LastName", _text),
        ("Phone", "f_Phone", _text),
        ("Birthdate", "f_dateNaissance", _date),
        ("Account.Name", "f_Company", _text),
    ]

    def held(row: Row) -> bool:
        too_long = any(len(row.get(s) or "") > 100 for s, _, _ in pairs)
        return too_long or not _valid_email(_email(row["Email"]))

    source = {r["Id"]: r for r in sides.contacts}
    target = {r["f_SalesforceId"]: r for r in sides.members}
    return Transfer(source, target, pairs, held).classify()


@pytest.fixture(scope="module")
def acquisition_to_leads(sides: Sides) -> Transfer:
    pairs = [
        ("f_EMail", "Email", _email),
        ("f_FirstName", "FirstName", _text),
        ("f_LastName", "LastName", _text),
        ("f_Company", "Company", lambda v: _text(v) or "[not provided]"),
        ("f_Phone", "Phone", _text),
        ("optin_Newsletter", "DI_Optin_Newsletter__c", lambda v: v),
    ]

    def held(row: Row) -> bool:
        first, last = _text(row["f_FirstName"]) or "", _text(row["f_LastName"]) or ""
        bad_email = not _valid_email(_email(row["f_EMail"]))
        return bad_email or not last or len(first) > 40 or len(last) > 80

    source = {str(r["idContact"]): r for r in sides.acquired}
    target = {r["DI_Contact_Id__c"]: r for r in sides.leads if r["DI_Contact_Id__c"]}
    return Transfer(source, target, pairs, held).classify()


@pytest.mark.parametrize("name", ["contacts_to_di", "acquisition_to_leads"])
def test_every_kind_of_change_shows(name: str, request: pytest.FixtureRequest) -> None:
    transfer: Transfer = request.getfixturevalue(name)
    kinds = transfer.kinds
    assert set(transfer.source) & set(transfer.target), "the two sides share keys"
    for kind in ("insert", "update", "unchanged", "held_back", "target_only", "respelled"):
        assert kinds[kind], f"{name}: no {kind} row"
    assert len(kinds["insert"]) > len(kinds["update"]) + len(kinds["unchanged"])


def test_members_missing_from_salesforce_were_deleted_there(
    sides: Sides, contacts_to_di: Transfer
) -> None:
    gone = contacts_to_di.kinds["target_only"]
    assert gone <= sides.deleted_contacts
    linked = {p["idContact"] for p in sides.purchases}
    shared = {
        r["idContact"] for k, r in contacts_to_di.target.items() if k in contacts_to_di.source
    }
    assert linked & shared and linked <= {r["idContact"] for r in sides.members}


def test_acquired_opt_ins_are_set_unset_and_never_set(sides: Sides) -> None:
    assert {r["optin_Newsletter"] for r in sides.acquired} == {True, False, None}


def test_tradeshow_file_meets_some_acquired_contacts(sides: Sides) -> None:
    scans = pd.read_csv(
        ROOT / "mappings/data/tradeshow.csv", sep=";", encoding="cp1252", dtype=str
    ).dropna(subset=["Courriel"])
    scans["key"] = scans["Courriel"].str.strip().str.lower()
    scans = scans.drop_duplicates("key", keep=False).set_index("key")
    held = {_email(r["f_EMail"]): r for r in sides.acquired}
    pairs = [
        ("Prénom", "f_FirstName"),
        ("Nom", "f_LastName"),
        ("Société", "f_Company"),
        ("Téléphone", "f_Phone"),
    ]
    met = [key for key in scans.index if key in held]
    changed = [
        key for key in met if any(_text(scans.at[key, s]) != _text(held[key][t]) for s, t in pairs)
    ]
    assert changed and len(changed) < len(met)


@pytest.fixture(scope="module")
def plan_counts(
    demo_sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("story-plan")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DITOOLKIT_SANDBOX_DIR", str(demo_sandbox.data_dir))
        assert main(["plan", str(MAPPING), "--profile", "sandbox", "--out", str(out)]) == 0
    yield out


@pytest.mark.parametrize("name", ["contacts_to_di", "acquisition_to_leads"])
def test_the_plan_finds_the_same_rows(
    plan_counts: Path, name: str, request: pytest.FixtureRequest
) -> None:
    kinds = request.getfixturevalue(name).kinds
    plan = pd.read_csv(plan_counts / name / "plan.csv", dtype=str)
    errors = pd.read_csv(plan_counts / name / "errors.csv", dtype=str)
    counts = json.loads((plan_counts / name / "summary.json").read_text())["counts"]
    for operation in ("insert", "update"):
        assert set(plan.loc[plan["operation"] == operation, "key"]) == kinds[operation]
    assert set(errors["key"]) == kinds["held_back"]
    assert counts["unchanged"] == len(kinds["unchanged"])


def test_tradeshow_plan_has_updates_and_unchanged_rows(plan_counts: Path) -> None:
    counts = json.loads((plan_counts / "tradeshow_csv_to_di" / "summary.json").read_text())
    assert counts["counts"]["update"] > 0 and counts["counts"]["unchanged"] > 0


def _snapshot(sf: Salesforce, di: DiApi) -> dict[str, Any]:
    soql = {
        "Account": "SELECT Id, Name, Industry, BillingCity FROM Account ORDER BY Id",
        "Contact": "SELECT Id, FirstName, LastName, Email, Phone, Birthdate, AccountId, "
        "HasOptedOutOfEmail, DI_Optin_Newsletter__c, DI_Contact_Id__c, IsDeleted "
        "FROM Contact ORDER BY Id",
        "Lead": "SELECT Id, FirstName, LastName, Company, Email, Phone, Status, "
        "DI_Contact_Id__c FROM Lead ORDER BY Id",
    }
    records = {o: sf.query_all(q, include_deleted=True)["records"] for o, q in soql.items()}
    return records | {
        "1001": di.get(1001, MaxRows=5000),
        "1002": di.get(1002, MaxRows=5000),
        "2001": di.ok("RelationalTables.Get", {"idTable": 2001})["Records"],
    }


def _reset_data(info: dict[str, Any]) -> None:
    base = info.get("instance_url") or info["base_url"].split("/webservices/")[0]
    answer = requests.post(
        f"{base}/__sandbox__/reset", json={"data": True}, verify=info["ca_bundle"], timeout=30
    )
    assert answer.status_code == 200, answer.text


def test_two_fresh_data_dirs_hold_the_same_story(
    demo_sandbox: SandboxProcess, tmp_path: Path
) -> None:
    first = _snapshot(login(demo_sandbox.salesforce), DiApi(demo_sandbox.dialoginsight))
    with start_sandbox(tmp_path, seed="demo") as fresh:
        sf, di = login(fresh.salesforce), DiApi(fresh.dialoginsight)
        assert _snapshot(sf, di) == first
        sf.Contact.create({"LastName": "Written before the reset"})  # moves the id counter on
        di.merge(
            1002, [{"ID": {"key_f_EMail": "x@example.com"}, "Data": {"f_EMail": "x@example.com"}}]
        )
        for info in (fresh.salesforce, fresh.dialoginsight):
            _reset_data(info)
        assert _snapshot(sf, di) == first  # a reset re-seeds the same ids on both sides
    assert all(first.values())

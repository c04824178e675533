"""The demo seed of the Salesforce sandbox: the demo cast's records, ids and traps."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from email_validator import EmailNotValidError, validate_email
from simple_salesforce import Salesforce

from ditoolkit.sandbox.demo_people import demo_cast
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from tests.sandbox_salesforce.conftest import login


@pytest.fixture(scope="module")
def demo(demo_sandbox: SandboxProcess) -> Salesforce:
    return login(demo_sandbox.salesforce)


def _all(sf: Salesforce, soql: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
    return list(sf.query_all(soql, include_deleted=include_deleted)["records"])


def test_volume_is_the_casts_and_modest(demo: Salesforce) -> None:
    cast = demo_cast()
    counts = {
        o: demo.query(f"SELECT COUNT() FROM {o}")["totalSize"]
        for o in ("Account", "Contact", "Lead")
    }
    live = [c for c in cast.contacts if not c.deleted]
    assert counts == {"Account": len(cast.accounts), "Contact": len(live), "Lead": len(cast.leads)}
    assert 200 <= counts["Contact"] <= 400 and 50 <= counts["Lead"] <= 400


def test_contacts_have_the_ids_the_cast_gives_them(demo: Salesforce) -> None:
    rows = _all(demo, "SELECT Id, Email, IsDeleted FROM Contact ORDER BY Id", include_deleted=True)
    cast = demo_cast().contacts
    assert [r["Id"] for r in rows] == [c.salesforce_id for c in cast]
    assert [r["Email"] for r in rows] == [c.person.email for c in cast]
    deleted = {r["Id"] for r in rows if r["IsDeleted"]}
    assert deleted and deleted == {c.salesforce_id for c in cast if c.deleted}


def _undeliverable(emails: list[str]) -> int:
    count = 0
    for email in emails:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            count += 1
    return count


def test_traps_are_present(demo: Salesforce) -> None:
    contacts = _all(
        demo,
        "SELECT FirstName, LastName, Email, HasOptedOutOfEmail, Account.Name, "
        "DI_Optin_Newsletter__c, DI_Contact_Id__c, AccountId FROM Contact",
    )
    emails = [c["Email"] for c in contacts if c["Email"]]
    assert _undeliverable(emails) > 0 and len(emails) < len(contacts)
    assert {c["HasOptedOutOfEmail"] for c in contacts} == {True, False}
    assert {c["DI_Optin_Newsletter__c"] for c in contacts} == {True, False}
    assert 0 < sum(1 for c in contacts if c["DI_Contact_Id__c"]) < len(contacts)
    people = Counter((c["FirstName"].strip(), c["LastName"]) for c in contacts)
    assert any(n > 1 for n in people.values())  # near-duplicates
    assert any(c["Account"] and len(c["Account"]["Name"]) > 100 for c in contacts)
    assert any(c["AccountId"] is None for c in contacts)
    leads = _all(demo, "SELECT Company, Status, Email, DI_Contact_Id__c FROM Lead")
    assert any(len(lead["Company"]) > 100 for lead in leads)
    assert len({lead["Status"] for lead in leads}) > 1
    assert _undeliverable([lead["Email"] for lead in leads if lead["Email"]]) > 0
    pushed = [lead["DI_Contact_Id__c"] for lead in leads if lead["DI_Contact_Id__c"]]
    assert pushed and all(value.isdigit() for value in pushed)  # DI idContact values
    assert len(pushed) < len(leads)


def test_demo_is_deterministic(demo: Salesforce, tmp_path: Path) -> None:
    soql = "SELECT Id, Name, Email, Phone, Birthdate, Account.Name FROM Contact ORDER BY Id"
    leads = "SELECT Name, Email, Company, DI_Contact_Id__c FROM Lead ORDER BY Id"
    with start_sandbox(tmp_path, seed="demo") as other:
        fresh = login(other.salesforce)
        assert _all(fresh, soql) == _all(demo, soql)
        assert _all(fresh, leads) == _all(demo, leads)

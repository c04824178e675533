"""The demo seed of the Salesforce sandbox: volume and the traps a sync must meet."""

from __future__ import annotations

from typing import Any

import pytest
from email_validator import EmailNotValidError, validate_email
from simple_salesforce import Salesforce

from ditoolkit.sandbox.process import SandboxProcess
from tests.sandbox_salesforce.conftest import login


@pytest.fixture(scope="module")
def demo(demo_sandbox: SandboxProcess) -> Salesforce:
    return login(demo_sandbox.salesforce)


def _all(sf: Salesforce, soql: str) -> list[dict[str, Any]]:
    return list(sf.query_all(soql)["records"])


def test_volume(demo: Salesforce) -> None:
    counts = {
        o: demo.query(f"SELECT COUNT() FROM {o}")["totalSize"]
        for o in ("Account", "Contact", "Lead")
    }
    assert counts == {"Account": 50, "Contact": 300, "Lead": 200}


def test_traps_are_present(demo: Salesforce) -> None:
    contacts = _all(
        demo,
        "SELECT FirstName, LastName, Email, HasOptedOutOfEmail, "
        "DI_Optin_Newsletter__c, DI_Contact_Id__c, AccountId FROM Contact",
    )
    emails = [c["Email"] for c in contacts if c["Email"]]
    undeliverable = 0
    for email in emails:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            undeliverable += 1
    assert undeliverable > 0 and len(emails) < len(contacts)
    assert {c["HasOptedOutOfEmail"] for c in contacts} == {True, False}
    assert {c["DI_Optin_Newsletter__c"] for c in contacts} == {True, False}
    assert 0 < sum(1 for c in contacts if c["DI_Contact_Id__c"]) < len(contacts)
    people = [(c["FirstName"].strip(), c["LastName"]) for c in contacts]
    assert len(set(people)) < len(people)  # near-duplicates
    leads = _all(demo, "SELECT Company, Status FROM Lead")
    assert any(len(lead["Company"]) > 100 for lead in leads)
    assert len({lead["Status"] for lead in leads}) > 1


def test_demo_is_deterministic(demo: Salesforce, tmp_path: Any) -> None:
    from ditoolkit.sandbox.process import start_sandbox

    soql = "SELECT Name, Email FROM Contact ORDER BY Id"
    with start_sandbox(tmp_path, seed="demo") as other:
        assert _all(login(other.salesforce), soql) == _all(demo, soql)

"""sObject REST on the Salesforce sandbox through unmodified simple-salesforce."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from tests.sandbox_salesforce.conftest import Rest

SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")


def case_suffix(id15: str) -> str:
    """The case-safe suffix, computed independently of the sandbox's code."""
    out = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, c in enumerate(id15[start : start + 5]) if c.isupper())
        out += SUFFIX[bits]
    return out


def _error(exc: pytest.ExceptionInfo[Any]) -> dict[str, Any]:
    content = exc.value.content
    assert isinstance(content, list) and len(content) >= 1
    return dict(content[0])


def test_versions_and_resources(api: Rest) -> None:
    versions = api.call("GET", api.root + "/services/data").json()
    assert versions[-1] == {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"}
    assert "51.0" in [v["version"] for v in versions]
    resources = api.call("GET", "").json()
    assert resources["query"] == "/services/data/v59.0/query"
    assert api.call("GET", api.root + "/services/data/v60.0/limits").status_code == 404


def test_describe_global_and_object(sf: Salesforce) -> None:
    names = {o["name"]: o for o in sf.describe()["sobjects"]}
    assert {"Account", "Contact", "Lead", "User", "Organization"} <= set(names)
    assert names["Lead"]["keyPrefix"] == "00Q" and names["Contact"]["keyPrefix"] == "003"
    fields = {f["name"]: f for f in sf.Contact.describe()["fields"]}
    assert fields["LastName"]["nillable"] is False and fields["LastName"]["length"] == 80
    assert fields["Email"]["type"] == "email"
    assert fields["AccountId"]["referenceTo"] == ["Account"]
    assert fields["AccountId"]["relationshipName"] == "Account"
    ext = fields["DI_Contact_Id__c"]
    assert (ext["externalId"], ext["unique"], ext["length"], ext["custom"]) == (
        True,
        True,
        20,
        True,
    )
    assert fields["CreatedDate"]["createable"] is False
    status = {f["name"]: f for f in sf.Lead.describe()["fields"]}["Status"]
    assert status["restrictedPicklist"] is True
    assert [p["value"] for p in status["picklistValues"]][0] == "Open - Not Contacted"
    assert sf.Lead.metadata()["objectDescribe"]["name"] == "Lead"


def test_unknown_object_is_not_found(sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound) as failure:
        sf.Nope.describe()
    assert _error(failure)["errorCode"] == "NOT_FOUND"


def test_create_get_update_delete(sf: Salesforce) -> None:
    created = sf.Contact.create({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@x.org"})
    rid = created["id"]
    assert created["success"] is True and created["errors"] == []
    assert len(rid) == 18 and rid.startswith("003") and rid[15:] == case_suffix(rid[:15])
    record = sf.Contact.get(rid)
    assert record["attributes"] == {
        "type": "Contact",
        "url": f"/services/data/v59.0/sobjects/Contact/{rid}",
    }
    assert record["Name"] == "Ada Lovelace" and record["IsDeleted"] is False
    assert record["HasOptedOutOfEmail"] is False
    assert DATETIME.fullmatch(record["CreatedDate"]) and record["CreatedById"].startswith("005")
    assert record["OwnerId"] == record["CreatedById"]
    assert sf.Contact.update(rid[:15], {"FirstName": "Augusta"}) == 204
    again = sf.Contact.get(rid)
    assert again["Name"] == "Augusta Lovelace"
    assert again["SystemModstamp"] >= record["SystemModstamp"]
    assert sf.Contact.delete(rid) == 204
    with pytest.raises(SalesforceResourceNotFound) as failure:
        sf.Contact.get(rid)
    assert _error(failure)["errorCode"] == "NOT_FOUND"


def test_get_with_fields(api: Rest, sf: Salesforce) -> None:
    rid = sf.Account.create({"Name": "Acme", "BillingCity": "Laval"})["id"]
    body = api.call("GET", f"/sobjects/Account/{rid}?fields=Name,BillingCity").json()
    assert set(body) == {"attributes", "Name", "BillingCity"}
    bad = api.call("GET", f"/sobjects/Account/{rid}?fields=Nope")
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_FIELD"


def test_lead_status_default_and_system_fields_on_create(sf: Salesforce) -> None:
    rid = sf.Lead.create({"LastName": "Roy", "Company": "Roy inc."})["id"]
    lead = sf.Lead.get(rid)
    assert lead["Status"] == "Open - Not Contacted" and rid.startswith("00Q")
    assert lead["CreatedDate"] == lead["LastModifiedDate"] == lead["SystemModstamp"]


def test_upsert_statuses_and_get_by_external_id(sf: Salesforce) -> None:
    first = sf.Contact.upsert("DI_Contact_Id__c/K 1", {"LastName": "One"}, raw_response=True)
    assert first.status_code == 201 and first.json()["created"] is True
    second = sf.Contact.upsert("DI_Contact_Id__c/K 1", {"LastName": "Two"}, raw_response=True)
    assert second.status_code == 200
    assert second.json() == {
        "id": first.json()["id"],
        "success": True,
        "errors": [],
        "created": False,
    }
    assert sf.Contact.get_by_custom_id("DI_Contact_Id__c", "K 1")["LastName"] == "Two"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get_by_custom_id("DI_Contact_Id__c", "missing")


def test_upsert_matching_several_records_is_300(sf: Salesforce) -> None:
    ids = [sf.Account.create({"Name": n, "Legacy_Id__c": "L1"})["id"] for n in ("A", "B")]
    with pytest.raises(SalesforceMoreThanOneRecord) as failure:
        sf.Account.upsert("Legacy_Id__c/L1", {"Name": "C"})
    assert sorted(failure.value.content) == sorted(
        f"/services/data/v59.0/sobjects/Account/{i}" for i in ids
    )


def test_upsert_on_a_field_that_is_not_an_external_id(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.upsert("Email/a@b.co", {"LastName": "X"})
    assert _error(failure)["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.upsert("Nope__c/1", {"LastName": "X"})


CASES = [
    (
        "Contact",
        {"FirstName": "x"},
        "REQUIRED_FIELD_MISSING",
        ["LastName"],
        "Required fields are missing: [LastName]",
    ),
    ("Lead", {"LastName": "x"}, "REQUIRED_FIELD_MISSING", ["Company"], None),
    (
        "Contact",
        {"LastName": "x" * 81},
        "STRING_TOO_LONG",
        ["LastName"],
        f"Last Name: data value too large: {'x' * 81} (max length=80)",
    ),
    (
        "Contact",
        {"LastName": "x", "Email": "not-an-email"},
        "INVALID_EMAIL_ADDRESS",
        ["Email"],
        "Email: invalid email address: not-an-email",
    ),
    (
        "Lead",
        {"LastName": "x", "Company": "c", "Status": "Maybe"},
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ["Status"],
        "Lead Status: bad value for restricted picklist field: Maybe",
    ),
    (
        "Contact",
        {"LastName": "x", "AccountId": "001xyz"},
        "MALFORMED_ID",
        ["AccountId"],
        "Account ID: id value of incorrect type: 001xyz",
    ),
    (
        "Contact",
        {"LastName": "x", "AccountId": "0015g0000000ZZZ"},
        "INVALID_CROSS_REFERENCE_KEY",
        ["AccountId"],
        "invalid cross reference id",
    ),
    (
        "Contact",
        {"LastName": "x", "CreatedDate": "2020-01-01T00:00:00Z"},
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        ["CreatedDate"],
        None,
    ),
    (
        "Contact",
        {"LastName": "x", "Nope__c": 1},
        "INVALID_FIELD",
        ["Nope__c"],
        "No such column 'Nope__c' on sobject of type Contact",
    ),
    (
        "Contact",
        {"LastName": "x", "Birthdate": "31/01/2000"},
        "JSON_PARSER_ERROR",
        ["Birthdate"],
        None,
    ),
    (
        "Contact",
        {"LastName": "x", "HasOptedOutOfEmail": "maybe"},
        "JSON_PARSER_ERROR",
        ["HasOptedOutOfEmail"],
        None,
    ),
]


@pytest.mark.parametrize(("obj", "record", "code", "fields", "message"), CASES)
def test_validation_errors(
    sf: Salesforce,
    obj: str,
    record: dict[str, Any],
    code: str,
    fields: list[str],
    message: str | None,
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        getattr(sf, obj).create(record)
    error = _error(failure)
    assert (error["errorCode"], error["fields"]) == (code, fields)
    if message is not None:
        assert error["message"] == message
    assert sf.query(f"SELECT COUNT() FROM {obj}")["totalSize"] == 0


def test_duplicate_value_names_the_record(sf: Salesforce) -> None:
    rid = sf.Contact.create({"LastName": "A", "DI_Contact_Id__c": "D-1"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.create({"LastName": "B", "DI_Contact_Id__c": "d-1"})
    error = _error(failure)
    assert error["errorCode"] == "DUPLICATE_VALUE"
    assert error["message"] == (
        f"duplicate value found: DI_Contact_Id__c duplicates value on record with id: {rid}"
    )


def test_update_of_a_deleted_record_is_entity_is_deleted(sf: Salesforce) -> None:
    rid = sf.Contact.create({"LastName": "Gone"})["id"]
    sf.Contact.delete(rid)
    with pytest.raises(SalesforceResourceNotFound) as failure:
        sf.Contact.update(rid, {"LastName": "Back"})
    assert _error(failure)["errorCode"] == "ENTITY_IS_DELETED"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.update("0035g0000000ZZZ", {"LastName": "Never"})


def test_bad_json_body(api: Rest) -> None:
    answer = api.call(
        "POST", "/sobjects/Contact", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_deleted_and_updated_windows(sf: Salesforce) -> None:
    keep = sf.Contact.create({"LastName": "Keep"})["id"]
    gone = sf.Contact.create({"LastName": "Gone"})["id"]
    sf.Contact.delete(gone)
    start = datetime.now(UTC) - timedelta(minutes=5)
    end = datetime.now(UTC) + timedelta(minutes=1)
    deleted = sf.Contact.deleted(start, end)
    assert [d["id"] for d in deleted["deletedRecords"]] == [gone]
    assert DATETIME.fullmatch(deleted["deletedRecords"][0]["deletedDate"])
    assert sf.Contact.updated(start, end)["ids"] == [keep]


def test_null_clears_a_field_and_absent_keys_are_left(sf: Salesforce) -> None:
    rid = sf.Contact.create({"LastName": "N", "Email": "n@x.org", "Phone": "555"})["id"]
    sf.Contact.update(rid, {"Email": None})
    record = sf.Contact.get(rid)
    assert record["Email"] is None and record["Phone"] == "555"

"""sObject Collections on the Salesforce sandbox (plain requests: simple-salesforce lacks them)."""

from __future__ import annotations

from typing import Any

from simple_salesforce import Salesforce

from tests.sandbox_salesforce.conftest import Rest

ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was "
    "using AllOrNone header",
    "fields": [],
}


def _contacts(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [{"attributes": {"type": "Contact"}, "LastName": f"L{i}", **extra} for i in range(count)]


def test_create_mixed_types_in_request_order(api: Rest, sf: Salesforce) -> None:
    records = [
        {"attributes": {"type": "Account"}, "Name": "Acme"},
        {"attributes": {"type": "Contact"}, "LastName": "Doe"},
        {"attributes": {"type": "Contact"}, "FirstName": "NoLast"},
    ]
    answer = api.call("POST", "/composite/sobjects", json={"allOrNone": False, "records": records})
    assert answer.status_code == 200
    results = answer.json()
    assert results[0]["id"].startswith("001") and results[0]["success"] is True
    assert results[1]["id"].startswith("003") and results[1]["errors"] == []
    assert results[2] == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            }
        ],
    }
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 1


def test_all_or_none_rolls_back_every_record(api: Rest, sf: Salesforce) -> None:
    records = [
        {"attributes": {"type": "Account"}, "Name": "Acme"},
        *_contacts(2),
        {"attributes": {"type": "Contact"}, "LastName": "x", "Email": "bad"},
    ]
    results = api.call(
        "POST", "/composite/sobjects", json={"allOrNone": True, "records": records}
    ).json()
    assert [r["success"] for r in results] == [False] * 4
    assert results[0]["errors"] == [ROLLED_BACK] and results[1]["errors"] == [ROLLED_BACK]
    assert results[3]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 0
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0


def test_more_than_200_records_is_refused(api: Rest, sf: Salesforce) -> None:
    answer = api.call("POST", "/composite/sobjects", json={"records": _contacts(201)})
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0


def test_update_upsert_retrieve_delete(api: Rest, sf: Salesforce) -> None:
    ids = [
        r["id"]
        for r in api.call("POST", "/composite/sobjects", json={"records": _contacts(3)}).json()
    ]
    updates = [{"attributes": {"type": "Contact"}, "id": i, "FirstName": "F"} for i in ids]
    updates.append({"attributes": {"type": "Contact"}, "id": "0035g0000000ZZZ", "FirstName": "F"})
    results = api.call("PATCH", "/composite/sobjects", json={"records": updates}).json()
    assert [r["success"] for r in results] == [True, True, True, False]
    assert results[3]["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    upserts = [
        {"attributes": {"type": "Contact"}, "DI_Contact_Id__c": "A", "LastName": "New"},
        {"attributes": {"type": "Contact"}, "DI_Contact_Id__c": "B", "LastName": "New"},
    ]
    first = api.call(
        "PATCH", "/composite/sobjects/Contact/DI_Contact_Id__c", json={"records": upserts}
    )
    assert [r["created"] for r in first.json()] == [True, True]
    second = api.call(
        "PATCH", "/composite/sobjects/Contact/DI_Contact_Id__c", json={"records": upserts}
    )
    assert [r["created"] for r in second.json()] == [False, False]
    assert [r["id"] for r in second.json()] == [r["id"] for r in first.json()]
    got = api.call(
        "GET", f"/composite/sobjects/Contact?ids={ids[0]},0035g0000000ZZZ&fields=Id,FirstName"
    ).json()
    assert got[0]["FirstName"] == "F" and got[1] is None
    posted = api.call(
        "POST", "/composite/sobjects/Contact", json={"ids": ids[:2], "fields": ["LastName"]}
    )
    assert [r["LastName"] for r in posted.json()] == ["L0", "L1"]
    deleted = api.call(
        "DELETE", f"/composite/sobjects?ids={ids[0]},{ids[0][:15]}x&allOrNone=false"
    ).json()
    assert deleted[0] == {"id": ids[0], "success": True, "errors": []}
    assert (
        deleted[1]["success"] is False and deleted[1]["errors"][0]["statusCode"] == "MALFORMED_ID"
    )
    again = api.call("DELETE", f"/composite/sobjects?ids={ids[0]}").json()
    assert again[0]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED" and again[0]["id"] == ids[0]
    assert (
        sf.query_all("SELECT Id FROM Contact WHERE IsDeleted = true", include_deleted=True)[
            "totalSize"
        ]
        == 1
    )


def test_duplicate_external_ids_within_a_request(api: Rest) -> None:
    upserts = [
        {"attributes": {"type": "Contact"}, "DI_Contact_Id__c": "Same", "LastName": "A"},
        {"attributes": {"type": "Contact"}, "DI_Contact_Id__c": "same", "LastName": "B"},
    ]
    results = api.call(
        "PATCH", "/composite/sobjects/Contact/DI_Contact_Id__c", json={"records": upserts}
    ).json()
    assert [r["errors"][0]["statusCode"] for r in results] == ["DUPLICATE_VALUE"] * 2
    inserts = [
        {"attributes": {"type": "Lead"}, "LastName": "A", "Company": "C", "DI_Contact_Id__c": "Q"},
        {"attributes": {"type": "Lead"}, "LastName": "B", "Company": "C", "DI_Contact_Id__c": "q"},
    ]
    results = api.call("POST", "/composite/sobjects", json={"records": inserts}).json()
    assert results[0]["success"] is True
    assert results[1]["errors"][0] == {
        "statusCode": "DUPLICATE_VALUE",
        "message": "duplicate value found: <unknown> duplicates value on record with id: <unknown>",
        "fields": ["DI_Contact_Id__c"],
    }

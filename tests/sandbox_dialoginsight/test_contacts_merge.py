"""Contacts.Merge: keys, MergeOptions, per-record results, validation, opt-ins; Contacts.Delete."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox_dialoginsight.conftest import DiApi, by_email, clause


def test_created_then_updated_then_unchanged(di: DiApi) -> None:
    first = di.merge(1002, [by_email("claire@example.com", f_FirstName="Claire")])
    assert (first["CreatedRecords"], first["UpdatedRecords"]) == (1, 0)
    created = first["Records"][0]
    assert created["Status"] == "Created" and created["ValidationResult"] == "OK"
    assert created["Message"] is None and isinstance(created["IdRecord"], int)
    assert created["ID"] == {"key_f_EMail": "claire@example.com"}
    assert created["Data"] is None and created["Record"] is None
    second = di.merge(1002, [by_email("claire@example.com", f_LastName="Brown")])
    assert (second["CreatedRecords"], second["UpdatedRecords"]) == (0, 1)
    assert second["Records"][0]["Status"] == "Updated"
    assert second["Records"][0]["IdRecord"] == created["IdRecord"]
    third = di.merge(1002, [by_email("claire@example.com", f_LastName="Brown")])
    assert third["Records"][0]["Status"] == "Unchanged" and third["UpdatedRecords"] == 0
    (stored,) = di.get(1002)
    assert (stored["f_FirstName"], stored["f_LastName"]) == ("Claire", "Brown")


def test_email_keys_match_without_case(di: DiApi) -> None:
    di.merge(1002, [by_email("Claire@Example.com", f_FirstName="Claire")])
    answer = di.merge(
        1002, [{"ID": {"key_f_EMail": "claire@example.COM"}, "Data": {"f_Phone": "514 555 0101"}}]
    )
    assert answer["Records"][0]["Status"] == "Updated"
    (stored,) = di.get(1002)
    assert stored["f_EMail"] == "Claire@Example.com" and stored["f_Phone"] == "514 555 0101"


def test_update_by_id_contact_never_inserts(di: DiApi) -> None:
    id_contact = di.merge(1002, [by_email("a@example.com")])["Records"][0]["IdRecord"]
    answer = di.merge(
        1002,
        [{"ID": {"idContact": id_contact}, "Data": {"f_FirstName": "Ann"}},
         {"ID": {"idContact": 987654}, "Data": {"f_FirstName": "Nobody"}}],
        AllowInsert=True,
    )  # fmt: skip
    assert [r["Status"] for r in answer["Records"]] == ["Updated", "Error"]
    assert answer["Records"][1]["ValidationResult"] == "RecordNotFound"
    assert [r["f_FirstName"] for r in di.get(1002)] == ["Ann"]


def test_allow_insert_false_reports_or_skips_unmatched(di: DiApi) -> None:
    records = [by_email("new@example.com")]
    refused = di.merge(1002, records, AllowInsert=False)["Records"][0]
    assert (refused["Status"], refused["ValidationResult"]) == ("Error", "RecordNotFound")
    skipped = di.merge(1002, records, AllowInsert=False, SkipUnmatchedRecords=True)["Records"][0]
    assert (skipped["Status"], skipped["ValidationResult"]) == ("Skipped", "OK")
    assert skipped["Message"]
    assert di.get(1002) == []


def test_allow_update_false_inserts_only(di: DiApi) -> None:
    di.merge(1002, [by_email("old@example.com", f_FirstName="Old")])
    answer = di.merge(
        1002,
        [by_email("old@example.com", f_FirstName="Changed"), by_email("new@example.com")],
        AllowInsert=True, AllowUpdate=False,
    )  # fmt: skip
    assert [r["Status"] for r in answer["Records"]] == ["Skipped", "Created"]
    assert answer["CreatedRecords"] == 1 and answer["UpdatedRecords"] == 0
    assert [r["f_FirstName"] for r in di.get(1002)] == ["Old", None]


@pytest.mark.parametrize("skip", [False, True])
def test_duplicate_keys_in_one_call_first_wins(di: DiApi, skip: bool) -> None:
    records = [
        by_email("dup@example.com", f_FirstName="First"),
        by_email("DUP@example.com", f_FirstName="Second"),
        by_email("other@example.com"),
        by_email("dup@example.com", f_FirstName="Third"),
    ]
    answer = di.merge(1002, records, SkipDuplicateRecords=skip)
    statuses = [r["Status"] for r in answer["Records"]]
    later = "Skipped" if skip else "Error"
    assert statuses == ["Created", later, "Created", later]
    if not skip:
        assert answer["Records"][1]["ValidationResult"] == "DuplicateRecord"
    assert answer["CreatedRecords"] == 2
    assert [r["f_FirstName"] for r in di.get(1002)] == ["First", None]


def test_return_records_on_success_and_on_error(di: DiApi) -> None:
    records = [by_email("ok@example.com", f_FirstName="Ok"), by_email("bad@", f_FirstName="Bad")]
    plain = di.merge(1002, records)["Records"]
    assert [(r["Record"], r["Data"]) for r in plain] == [(None, None), (None, None)]
    di.admin("POST", "reset", {"data": True})
    both = di.merge(1002, records, ReturnRecordsOnSuccess=True, ReturnRecordsOnError=True)[
        "Records"
    ]
    assert both[0]["Record"]["f_FirstName"] == "Ok"
    assert both[0]["Record"]["idContact"] == both[0]["IdRecord"]
    assert both[0]["Data"] is None
    assert both[1]["Record"] is None and both[1]["Data"] == records[1]["Data"]


def test_omitted_options_default_to_upsert(di: DiApi) -> None:
    di.merge(1002, [by_email("a@example.com")])
    answer = di.ok(
        "Contacts.Merge",
        {
            "idProject": 1002,
            "Records": [by_email("a@example.com", f_FirstName="A"), by_email("b@example.com")],
            "MergeOptions": {"AllowInsert": True, "FieldOptions": None},
        },
    )
    assert [r["Status"] for r in answer["Records"]] == ["Updated", "Created"]


def test_too_many_records_in_one_call(di: DiApi) -> None:
    records = [by_email(f"x{i}@example.com") for i in range(1001)]
    answer = di.call("Contacts.Merge", {"idProject": 1002, "Records": records})
    assert answer["Success"] is False and answer["ErrorCode"] == "TooManyRecords"
    assert di.get(1002) == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"f_FirstName": "x" * 101}, "TooLong"),
        ({"f_EMail": "not-an-email"}, "InvalidEmail"),
        ({"f_EMail": " a@example.com"}, "InvalidEmail"),
        ({"f_EMail": "a@@example.com"}, "InvalidEmail"),
        ({"f_dateNaissance": "17/05/1980"}, "InvalidDate"),
        ({"f_dateNaissance": "1980.02.30"}, "InvalidDate"),
        ({"f_dateNaissance": "1700.01.01"}, "InvalidDate"),
        ({"f_Phone": "call me"}, "InvalidPhone"),
        ({"f_FirstName": {"text": "x"}}, "InvalidText"),
        ({"f_FirstName": True}, "InvalidText"),
        ({"optin_Newsletter": "yes"}, "InvalidBoolean"),
        ({"optin_Newsletter": 2}, "InvalidBoolean"),
    ],
)
def test_validation_failures_are_per_record(di: DiApi, data: dict[str, Any], code: str) -> None:
    records = [
        {"ID": {"key_f_SalesforceId": "003000000000001AAA"}, "Data": data},
        {"ID": {"key_f_SalesforceId": "003000000000002AAA"}, "Data": {"f_FirstName": "Fine"}},
    ]
    answer = di.merge(1001, records)
    bad, good = answer["Records"]
    assert (bad["Status"], bad["ValidationResult"]) == ("Error", code)
    assert next(iter(data)) in bad["Message"]
    assert good["Status"] == "Created" and answer["CreatedRecords"] == 1
    assert [r["f_SalesforceId"] for r in di.get(1001)] == ["003000000000002AAA"]


@pytest.mark.parametrize(
    ("ids", "code"),
    [
        ({}, "MissingKey"),
        ({"key_f_SalesforceId": ""}, "MissingKey"),
        ({"key_f_SalesforceId": "003000000000001AAAX"}, "TooLong"),
        ({"idContact": "abc"}, "InvalidInteger"),
    ],
)
def test_key_problems_are_per_record(di: DiApi, ids: dict[str, Any], code: str) -> None:
    record = di.merge(1001, [{"ID": ids, "Data": {"f_FirstName": "X"}}])["Records"][0]
    assert (record["Status"], record["ValidationResult"]) == ("Error", code)


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("f_dateNaissance", "1980.05.17", "1980.05.17"),
        ("f_dateNaissance", "1980-05-17", "1980.05.17"),
        ("f_dateNaissance", "1980.05.17 00:00:00", "1980.05.17"),
        ("f_FirstName", "  Spaces kept  ", "  Spaces kept  "),
        ("f_FirstName", "x" * 100, "x" * 100),
        ("f_Company", 42, "42"),
        ("f_EMail", "élodie@exemple.fr", "élodie@exemple.fr"),
        ("f_Phone", "+1 (514) 555-0101 ext. 12", "+1 (514) 555-0101 ext. 12"),
        ("optin_Newsletter", "1", True),
        ("optin_Newsletter", "0", False),
        ("optin_Newsletter", True, True),
        ("optin_Newsletter", "false", False),
        ("optin_Newsletter", 1, True),
    ],
)
def test_accepted_value_forms(di: DiApi, field: str, value: Any, stored: Any) -> None:
    record = {"ID": {"key_f_SalesforceId": "003000000000001AAA"}, "Data": {field: value}}
    assert di.merge(1001, [record])["Records"][0]["Status"] == "Created"
    assert di.get(1001)[0][field] == stored


def test_unknown_or_miscased_fields_fail_the_call(di: DiApi) -> None:
    for data in (
        {"f_firstname": "x"},
        {"FirstName": "x"},
        {"optin_newsletter": "1"},
        {"idContact": 3},
    ):
        answer = di.call(
            "Contacts.Merge", {"idProject": 1002, "Records": [by_email("a@example.com", **data)]}
        )
        assert answer["ErrorCode"] == "InvalidField", data
    answer = di.call(
        "Contacts.Merge", {"idProject": 1002, "Records": [{"ID": {"key_f_email": "a@example.com"}}]}
    )
    assert answer["ErrorCode"] == "InvalidField"
    answer = di.call(
        "Contacts.Merge", {"idProject": 1002, "Records": [{"ID": {"key_idContact": 1}}]}
    )
    assert answer["ErrorCode"] == "InvalidField"
    assert di.get(1002) == []


def test_optins_three_states_never_back_to_unset(di: DiApi) -> None:
    di.merge(1002, [by_email("a@example.com"), by_email("b@example.com", optin_Newsletter="1")])
    assert [r["optin_Newsletter"] for r in di.get(1002)] == [None, True]
    di.merge(
        1002,
        [
            by_email("a@example.com", optin_Newsletter="0"),
            by_email("b@example.com", optin_Newsletter=None),
        ],
    )
    assert [r["optin_Newsletter"] for r in di.get(1002)] == [False, True]
    answer = di.merge(1002, [by_email("a@example.com", optin_Newsletter="")])
    assert answer["Records"][0]["Status"] == "Unchanged"
    assert di.get(1002)[0]["optin_Newsletter"] is False


def test_null_clears_a_field_but_never_the_key(di: DiApi) -> None:
    di.merge(
        1001, [{"ID": {"key_f_SalesforceId": "003000000000001AAA"}, "Data": {"f_FirstName": "A"}}]
    )
    answer = di.merge(
        1001, [{"ID": {"key_f_SalesforceId": "003000000000001AAA"}, "Data": {"f_FirstName": None}}]
    )
    assert answer["Records"][0]["Status"] == "Updated"
    assert di.get(1001)[0]["f_FirstName"] is None
    answer = di.merge(
        1001, [{"ID": {"key_f_SalesforceId": "003000000000001AAA"}, "Data": {"f_SalesforceId": ""}}]
    )
    assert answer["Records"][0]["ValidationResult"] == "MissingKey"


def test_changing_a_key_and_key_conflicts(di: DiApi) -> None:
    di.merge(1002, [by_email("a@example.com"), by_email("b@example.com")])
    moved = di.merge(
        1002, [{"ID": {"key_f_EMail": "a@example.com"}, "Data": {"f_EMail": "c@example.com"}}]
    )
    assert moved["Records"][0]["Status"] == "Updated"
    taken = di.merge(
        1002, [{"ID": {"key_f_EMail": "c@example.com"}, "Data": {"f_EMail": "B@example.com"}}]
    )
    assert taken["Records"][0]["ValidationResult"] == "DuplicateKey"
    clash = di.merge(
        1002, [{"ID": {"key_f_EMail": "d@example.com"}, "Data": {"f_EMail": "e@example.com"}}]
    )
    assert clash["Records"][0]["ValidationResult"] == "KeyConflict"
    assert sorted(r["f_EMail"] for r in di.get(1002)) == ["b@example.com", "c@example.com"]


def test_contacts_delete(di: DiApi) -> None:
    di.merge(
        1002, [by_email(f"d{i}@example.com", f_Company="Acme" if i < 3 else None) for i in range(5)]
    )
    answer = di.ok(
        "Contacts.Delete",
        {"idProject": 1002, "Clause": clause("f_Company", "Equal", "Acme"), "MaxRows": 2},
    )
    assert answer["DeletedRecords"] == 2
    answer = di.ok(
        "Contacts.Delete", {"idProject": 1002, "Clause": [clause("f_Company", "Equal", "Acme")]}
    )
    assert answer["DeletedRecords"] == 1
    assert [r["f_EMail"] for r in di.get(1002)] == ["d3@example.com", "d4@example.com"]
    assert di.call("Contacts.Delete", {"idProject": 1002})["ErrorCode"] == "InvalidClause"
    assert len(di.get(1002)) == 2


def test_deleted_ids_are_not_reused(di: DiApi) -> None:
    first = di.merge(1002, [by_email("a@example.com")])["Records"][0]["IdRecord"]
    di.ok("Contacts.Delete", {"idProject": 1002, "Clause": clause("idContact", "Equal", first)})
    again = di.merge(1002, [by_email("a@example.com")])["Records"][0]["IdRecord"]
    assert again > first

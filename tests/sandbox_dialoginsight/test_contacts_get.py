"""Contacts.Get: flat records, clauses (every operator, arrays as AND), MaxRows, paging."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox_dialoginsight.conftest import DiApi, by_email, clause


def _members(di: DiApi) -> None:
    rows = [
        ("003000000000001AAA", "ana@example.com", "Ana", "1980.05.17", "1"),
        ("003000000000002AAA", "BOB@Example.com", "Bob", "1975-01-02", "0"),
        ("003000000000003AAA", None, "Cleo", None, None),
        ("003000000000004AAA", "dan@example.com", None, "2001.12.31 00:00:00", True),
    ]
    records = [
        {
            "ID": {"key_f_SalesforceId": sf_id},
            "Data": {
                "f_EMail": email,
                "f_FirstName": first,
                "f_dateNaissance": born,
                "optin_Newsletter": optin,
            },
        }  # fmt: skip
        for sf_id, email, first, born, optin in rows
    ]
    assert di.merge(1001, records)["CreatedRecords"] == 4


def _names(records: list[dict[str, Any]]) -> list[Any]:
    return [r["f_FirstName"] for r in records]


def test_records_are_flat_with_every_field_and_optin(di: DiApi) -> None:
    _members(di)
    first = di.get(1001)[0]
    assert first == {
        "idContact": first["idContact"],
        "f_SalesforceId": "003000000000001AAA",
        "f_EMail": "ana@example.com",
        "f_FirstName": "Ana",
        "f_LastName": None,
        "f_Phone": None,
        "f_dateNaissance": "1980.05.17",
        "f_Company": None,
        "optin_Newsletter": True,
        "optin_Promotions": None,
    }


def test_dates_come_back_dotted_and_optins_in_three_states(di: DiApi) -> None:
    _members(di)
    records = di.get(1001)
    assert [r["f_dateNaissance"] for r in records] == [
        "1980.05.17",
        "1975.01.02",
        None,
        "2001.12.31",
    ]
    assert [r["optin_Newsletter"] for r in records] == [True, False, None, True]


def test_records_are_ordered_by_id_contact(di: DiApi) -> None:
    di.merge(1002, [by_email(f"p{i}@example.com") for i in (5, 3, 9, 1)])
    ids = [r["idContact"] for r in di.get(1002)]
    assert ids == sorted(ids) and len(ids) == 4


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (clause("f_FirstName", "Equal", "Bob"), ["Bob"]),
        (clause("f_EMail", "Equal", "bob@EXAMPLE.com"), ["Bob"]),  # emails ignore case
        (clause("f_FirstName", "NotEqual", "Bob"), ["Ana", "Cleo"]),  # NULL never matches
        (clause("f_dateNaissance", "GreaterThan", "1979.01.01"), ["Ana", None]),
        (clause("f_dateNaissance", "LessThan", "1980-05-17"), ["Bob"]),
        (clause("f_EMail", "IsNull"), ["Cleo"]),
        (clause("f_FirstName", "IsNotNull"), ["Ana", "Bob", "Cleo"]),
        (clause("f_FirstName", "In", ["Ana", "Cleo", "Zed"]), ["Ana", "Cleo"]),
        (clause("optin_Newsletter", "Equal", "1"), ["Ana", None]),
        (clause("optin_Newsletter", "Equal", False), ["Bob"]),
        (clause("optin_Newsletter", "IsNull"), ["Cleo"]),
        (clause("f_SalesforceId", "Equal", "003000000000003AAA"), ["Cleo"]),
        ([clause("f_EMail", "IsNotNull"), clause("optin_Newsletter", "Equal", "1")], ["Ana", None]),
        ([clause("f_EMail", "IsNotNull"), clause("f_FirstName", "Equal", "Ana")], ["Ana"]),
        ([], ["Ana", "Bob", "Cleo", None]),
    ],
)
def test_clauses(di: DiApi, where: Any, expected: list[Any]) -> None:
    _members(di)
    assert _names(di.get(1001, where)) == expected


def test_id_contact_clauses(di: DiApi) -> None:
    _members(di)
    ids = [r["idContact"] for r in di.get(1001)]
    assert [
        r["idContact"] for r in di.get(1001, clause("idContact", "GreaterThan", ids[1]))
    ] == ids[2:]
    assert _names(di.get(1001, clause("idContact", "Equal", ids[0]))) == ["Ana"]
    assert _names(di.get(1001, clause("idContact", "In", [ids[0], ids[3]]))) == ["Ana", None]


@pytest.mark.parametrize(
    ("where", "code"),
    [
        (clause("f_email", "Equal", "x"), "InvalidField"),  # codes are case-sensitive
        (clause("EMail", "Equal", "x"), "InvalidField"),
        (clause("optin_newsletter", "IsNull"), "InvalidField"),
        (clause("f_EMail", "Like", "x"), "InvalidClause"),
        (clause("f_EMail", "In", "x"), "InvalidClause"),
        (clause("idContact", "GreaterThan", "abc"), "InvalidClause"),
        (clause("f_dateNaissance", "LessThan", "17/05/1980"), "InvalidClause"),
        (clause("f_EMail", "Equal"), "InvalidClause"),
        ({"$type": "GroupClause", "Clauses": []}, "InvalidClause"),
        (
            {"Field": {"Name": "f_EMail"}, "TypeOperator": "Equal", "ComparisonValue": "x"},
            "InvalidClause",
        ),
        ("f_EMail = 'x'", "InvalidClause"),
    ],
)
def test_bad_clauses_fail_the_call(di: DiApi, where: Any, code: str) -> None:
    answer = di.call("Contacts.Get", {"idProject": 1001, "Clause": where})
    assert answer["Success"] is False and answer["ErrorCode"] == code
    assert answer["ErrorMessage"]


def test_max_rows_limits_and_is_capped_at_1000(di: DiApi) -> None:
    di.merge(1002, [by_email(f"m{i}@example.com") for i in range(1000)])
    di.merge(1002, [by_email(f"n{i}@example.com") for i in range(5)])
    assert len(di.get(1002, MaxRows=3)) == 3
    assert len(di.get(1002, MaxRows=5000)) == 1000
    assert len(di.get(1002)) == 1000  # no MaxRows: at most 1,000 as well


def test_paging_a_10000_contact_project_by_id_contact(di: DiApi) -> None:
    for batch in range(10):
        records = [by_email(f"c{batch}-{i}@example.com", f_LastName=f"L{i}") for i in range(1000)]
        assert di.merge(1002, records)["CreatedRecords"] == 1000
    seen: list[int] = []
    last = 0
    while True:
        page = di.get(1002, clause("idContact", "GreaterThan", last), MaxRows=1000)
        if not page:
            break
        seen += [r["idContact"] for r in page]
        last = page[-1]["idContact"]
    assert len(seen) == 10_000 and len(set(seen)) == 10_000 and seen == sorted(seen)

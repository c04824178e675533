"""Quality checks: each reason, severities, hold-backs, and the email fast path."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from ditoolkit.core.quality import check_quality
from ditoolkit.core.quality_rules import Reason, email_is_valid, invalid_emails
from ditoolkit.errors import DitoolkitError, QualityError
from ditoolkit.port import FieldSchema, FieldType, TableSchema

T = FieldType
LEAD = TableSchema(
    "salesforce",
    "Lead",
    (
        FieldSchema("DI_Contact_Id__c", T.STRING, length=20, external_id=True, unique=True),
        FieldSchema("LastName", T.STRING, length=10, required=True),
        FieldSchema("Email", T.EMAIL),
        FieldSchema("Phone", T.PHONE),
        FieldSchema("Status", T.PICKLIST, picklist_values=("Open", "Working"), restricted=True),
        FieldSchema("LeadSource", T.PICKLIST, picklist_values=("Web",)),
        FieldSchema("Birthdate", T.DATE),
        FieldSchema("Seen", T.DATETIME),
        FieldSchema("Score", T.DECIMAL, scale=2),
        FieldSchema("Optin", T.BOOLEAN),
    ),
)
KEY = "DI_Contact_Id__c"
GOOD = "K1,Smith,a@x.com,+1 514 555 0101,Open,Web,2000-01-31,2024-01-31T12:00:00Z,1.5,1"
HEADER = "_line,DI_Contact_Id__c,LastName,Email,Phone,Status,LeadSource,Birthdate,Seen,Score,Optin"


def _frame(*rows: str) -> pd.DataFrame:
    text = HEADER + "\n" + "\n".join(f"{i + 2},{r}" for i, r in enumerate(rows))
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _bad(column: str, value: str) -> str:
    values = dict(zip(HEADER.split(",")[1:], GOOD.split(","), strict=True))
    values[column] = value
    return ",".join(values.values())


@pytest.mark.parametrize(
    ("column", "value", "reason", "blocking"),
    [
        (KEY, "", Reason.MISSING_KEY, True),
        ("LastName", "", Reason.REQUIRED_MISSING, True),
        ("LastName", "Longerthanten", Reason.TOO_LONG, True),
        ("Email", "not-an-email", Reason.INVALID_EMAIL, True),
        ("Email", "a@@x.com", Reason.INVALID_EMAIL, True),
        ("Email", "a..b@x.com", Reason.INVALID_EMAIL, True),
        ("Email", "a@localhost", Reason.INVALID_EMAIL, True),
        ("Phone", "12", Reason.INVALID_PHONE, False),
        ("Status", "Closed", Reason.NOT_IN_PICKLIST, True),
        ("Birthdate", "31-31-2000", Reason.UNPARSABLE_DATE, True),
        ("Birthdate", "1699.12.31", Reason.DATE_OUT_OF_RANGE, True),
        ("Birthdate", "4001-01-01", Reason.DATE_OUT_OF_RANGE, True),
        ("Seen", "yesterday", Reason.UNPARSABLE_DATE, True),
        ("Score", "1.5.2", Reason.NOT_A_NUMBER, True),
        ("Optin", "peut-être", Reason.NOT_A_BOOLEAN, True),
    ],
)
def test_each_reason(column: str, value: str, reason: Reason, blocking: bool) -> None:
    report = check_quality(
        _frame(GOOD.replace("K1", "K0"), _bad(column, value)), key=KEY, schema=LEAD
    )
    found = report.findings
    assert found[["field", "reason"]].values.tolist() == [[column, reason.value]]
    assert found["line"].tolist() == ["3"]  # the source line travels with the finding
    assert found["value"].tolist() == [value]
    assert len(report.held_back) == int(blocking)
    assert len(report.passed) == 2 - int(blocking)


def test_clean_rows_have_no_findings() -> None:
    report = check_quality(
        _frame(GOOD, GOOD.replace("K1", "K2").replace("Open", "open")), key=KEY, schema=LEAD
    )
    assert report.findings.empty and report.ok and len(report.passed) == 2


def test_unrestricted_picklist_accepts_other_values() -> None:
    report = check_quality(_frame(_bad("LeadSource", "Fair")), key=KEY, schema=LEAD)
    assert report.findings.empty


def test_duplicate_keys_are_all_shown_and_all_held_back() -> None:
    frame = _frame(
        GOOD, GOOD.replace("K1", "K2"), GOOD.replace("K1", " k1 ").replace("Smith", "Other"), GOOD
    )
    report = check_quality(frame, key=KEY, schema=LEAD)
    dup = report.findings[report.findings["reason"] == "DUPLICATE_KEY"]
    assert dup["line"].tolist() == ["2", "5"]  # " k1 " is another key: IDs keep their case
    assert report.held_back["_line"].tolist() == ["2", "5"]
    assert report.held_back_keys().tolist() == ["K1"]


def test_email_keys_are_compared_case_folded() -> None:
    schema = TableSchema("dialoginsight", "Contact", (FieldSchema("f_EMail", T.EMAIL, key=True),))
    frame = pd.DataFrame({"f_EMail": ["A@x.com", "a@x.com ", "b@x.com"]})
    report = check_quality(frame, key="f_EMail", schema=schema)
    assert report.held_back.index.tolist() == [0, 1]


def test_a_row_with_several_findings_is_one_error_row() -> None:
    report = check_quality(
        _frame(_bad("Score", "x").replace("a@x.com", "bad")), key=KEY, schema=LEAD
    )
    errors = report.errors_frame()
    assert len(errors) == 1
    assert set(errors["reason"].iloc[0].split(";")) == {"INVALID_EMAIL", "NOT_A_NUMBER"}


def test_severity_overrides() -> None:
    frame = _frame(_bad("Phone", "12"))
    assert check_quality(frame, key=KEY, schema=LEAD).ok
    strict = check_quality(frame, key=KEY, schema=LEAD, severities={"INVALID_PHONE": "blocking"})
    assert not strict.ok
    assert check_quality(frame, key=KEY, schema=LEAD, phone_region=None).findings.empty


def test_raise_for_blocking_names_row_key_and_field() -> None:
    report = check_quality(_frame(_bad("Email", "nope")), key=KEY, schema=LEAD)
    with pytest.raises(QualityError, match=r"key 'K1'.*Email is not a valid email"):
        report.raise_for_blocking(table="Lead")


def test_missing_key_column_is_a_clear_error() -> None:
    with pytest.raises(DitoolkitError, match="no key column 'Id'"):
        check_quality(pd.DataFrame({"LastName": ["x"]}), key="Id", schema=LEAD)


@pytest.mark.parametrize(
    "address",
    [
        "a@x.com",
        "first.last+tag@sub.example.co.uk",
        "x_y%z@a-b.ca",
        "A@X.COM",
        "a@x",
        "a@x.test",
        ".a@x.com",
        "a.@x.com",
        "a@-x.com",
        "a@x-.com",
        "a@x..com",
        "très@exemple.fr",
        "a b@x.com",
        '"q"@x.com',
        "a@[127.0.0.1]",
        "a@x.c",
        ("l" * 65) + "@x.com",
        "a@" + ("d" * 64) + ".com",
    ],
)
def test_email_fast_path_agrees_with_email_validator(address: str) -> None:
    normalized = pd.Series([address.lower()], dtype="string")
    assert bool(invalid_emails(normalized)[0]) is (not email_is_valid(address.lower()))


@pytest.mark.slow
def test_email_check_of_many_rows_validates_distinct_values_once() -> None:
    email_is_valid.cache_clear()
    emails = [f"user{i % 50_000}@example{i % 7}.com" for i in range(100_000)] + ["bad@"] * 10
    frame = pd.DataFrame({KEY: [f"K{i}" for i in range(len(emails))], "Email": emails})
    report = check_quality(frame, key=KEY, schema=LEAD)
    assert report.findings["reason"].tolist() == ["INVALID_EMAIL"] * 10
    assert email_is_valid.cache_info().currsize == 1  # the ASCII fast path took the rest

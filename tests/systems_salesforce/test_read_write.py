from __future__ import annotations

import pandas as pd
import pytest

from ditoolkit.errors import AllowanceError, ConfigError
from ditoolkit.port import FieldType


def contacts(n: int, *, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "LastName": [f"Name{i}" for i in range(start, start + n)],
            "FirstName": [f"First{i}" for i in range(start, start + n)],
            "Email": [f"person{i}@example.com" for i in range(start, start + n)],
            "DI_Contact_Id__c": [f"DI{i:06d}" for i in range(start, start + n)],
        }
    )


def test_describe_types_every_default_world_field(sf) -> None:
    schema = sf.describe("contact")
    assert schema.name == "Contact" and schema.key == "Id"
    expected = {
        "Id": FieldType.ID,
        "LastName": FieldType.STRING,
        "Email": FieldType.EMAIL,
        "Phone": FieldType.PHONE,
        "Birthdate": FieldType.DATE,
        "AccountId": FieldType.REFERENCE,
        "HasOptedOutOfEmail": FieldType.BOOLEAN,
        "LeadSource": FieldType.PICKLIST,
        "SystemModstamp": FieldType.DATETIME,
    }
    assert {name: schema.field(name).type for name in expected} == expected
    assert schema.field("LastName").required and schema.field("LastName").length == 80
    assert schema.field("DI_Contact_Id__c").external_id
    assert not schema.field("SystemModstamp").updateable


def test_insert_then_read_round_trips_every_type(sf) -> None:
    account = sf.write("Account", pd.DataFrame({"Name": ["Acme"]}), operation="insert")
    frame = pd.DataFrame(
        {
            "LastName": ["Tremblay", "Roy"],
            "Email": ["a@example.com", None],
            "Birthdate": pd.to_datetime(["1980-02-29", None]),
            "HasOptedOutOfEmail": pd.array([True, False], dtype="boolean"),
            "AccountId": [account.rows[0].id, None],
            "DI_Contact_Id__c": ["DI1", "DI2"],
        }
    )
    result = sf.write("Contact", frame, operation="insert")
    assert result.ok, result.failed()
    back = sf.read(
        "Contact",
        columns=[
            "Id",
            "LastName",
            "Email",
            "Birthdate",
            "HasOptedOutOfEmail",
            "Account.Name",
            "SystemModstamp",
        ],
        where="DI_Contact_Id__c != null",
    ).sort_values("LastName", ignore_index=True)
    assert "attributes" not in back.columns
    assert list(back["LastName"]) == ["Roy", "Tremblay"]
    assert str(back["HasOptedOutOfEmail"].dtype) == "boolean"
    assert back.loc[1, "Birthdate"] == pd.Timestamp("1980-02-29")
    assert back.loc[1, "Account.Name"] == "Acme" and pd.isna(back.loc[0, "Account.Name"])
    assert str(back["SystemModstamp"].dtype) == "datetime64[ns, UTC]"
    assert set(back["Id"]) == {r.id for r in result.rows}


def test_per_row_errors_come_back_in_input_order(sf) -> None:
    frame = contacts(5)
    frame.loc[1, "Email"] = "not-an-email"
    frame.loc[3, "LastName"] = None
    result = sf.write("Contact", frame, operation="insert", key="DI_Contact_Id__c")
    assert [r.row for r in result.rows] == [0, 1, 2, 3, 4]
    assert [r.key for r in result.rows] == list(frame["DI_Contact_Id__c"])
    assert [r.error_code for r in result.rows] == [
        None,
        "INVALID_EMAIL_ADDRESS",
        None,
        "REQUIRED_FIELD_MISSING",
        None,
    ]
    assert result.counts() == {"created": 3, "failed": 2}


def test_upsert_creates_then_updates_without_duplicates(sf) -> None:
    first = sf.write("Contact", contacts(3), operation="upsert", key="DI_Contact_Id__c")
    assert [r.status.value for r in first.rows] == ["created"] * 3
    changed = contacts(3)
    changed["LastName"] = ["A", "B", "C"]
    second = sf.write("Contact", changed, operation="upsert", key="DI_Contact_Id__c")
    assert [r.status.value for r in second.rows] == ["updated"] * 3
    assert [r.id for r in second.rows] == [r.id for r in first.rows]
    assert sf.count("Contact") == 3


def test_null_policy_leave_keeps_values_and_clear_clears_them(sf) -> None:
    created = sf.write("Contact", contacts(2), operation="insert")
    ids = [r.id for r in created.rows]
    frame = pd.DataFrame({"Id": ids, "Email": [None, None]})
    sf.write("Contact", frame.iloc[[0]], operation="update", nulls="leave").raise_for_errors()
    sf.write("Contact", frame.iloc[[1]], operation="update", nulls="clear").raise_for_errors()
    back = sf.read("Contact", columns=["Id", "Email"]).set_index("Id")
    assert back.loc[ids[0], "Email"] == "person0@example.com"
    assert pd.isna(back.loc[ids[1], "Email"])


def test_delete_and_include_deleted(sf) -> None:
    created = sf.write("Contact", contacts(3), operation="insert")
    gone = pd.DataFrame({"Id": [created.rows[0].id]})
    assert sf.write("Contact", gone, operation="delete").rows[0].status.value == "deleted"
    assert sf.count("Contact") == 2
    with_deleted = sf.read("Contact", columns=["Id", "IsDeleted"], include_deleted=True)
    assert len(with_deleted) == 3 and with_deleted["IsDeleted"].sum() == 1


@pytest.mark.parametrize(
    "value",
    ["O'Brien", "back\\slash", "x' OR Name != '", "AND LastName = 'x", 'quote"d', "%_like"],
)
def test_where_values_are_quoted_safely(sf, value) -> None:
    frame = contacts(2)
    frame.loc[0, "LastName"] = value
    sf.write("Contact", frame, operation="insert").raise_for_errors()
    found = sf.read("Contact", columns=["LastName"], where={"LastName": value})
    assert list(found["LastName"]) == [value]
    found = sf.read("Contact", columns=["LastName"], where=("LastName = {}", [value]))
    assert list(found["LastName"]) == [value]


def test_since_reads_only_rows_stamped_at_or_after(sf) -> None:
    sf.write("Contact", contacts(2), operation="insert").raise_for_errors()
    sf.write("Contact", contacts(1, start=10), operation="insert").raise_for_errors()
    stamps = sf.read("Contact", columns=["Id", "SystemModstamp"]).sort_values("SystemModstamp")
    mark = stamps["SystemModstamp"].iloc[-1]
    expected = set(stamps.loc[stamps["SystemModstamp"] >= mark, "Id"])
    found = sf.read("Contact", columns=["Id"], since=mark.to_pydatetime())
    assert set(found["Id"]) == expected and len(expected) < 3
    assert sf.read("Contact", columns=["Id"], since=mark + pd.Timedelta(milliseconds=1)).empty


def test_unknown_column_is_refused_before_any_call(sf, admin) -> None:
    sf.describe("Contact")
    before = admin.calls()
    with pytest.raises(ConfigError, match="Contact has no field"):
        sf.write("Contact", pd.DataFrame({"Nope__c": [1]}), operation="insert")
    assert admin.calls() == before


def test_bulk_path_writes_and_reads_with_results_joined_back(sf, admin) -> None:
    bulk = sf.with_settings(bulk_threshold=50, bulk_poll_seconds=0)
    frame = contacts(120)
    frame.loc[7, "Email"] = "broken@"
    frame.loc[80, "LastName"] = "x" * 81
    result = bulk.write("Contact", frame, operation="insert", key="DI_Contact_Id__c")
    assert len(result) == 120
    assert result.rows[7].error_code == "INVALID_EMAIL_ADDRESS"
    assert result.rows[80].error_code == "STRING_TOO_LONG"
    assert result.counts() == {"created": 118, "failed": 2}
    back = bulk.read("Contact", columns=["Id", "DI_Contact_Id__c"])
    assert len(back) == 118
    ids = dict(zip(back["DI_Contact_Id__c"], back["Id"], strict=True))
    assert all(ids[r.key] == r.id for r in result.rows if r.ok)


def test_collections_use_one_call_per_200_rows(sf, admin) -> None:
    sf.describe("Contact")
    before = admin.calls()
    result = sf.write("Contact", contacts(450), operation="insert")
    assert result.ok
    assert admin.calls() - before == 3


def test_lock_errors_are_retried_on_the_failed_rows(sf, admin) -> None:
    sf.describe("Contact")
    admin.faults(error_rate={"UNABLE_TO_LOCK_ROW": 0.3}, seed=7)
    result = sf.with_settings(lock_retry_rounds=8, backoff_seconds=0.01).write(
        "Contact", contacts(300), operation="insert"
    )
    admin.faults(error_rate={})
    assert result.ok, result.failed()
    assert sf.count("Contact") == 300


def test_allowance_guard_reads_the_limit_header_and_refuses(sf, admin) -> None:
    admin.faults(daily_limit=10)
    sf.describe("Contact")  # its answer carries Sforce-Limit-Info
    used = sf.sf.api_usage["api-usage"]
    assert used.total == 10
    with pytest.raises(AllowanceError, match="kept in reserve"):
        sf.write("Contact", contacts(2000), operation="insert")
    assert sf.count("Contact") == 0


def test_allowance_reserve_is_a_setting(sf, admin) -> None:
    careful = sf.with_settings(allowance_reserve=0.99999)
    sf.describe("Contact")
    with pytest.raises(AllowanceError):
        careful.write("Contact", contacts(5), operation="insert")
    assert sf.write("Contact", contacts(5), operation="insert").ok

"""Contacts over HTTPS against the DI sandbox: schema, merge options, results, reads, deletes."""

from __future__ import annotations

import pandas as pd
import pytest

from ditoolkit.errors import ConfigError, NotFoundError, RejectedError
from ditoolkit.port import FieldType
from ditoolkit.systems.dialoginsight import DialogInsightSystem, read_di_table, write_di_table

ACQ = 1002  # key f_EMail
COMM = 1001  # key f_SalesforceId


def people(*names: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "f_EMail": [f"{n.lower()}@example.com" for n in names],
            "f_FirstName": list(names),
            "f_LastName": [f"{n}son" for n in names],
        }
    )


def test_projects_tables_and_schema(di_system: DialogInsightSystem) -> None:
    projects = di_system.projects().set_index("idProject")
    assert projects.loc[COMM, "type"] == "A" and projects.loc[ACQ, "type"] == "B"
    assert projects.loc[COMM, "name"] == "Communications"
    assert di_system.tables() == ["Contact", "Purchases"]
    schema = di_system.describe("Contact", project=COMM)
    assert schema.key == "f_SalesforceId" and schema.field("f_SalesforceId").length == 18
    assert schema.field("f_dateNaissance").type is FieldType.DATE
    assert schema.field("f_EMail").type is FieldType.EMAIL
    assert [f.name for f in schema if f.optin] == ["optin_Newsletter", "optin_Promotions"]
    assert di_system.describe("Contact", project=ACQ).key == "f_EMail"


def test_upsert_creates_then_updates_and_reads_back(di_system: DialogInsightSystem) -> None:
    first = write_di_table(di_system, "Contact", people("Ann", "Bob"), project=ACQ)
    assert first.ok and [r.status.value for r in first.rows] == ["created", "created"]
    assert all(r.id and r.id.isdigit() for r in first.rows) and first.api_calls == 1
    changed = people("Ann", "Bob").assign(f_LastName=["Annson", "Robertson"])
    second = write_di_table(di_system, "Contact", changed, project=ACQ)
    assert [r.status.value for r in second.rows] == ["unchanged", "updated"]
    assert [r.id for r in second.rows] == [r.id for r in first.rows]
    back = read_di_table(di_system, "Contact", project=ACQ).set_index("f_EMail")
    assert back.loc["bob@example.com", "f_LastName"] == "Robertson"
    assert back.loc["ann@example.com", "idContact"] == first.rows[0].id


def test_insert_only_and_update_only(di_system: DialogInsightSystem) -> None:
    write_di_table(di_system, "Contact", people("Ann"), project=ACQ)
    inserted = di_system.write("Contact", people("Ann", "Cid"), operation="insert", project=ACQ)
    assert [r.status.value for r in inserted.rows] == ["skipped", "created"]
    updated = di_system.write("Contact", people("Ann", "Dee"), operation="update", project=ACQ)
    assert updated.rows[0].status.value in ("updated", "unchanged")
    assert (updated.rows[1].status.value, updated.rows[1].error_code) == (
        "failed",
        "RecordNotFound",
    )
    assert "Dee" not in set(di_system.read("Contact", project=ACQ)["f_FirstName"])


def test_merge_options_pass_through(di_system: DialogInsightSystem) -> None:
    skip = di_system.write(
        "Contact",
        people("Eve"),
        operation="update",
        project=ACQ,
        merge_options={"SkipUnmatchedRecords": True},
    )
    assert skip.ok and skip.rows[0].status.value == "skipped"
    returned = di_system.write(
        "Contact",
        people("Eve"),
        operation="upsert",
        project=ACQ,
        merge_options={"ReturnRecordsOnSuccess": True, "ReturnRecordsOnError": True},
    )
    assert returned.rows[0].status.value == "created"
    dupes = di_system.write(
        "Contact",
        people("Eve"),
        operation="insert",
        project=ACQ,
        merge_options={"SkipDuplicateRecords": True},
    )
    assert dupes.rows[0].status.value == "skipped"


def test_validation_failures_are_failed_rows_in_input_order(di_system: DialogInsightSystem) -> None:
    frame = pd.DataFrame(
        {
            "f_SalesforceId": ["003A", "003B", None, "003D", "003E", "003F" * 5],
            "f_EMail": [
                "ok@example.com",
                "not-an-email",
                "x@example.com",
                "d@example.com",
                None,
                None,
            ],
            "f_FirstName": ["Ok", "B", "C", "D" * 150, "E", "F"],
            "f_dateNaissance": ["1990-01-02", None, None, None, "31/02/1990", None],
        }
    )
    result = di_system.write("Contact", frame, operation="upsert", project=COMM)
    codes = [(r.row, r.status.value, r.error_code) for r in result.rows]
    assert codes == [
        (0, "created", None),
        (1, "failed", "InvalidEmail"),
        (2, "failed", "MissingKey"),
        (3, "failed", "TooLong"),
        (4, "failed", "InvalidValue"),
        (5, "failed", "TooLong"),
    ]
    failed = result.failed()
    assert list(failed["row"]) == [1, 2, 3, 4, 5] and failed["message"].str.len().min() > 5
    assert "f_dateNaissance" in result.rows[4].message
    with pytest.raises(RejectedError, match="5 of 6 rows failed"):
        result.raise_for_errors()


def test_optin_states_and_dates_round_trip(di_system: DialogInsightSystem) -> None:
    frame = pd.DataFrame(
        {
            "f_SalesforceId": ["003000000000001AAA", "003000000000002AAA", "003000000000003AAA"],
            "f_EMail": ["a@example.com", "b@example.com", "c@example.com"],
            "optin_Newsletter": pd.array([True, False, None], dtype="boolean"),
            "f_dateNaissance": pd.to_datetime(["1980-02-29", None, "2001-12-31"]),
        }
    )
    assert di_system.write("Contact", frame, operation="upsert", project=COMM).ok
    back = di_system.read("Contact", project=COMM).set_index("f_SalesforceId")
    assert str(back["optin_Newsletter"].dtype) == "boolean"
    states = back["optin_Newsletter"].tolist()
    assert states[:2] == [True, False] and back["optin_Newsletter"].isna().iloc[2]
    assert back["f_dateNaissance"].iloc[0] == pd.Timestamp("1980-02-29")
    assert pd.isna(back["f_dateNaissance"].iloc[1])
    # an opt-in never goes back to "never set": clearing nulls leaves it as it was
    cleared = frame.assign(optin_Newsletter=pd.array([None, None, None], dtype="boolean"))
    di_system.write("Contact", cleared, operation="update", project=COMM, nulls="clear")
    again = di_system.read("Contact", project=COMM).set_index("f_SalesforceId")
    assert again["optin_Newsletter"].iloc[:2].tolist() == [True, False]


def test_nulls_leave_or_clear(di_system: DialogInsightSystem) -> None:
    write_di_table(di_system, "Contact", people("Ann"), project=ACQ)
    blank = pd.DataFrame({"f_EMail": ["ann@example.com"], "f_LastName": [None]})
    di_system.write("Contact", blank, operation="update", project=ACQ)
    assert di_system.read("Contact", project=ACQ)["f_LastName"].iloc[0] == "Annson"
    di_system.write("Contact", blank, operation="update", project=ACQ, nulls="clear")
    assert pd.isna(di_system.read("Contact", project=ACQ)["f_LastName"].iloc[0])


def test_update_by_idcontact(di_system: DialogInsightSystem) -> None:
    created = write_di_table(di_system, "Contact", people("Ann"), project=ACQ)
    frame = pd.DataFrame(
        {"idContact": [created.rows[0].id, "999999"], "f_FirstName": ["Anne", "X"]}
    )
    result = di_system.write("Contact", frame, operation="update", project=ACQ)
    assert [(r.status.value, r.error_code) for r in result.rows] == [
        ("updated", None),
        ("failed", "RecordNotFound"),
    ]
    assert di_system.read("Contact", project=ACQ)["f_FirstName"].tolist() == ["Anne"]


def test_where_filters_and_columns(di_system: DialogInsightSystem) -> None:
    result = write_di_table(di_system, "Contact", people("Ann", "Bob", "Cid"), project=ACQ)
    ids = [int(r.id or 0) for r in result.rows]
    one = di_system.read("Contact", project=ACQ, where={"f_EMail": "BOB@example.com"})
    assert one["f_FirstName"].tolist() == ["Bob"]
    some = di_system.read(
        "Contact", project=ACQ, where={"f_FirstName": ["Ann", "Cid"]}, columns=["f_FirstName"]
    )
    assert list(some.columns) == ["f_FirstName"] and sorted(some["f_FirstName"]) == ["Ann", "Cid"]
    later = di_system.read("Contact", project=ACQ, where=[("idContact", ">", ids[0])])
    assert later["f_FirstName"].tolist() == ["Bob", "Cid"]
    with pytest.raises(ConfigError, match="no field 'f_Nope'"):
        di_system.read("Contact", project=ACQ, where={"f_Nope": 1})


def test_delete_by_key_reports_every_row(di_system: DialogInsightSystem) -> None:
    write_di_table(di_system, "Contact", people("Ann", "Bob", "Cid"), project=ACQ)
    keys = pd.DataFrame(
        {"f_EMail": ["ANN@example.com", "nobody@example.com", None, "cid@example.com"]}
    )
    result = di_system.write("Contact", keys, operation="delete", project=ACQ)
    assert [(r.status.value, r.error_code) for r in result.rows] == [
        ("deleted", None),
        ("failed", "NotFound"),
        ("failed", "MissingKey"),
        ("deleted", None),
    ]
    assert di_system.read("Contact", project=ACQ)["f_FirstName"].tolist() == ["Bob"]


def test_batches_follow_batch_size(di_system_factory) -> None:  # type: ignore[no-untyped-def]
    di = di_system_factory(batch_size=3)
    result = di.write("Contact", people(*"ABCDEFG"), operation="upsert", project=ACQ)
    assert result.ok and di.client.calls["Contacts.Merge"] == 3 and result.api_calls == 3


def test_bad_requests_are_clear_errors(di_system: DialogInsightSystem) -> None:
    with pytest.raises(ConfigError, match="no field 'f_Nope'"):
        di_system.write("Contact", people("A").assign(f_Nope=1), operation="upsert", project=ACQ)
    with pytest.raises(ConfigError, match="cannot 'hard_delete'"):
        di_system.write("Contact", people("A"), operation="hard_delete", project=ACQ)
    with pytest.raises(ConfigError, match="key column"):
        di_system.write(
            "Contact", pd.DataFrame({"f_FirstName": ["A"]}), operation="upsert", project=ACQ
        )
    with pytest.raises(NotFoundError, match="no table 'Orders'"):
        di_system.read("Orders")
    with pytest.raises(NotFoundError) as caught:
        di_system.describe("Contact", project=4242)
    assert caught.value.code == "ProjectNotFound" and "Projects.Get" in str(caught.value)

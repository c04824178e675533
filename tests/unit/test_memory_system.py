"""The memory system: the reference implementation of the System port."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from ditoolkit.errors import NotFoundError, RejectedError
from ditoolkit.port import FieldSchema, FieldType, System, TableSchema
from ditoolkit.systems.memory import MemorySystem

CONTACT = TableSchema(
    "memory",
    "Contact",
    (
        FieldSchema("Id", FieldType.ID, key=True, createable=False, updateable=False),
        FieldSchema("ExternalId", FieldType.STRING, length=20, external_id=True, unique=True),
        FieldSchema("LastName", FieldType.STRING, length=10, required=True),
        FieldSchema(
            "Status",
            FieldType.PICKLIST,
            picklist_values=("Open", "Closed"),
            restricted=True,
            default="Open",
        ),
        FieldSchema("Score", FieldType.INTEGER),
        FieldSchema("Active", FieldType.BOOLEAN),
        FieldSchema("Birthdate", FieldType.DATE),
        FieldSchema("SystemModstamp", FieldType.DATETIME, createable=False, updateable=False),
    ),
    key="Id",
)


class Clock:
    """A deterministic clock: each call is one minute after the previous."""

    def __init__(self) -> None:
        self.now = datetime(2024, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def make_system() -> MemorySystem:
    return MemorySystem({"Contact": (CONTACT, None)}, clock=Clock())


def test_is_a_system_and_describes_its_tables() -> None:
    system = make_system()
    assert isinstance(system, System)
    assert system.tables() == ["Contact"]
    assert system.describe("Contact") is CONTACT
    with pytest.raises(NotFoundError, match="no table 'Lead'; tables: Contact"):
        system.describe("Lead")
    assert system.calls["describe"] == 2


def test_insert_generates_ids_defaults_stamps_and_types() -> None:
    system = make_system()
    frame = pd.DataFrame(
        {
            "ExternalId": ["e1", "e2"],
            "lastname": ["Ng", "Roy"],  # case-insensitive column names
            "Score": ["7", 3],
            "Active": ["true", False],
            "Birthdate": ["1990-05-01", None],
        }
    )
    result = system.write("Contact", frame, operation="insert")
    assert result.ok and result.api_calls == 1
    assert list(result.frame["status"]) == ["created", "created"]
    read = system.read("Contact")
    assert list(read["Id"]) == list(result.frame["id"])
    assert read["Id"].str.len().tolist() == [15, 15]
    assert read["Status"].tolist() == ["Open", "Open"]
    assert read["Score"].tolist() == [7, 3]
    assert read["Active"].tolist() == [True, False]
    assert read["Birthdate"].iloc[0] == pd.Timestamp("1990-05-01")
    assert pd.isna(read["Birthdate"].iloc[1])
    assert {c: str(t) for c, t in read.dtypes.items()} == {f.name: f.dtype for f in CONTACT}


@pytest.mark.parametrize(
    ("row", "code", "fragment"),
    [
        ({"ExternalId": "x"}, "REQUIRED_FIELD_MISSING", "LastName: a value is required"),
        ({"LastName": "A" * 11}, "STRING_TOO_LONG", "LastName: 11 characters, at most 10"),
        ({"LastName": "A", "Status": "Lost"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Lost"),
        ({"LastName": "A", "Score": "seven"}, "INVALID_TYPE", "Score: 'seven' is not a valid"),
        ({"LastName": "A", "Score": 1.5}, "INVALID_TYPE", "Score"),
        ({"LastName": "A", "Active": "maybe"}, "INVALID_TYPE", "Active"),
        ({"LastName": "A", "Birthdate": "31/31/2020"}, "INVALID_TYPE", "Birthdate"),
        ({"LastName": "A", "Id": "X"}, "INVALID_FIELD_FOR_INSERT_UPDATE", "Id"),
        ({"LastName": "A", "ExternalId": "taken"}, "DUPLICATE_VALUE", "ExternalId: 'taken'"),
    ],
)
def test_a_bad_row_fails_alone_with_a_code(
    row: dict[str, object], code: str, fragment: str
) -> None:
    system = make_system()
    system.write(
        "Contact", pd.DataFrame([{"LastName": "Seed", "ExternalId": "taken"}]), operation="insert"
    )
    good = {"LastName": "Good"}
    frame = pd.DataFrame([good, row, good])
    result = system.write("Contact", frame, operation="insert")
    assert list(result.frame["status"]) == ["created", "failed", "created"]
    failed = result.failed()
    assert failed["row"].tolist() == [1]
    assert failed["error_code"].tolist() == [code]
    assert fragment in failed["message"].iloc[0]
    assert len(system.read("Contact")) == 3


def test_update_upsert_delete_by_key() -> None:
    system = make_system()
    system.write(
        "Contact",
        pd.DataFrame({"ExternalId": ["a", "b"], "LastName": ["A", "B"]}),
        operation="insert",
    )
    upsert = pd.DataFrame({"ExternalId": ["b", "c"], "LastName": ["B2", "C"]})
    result = system.write("Contact", upsert, operation="upsert", key="ExternalId")
    assert list(result.frame["status"]) == ["updated", "created"]
    assert list(result.frame["key"]) == ["b", "c"]
    again = system.write("Contact", upsert, operation="upsert", key="ExternalId")
    assert list(again.frame["status"]) == ["updated", "updated"]
    assert sorted(system.read("Contact")["LastName"]) == ["A", "B2", "C"]
    ids = system.read("Contact", columns=["Id", "ExternalId"])
    first = ids.loc[ids["ExternalId"] == "a", "Id"].iloc[0]
    update = pd.DataFrame({"Id": [first, "NOPE"], "Score": [5, 6]})
    result = system.write("Contact", update, operation="update")
    assert list(result.frame["status"]) == ["updated", "failed"]
    assert result.failed()["error_code"].tolist() == ["NOT_FOUND"]
    cleared = system.write(
        "Contact", pd.DataFrame({"Id": [first], "LastName": [None]}), operation="update"
    )
    assert cleared.failed()["error_code"].tolist() == ["REQUIRED_FIELD_MISSING"]
    deleted = system.write(
        "Contact", pd.DataFrame({"ExternalId": ["a", "zz"]}), operation="delete", key="ExternalId"
    )
    assert list(deleted.frame["status"]) == ["deleted", "failed"]
    assert sorted(system.read("Contact")["ExternalId"]) == ["b", "c"]


def test_upsert_rejects_duplicate_keys_in_one_batch_and_missing_keys() -> None:
    system = make_system()
    frame = pd.DataFrame({"ExternalId": ["d", "d", None, "e"], "LastName": ["1", "2", "3", "4"]})
    result = system.write("Contact", frame, operation="upsert", key="ExternalId")
    assert list(result.frame["error_code"].fillna("")) == [
        "DUPLICATE_EXTERNAL_ID",
        "DUPLICATE_EXTERNAL_ID",
        "MISSING_KEY",
        "",
    ]
    assert system.read("Contact")["ExternalId"].tolist() == ["e"]


def test_whole_call_errors_are_rejected() -> None:
    system = make_system()
    with pytest.raises(RejectedError, match="no field 'Nickname'"):
        system.write("Contact", pd.DataFrame({"Nickname": ["x"]}), operation="insert")
    with pytest.raises(RejectedError, match="unknown operation 'merge'"):
        system.write("Contact", pd.DataFrame({"LastName": ["x"]}), operation="merge")
    with pytest.raises(RejectedError, match="frame has no such column"):
        system.write(
            "Contact", pd.DataFrame({"LastName": ["x"]}), operation="upsert", key="ExternalId"
        )


def test_read_columns_where_and_since() -> None:
    clock = Clock()
    system = MemorySystem({"Contact": (CONTACT, None)}, clock=clock)
    system.write(
        "Contact", pd.DataFrame({"LastName": ["A", "B"], "Score": [1, 5]}), operation="insert"
    )
    mark = clock.now
    system.write("Contact", pd.DataFrame({"LastName": ["C"], "Score": [9]}), operation="insert")
    assert system.read("Contact", since=mark)["LastName"].tolist() == ["C"]
    assert system.read("Contact", since=mark.isoformat())["LastName"].tolist() == ["C"]
    assert system.read("Contact", where="Score > 2")["LastName"].tolist() == ["B", "C"]
    high = system.read("Contact", where=lambda f: f["Score"] >= 5, columns=["lastname"])
    assert list(high.columns) == ["LastName"] and high["LastName"].tolist() == ["B", "C"]
    with pytest.raises(RejectedError, match="cannot filter Contact with 'Score >'"):
        system.read("Contact", where="Score >")
    with pytest.raises(RejectedError, match="no field 'Nope'"):
        system.read("Contact", columns=["Nope"])
    assert system.calls["read"] == 6 and system.calls["write"] == 2


def test_since_needs_a_modstamp_and_initial_rows_are_loaded() -> None:
    plain = TableSchema("memory", "Notes", (FieldSchema("Text", FieldType.STRING),))
    system = MemorySystem({"Notes": (plain, pd.DataFrame({"Text": ["x", None]}))})
    assert system.read("Notes")["Text"].tolist()[0] == "x"
    with pytest.raises(RejectedError, match="has no SystemModstamp field"):
        system.read("Notes", since="2024-01-01")
    with pytest.raises(RejectedError, match="initial row 0 of Contact"):
        MemorySystem({"Contact": (CONTACT, pd.DataFrame({"Score": ["high"]}))})


def test_empty_table_reads_typed() -> None:
    frame = make_system().read("Contact")
    assert frame.empty
    assert {c: str(t) for c, t in frame.dtypes.items()} == {f.name: f.dtype for f in CONTACT}

"""Pure parts of the Dialog Insight client: envelope, errors, values, clauses, paging, schema."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ditoolkit.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    RejectedError,
    RetriableError,
)
from ditoolkit.port import FieldType, RowStatus
from ditoolkit.secrets import Secret
from ditoolkit.systems.dialoginsight import DialogInsightClient, DialogInsightSystem
from ditoolkit.systems.dialoginsight.clauses import build_clauses, paged
from ditoolkit.systems.dialoginsight.failures import call_error
from ditoolkit.systems.dialoginsight.schema import contact_schema
from ditoolkit.systems.dialoginsight.values import records_frame, to_wire, wire_column
from ditoolkit.systems.dialoginsight.writing import merge_results, prepare_rows

KEY = "s3cr3t-key-value"

PROJECT_INFO = {
    "ProjectFields": [
        {"Code": "EMail", "DataType": "Email", "isPrimaryKey": True, "isRequired": True},
        {"Code": "FirstName", "DataType": "ShortText", "Length": 100},
        {"Code": "dateNaissance", "DataType": "Date"},
        {"Code": "Score", "DataType": "Integer"},
        {"Code": "Mystery"},
    ],
    "OptinFields": [{"Code": "Newsletter", "Labels": [{"Value": "News"}]}],
}


def client(**extra: object) -> DialogInsightClient:
    return DialogInsightClient(
        base_url="https://di.example/webservices/ofc4", id_key="7", key=KEY, **extra
    )  # type: ignore[arg-type]


def test_envelope_and_url_follow_the_ofc4_pattern() -> None:
    c = client()
    assert (
        c.url("Contacts", "Merge")
        == "https://di.example/webservices/ofc4/contacts.ashx?method=Merge"
    )
    assert c.url("RelationalTables", "Get").endswith("/relationaltables.ashx?method=Get")
    body = c.envelope({"idProject": 1001})
    assert body == {"AuthKey": {"idKey": 7, "Key": KEY}, "idProject": 1001}


def test_regions_pick_the_documented_hosts() -> None:
    canada = DialogInsightClient(region="canada", id_key=1, key="k")
    france = DialogInsightClient(region="fr", id_key=1, key="k")
    assert canada.base_url == "https://app.dialoginsight.com/webservices/ofc4/"
    assert france.base_url == "https://app.mydialoginsight.com/webservices/ofc4/"
    with pytest.raises(ConfigError, match="unknown Dialog Insight region"):
        DialogInsightClient(region="mars", id_key=1, key="k")


def test_key_never_shows_in_reprs() -> None:
    system = DialogInsightSystem(base_url="https://x/", id_key=3, key=Secret(KEY))
    assert KEY not in repr(system) and KEY not in repr(system.client)
    assert KEY not in str(vars(system.client))


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("InvalidAuthKey", 200, AuthError),
        ("ExpiredAuthKey", 200, AuthError),
        ("IpNotAllowed", 403, AuthError),
        ("PermissionDenied", 200, AuthError),
        ("ProjectNotFound", 200, NotFoundError),
        ("TableNotFound", 404, NotFoundError),
        ("Throttled", 200, RetriableError),
        ("Throttled", 429, RetriableError),
        (None, 503, RetriableError),
        ("InvalidField", 200, RejectedError),
        ("TooManyRecords", 400, RejectedError),
        (None, 401, AuthError),
    ],
)
def test_failures_translate_to_the_error_family(
    code: str | None, status: int, expected: type
) -> None:
    error = call_error(
        "Contacts.Merge",
        body={"Success": False, "ErrorCode": code, "ErrorMessage": f"bad thing {KEY}"},
        status=status,
        scrub=(KEY,),
    )
    assert type(error) is expected
    assert error.code == code and error.system == "dialoginsight" and error.status == status
    assert "Contacts.Merge" in str(error) and KEY not in str(error)


@pytest.mark.parametrize(
    ("value", "kind", "wire"),
    [
        (True, FieldType.BOOLEAN, "1"),
        ("false", FieldType.BOOLEAN, "0"),
        (dt.date(1990, 3, 4), FieldType.DATE, "1990.03.04"),
        ("1990-03-04", FieldType.DATE, "1990.03.04"),
        (pd.Timestamp("2024-05-06 07:08:09", tz="UTC"), FieldType.DATETIME, "2024.05.06 07:08:09"),
        (12.0, FieldType.INTEGER, 12),
        (2.5, FieldType.DECIMAL, 2.5),
        ("123", FieldType.ID, 123),
        (None, FieldType.STRING, None),
        (float("nan"), FieldType.DATE, None),
    ],
)
def test_values_go_on_the_wire_in_dotted_dates_and_1_0(
    value: object, kind: FieldType, wire: object
) -> None:
    assert to_wire(value, kind) == wire


@pytest.mark.parametrize(
    ("value", "kind"),
    [("maybe", FieldType.BOOLEAN), ("31/31/2020", FieldType.DATE), (1.5, FieldType.INTEGER)],
)
def test_bad_values_are_refused_with_a_reason(value: object, kind: FieldType) -> None:
    with pytest.raises(ValueError, match="is not"):
        to_wire(value, kind)


def test_project_schema_types_fields_and_optins() -> None:
    schema = contact_schema(PROJECT_INFO, project=1002)
    assert schema.key == "f_EMail"
    assert schema.field("idContact").type is FieldType.ID
    assert schema.field("f_EMail").key and schema.field("f_EMail").type is FieldType.EMAIL
    assert schema.field("f_FirstName").length == 100
    assert schema.field("f_Mystery").type is FieldType.STRING
    optin = schema.field("optin_Newsletter")
    assert optin.optin and optin.type is FieldType.BOOLEAN and optin.label == "News"


def test_project_schema_degrades_when_keys_are_missing() -> None:
    schema = contact_schema({}, project=1)
    assert schema.names == ["idContact"] and schema.key is None


def test_where_becomes_clauses() -> None:
    schema = contact_schema(PROJECT_INFO, project=1002)
    clauses = build_clauses({"f_EMail": "a@b.c", "f_Score": [1, 2], "f_FirstName": None}, schema)
    assert [c["TypeOperator"] for c in clauses] == ["Equal", "In", "IsNull"]
    assert clauses[0] == {
        "$type": "FieldClause",
        "Field": {"Name": "f_EMail"},
        "TypeOperator": "Equal",
        "ComparisonValue": "a@b.c",
    }
    dated = build_clauses([("f_dateNaissance", ">", "2000-01-31")], schema)
    assert dated[0]["ComparisonValue"] == "2000.01.31"
    with pytest.raises(ConfigError, match="no field 'f_Nope'"):
        build_clauses({"f_Nope": 1}, schema)
    with pytest.raises(ConfigError, match="unknown operator"):
        build_clauses([("f_EMail", "like", "x")], schema)


def test_paging_asks_for_keys_after_the_last_one_seen() -> None:
    rows = [{"idContact": i} for i in range(1, 26)]
    asked: list[object] = []

    def fetch(clause: object, max_rows: int) -> list[dict[str, int]]:
        asked.append(clause)
        after = clause["ComparisonValue"] if isinstance(clause, dict) else 0  # type: ignore[index]
        return [r for r in rows if r["idContact"] > after][:max_rows]

    pages = list(paged(fetch, clauses=[], key="idContact", page_size=10, single_as_object=True))
    assert [len(p) for p in pages] == [10, 10, 5]
    assert asked[0] is None and asked[2]["ComparisonValue"] == 20  # type: ignore[index]


def test_paging_stops_when_the_service_ignores_the_clause() -> None:
    def fetch(clause: object, max_rows: int) -> list[dict[str, int]]:
        return [{"idContact": i} for i in range(max_rows)]

    with pytest.raises(RejectedError, match="no later rows"):
        list(paged(fetch, clauses=[], key="idContact", page_size=5, single_as_object=True))


@pytest.mark.parametrize("kind", list(FieldType))
def test_a_whole_column_goes_on_the_wire_as_each_value_would(kind: FieldType) -> None:
    values = [
        None,
        float("nan"),
        pd.NA,
        "12",
        12.0,
        "2020-01-02",
        dt.date(2020, 1, 2),
        pd.Timestamp("2020-01-02 03:04:05"),
        "maybe",
        True,
        " text ",
    ]
    wire, errors = wire_column(values, kind)
    assert len(wire) == len(values)
    for position, value in enumerate(values):
        try:
            expected = to_wire(value, kind)
        except (ValueError, TypeError, OverflowError) as exc:
            assert errors[position] == str(exc) and wire[position] is None
        else:
            assert position not in errors and wire[position] == expected, (value, kind)


def test_rows_become_merge_records_and_bad_rows_fail_locally() -> None:
    schema = contact_schema(PROJECT_INFO, project=1002)
    frame = pd.DataFrame(
        {
            "f_EMail": ["a@b.c", None, "c@d.e"],
            "f_FirstName": ["Ann", "Bob", None],
            "f_dateNaissance": ["2001-02-03", None, "not a date"],
            "optin_Newsletter": [True, False, None],
        }
    )
    ready, failed = prepare_rows(
        frame, schema, keys=["f_EMail"], contacts=True, clear=True, operation="upsert"
    )
    assert [p.row for p in ready] == [0]
    assert ready[0].record == {
        "ID": {"key_f_EMail": "a@b.c"},
        "Data": {
            "f_EMail": "a@b.c",
            "f_FirstName": "Ann",
            "f_dateNaissance": "2001.02.03",
            "optin_Newsletter": "1",
        },
    }
    assert [(r.row, r.error_code) for r in failed] == [(1, "MissingKey"), (2, "InvalidValue")]
    assert "f_dateNaissance" in (failed[1].message or "")


def test_merge_answers_become_row_results_in_order() -> None:
    schema = contact_schema(PROJECT_INFO, project=1002)
    frame = pd.DataFrame({"f_EMail": ["a@b.c", "B@x.y"], "f_FirstName": ["A", "B"]})
    ready, _ = prepare_rows(
        frame, schema, keys=["f_EMail"], contacts=True, clear=False, operation="upsert"
    )
    answer = {  # out of order and shorter: matched by ID, emails case-insensitively
        "Records": [
            {
                "IdRecord": 9,
                "Status": "Error",
                "ValidationResult": "InvalidEmail",
                "Message": "bad",
                "ID": {"key_f_EMail": "b@x.y"},
            },
        ]
    }
    rows = merge_results(
        ready, answer, operation="upsert", key_specs=[schema.field("f_EMail")], contacts=True
    )
    assert rows[0].status is RowStatus.FAILED and rows[0].error_code == "NoResult"
    assert (rows[1].status, rows[1].error_code, rows[1].message, rows[1].id) == (
        RowStatus.FAILED,
        "InvalidEmail",
        "bad",
        "9",
    )


def test_records_read_into_typed_columns() -> None:
    schema = contact_schema(PROJECT_INFO, project=1002)
    records = [
        {
            "idContact": 5,
            "f_EMail": "a@b.c",
            "f_dateNaissance": "1990.03.04",
            "f_Score": 3,
            "optin_Newsletter": True,
        },
        {
            "idContact": 6,
            "f_EMail": "c@d.e",
            "f_dateNaissance": None,
            "optin_Newsletter": None,
            "extra": 1,
        },
    ]
    frame = records_frame(records, schema)
    assert list(frame["idContact"]) == ["5", "6"]
    assert frame["f_dateNaissance"].iloc[0] == pd.Timestamp("1990-03-04")
    assert (
        str(frame["optin_Newsletter"].dtype) == "boolean"
        and frame["optin_Newsletter"].isna().iloc[1]
    )
    assert str(frame["f_Score"].dtype) == "Int64"

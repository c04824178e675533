"""SOQL engine: queries run against an in-memory org laid out as the sandbox store lays it out."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from soql_org import A1, A2, LIVE, NOW, SCHEMA, U1, C, build_org, count, names, run

from ditoolkit.sandbox.salesforce.soql import CompiledQuery, compile_query, shape_records


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    connection = build_org()
    yield connection
    connection.close()


FILTERS = [
    # equality ignores case; != and NOT IN also match nulls, as in Salesforce
    ("LastName = 'smith'", {"Smith"}),
    ("LastName = 'SMYTH'", {"smyth"}),
    ("LastName != 'Smith'", LIVE - {"Smith"}),
    ("LastName <> 'Smith'", LIVE - {"Smith"}),
    ("Email = null", {"smyth", "100X PureYTest"}),
    ("Email = ''", {"smyth", "100X PureYTest"}),  # blank text is stored, and matched, as null
    ("Email != ''", LIVE - {"smyth", "100X PureYTest"}),
    ("Email IN ('', 'jones@x.com')", {"Jones", "smyth", "100X PureYTest"}),
    ("Email != null", LIVE - {"smyth", "100X PureYTest"}),
    ("Email != 'smith@x.com'", LIVE - {"Smith"}),
    ("LastName IN ('jones', 'SMITH')", {"Jones", "Smith"}),
    ("Email IN ('jones@x.com', null)", {"Jones", "smyth", "100X PureYTest"}),
    ("Email NOT IN ('jones@x.com', 'smith@x.com')", LIVE - {"Jones", "Smith"}),
    ("Email NOT IN ('jones@x.com', null)", LIVE - {"Jones", "smyth", "100X PureYTest"}),
    # LIKE: case-insensitive, % and _ wild unless escaped
    ("LastName LIKE 'sm%'", {"Smith", "smyth"}),
    ("LastName LIKE 'SM_TH'", {"Smith", "smyth"}),
    ("LastName LIKE '100%'", {"100% Pure_Test", "100X PureYTest"}),
    ("LastName LIKE '100\\%%'", {"100% Pure_Test"}),
    ("LastName LIKE '%pure\\_test'", {"100% Pure_Test"}),
    ("LastName LIKE 'back\\\\%'", {"back\\slash"}),
    ("LastName LIKE '%'", LIVE),
    # escapes in ordinary strings
    ("LastName = 'O\\'Hara'", {"O'Hara"}),
    ("LastName = 'back\\\\slash'", {"back\\slash"}),
    # booleans, numbers
    ("HasOptedOutOfEmail = true", {"smyth"}),
    ("HasOptedOutOfEmail = FALSE", LIVE - {"smyth"}),
    ("HasOptedOutOfEmail != true", LIVE - {"smyth"}),
    ("Score__c > 1.5", {"Jones"}),
    ("Score__c >= 1.5", {"Jones", "Smith"}),
    ("Score__c < 0", {"O'Hara"}),
    ("Score__c = -2", {"O'Hara"}),
    ("Score__c <= 3", {"Jones", "Smith", "O'Hara"}),
    # AND / OR / NOT / parentheses; NOT of a test on a null is true
    (
        "LastName = 'Smith' OR LastName = 'Jones' OR Email = null",
        {"Smith", "Jones", "smyth", "100X PureYTest"},
    ),
    ("(LastName = 'Smith' OR LastName = 'Jones') AND Score__c > 2", {"Jones"}),
    ("NOT LastName = 'Smith'", LIVE - {"Smith"}),
    ("NOT (LastName = 'Smith' OR LastName = 'Jones')", LIVE - {"Smith", "Jones"}),
    ("NOT Email = 'smith@x.com'", LIVE - {"Smith"}),
    ("NOT Score__c > 0", LIVE - {"Smith", "Jones"}),
    ("NOT NOT LastName = 'Smith'", {"Smith"}),
    ("NOT (Score__c > 0 AND NOT LastName LIKE 'S%')", LIVE - {"Jones"}),
    # parent paths, outer-join semantics (empty and dangling lookups are null)
    ("Account.Name = 'acme'", {"Smith", "O'Hara"}),
    ("Account.Name = null", {"Jones", "100X PureYTest", "back\\slash"}),
    ("Account.Owner.Name LIKE 'ada%'", {"Smith", "O'Hara", "100% Pure_Test"}),
    ("Account.Owner.Name = null", {"smyth", "Jones", "100X PureYTest", "back\\slash"}),
    ("AccountId = null", {"Jones", "100X PureYTest"}),
    ("Account.NumberOfEmployees > 100", {"Smith", "O'Hara"}),
    # ids: 18 characters, or the 15-character form
    (f"Id = '{C[1]}'", {"Smith"}),
    (f"Id = '{C[1][:15]}'", {"Smith"}),
    (f"Id IN ('{C[1][:15]}', '{C[3]}')", {"Smith", "Jones"}),
    (f"AccountId = '{A1}'", {"Smith", "O'Hara"}),
    (f"Id > '{C[5]}'", {"100X PureYTest", "back\\slash"}),
    # date fields: fixed values and ranges (now = 2024-05-15)
    ("Birthdate = 1980-05-15", {"Smith"}),
    ("Birthdate > 1985-01-01", {"O'Hara", "Jones"}),
    ("Birthdate = THIS_YEAR", {"Jones"}),
    ("Birthdate = THIS_MONTH", {"Jones"}),
    ("Birthdate < THIS_YEAR", {"Smith", "O'Hara"}),
    ("Birthdate = LAST_N_DAYS:14", {"Jones"}),
    ("Birthdate = LAST_N_DAYS:13", set()),
    ("Birthdate != THIS_YEAR", LIVE - {"Jones"}),
    # datetime fields: stored in UTC, literals with Z, offsets or millis
    ("CreatedDate = TODAY", {"Smith"}),
    ("CreatedDate = YESTERDAY", {"smyth"}),
    ("CreatedDate = TOMORROW", {"100% Pure_Test"}),
    ("CreatedDate > TODAY", {"100% Pure_Test"}),
    ("CreatedDate >= TODAY", {"Smith", "100% Pure_Test"}),
    ("CreatedDate < TODAY", {"smyth", "Jones", "O'Hara", "back\\slash"}),
    ("CreatedDate <= YESTERDAY", {"smyth", "Jones", "O'Hara", "back\\slash"}),
    ("CreatedDate = THIS_WEEK", {"Smith", "smyth", "100% Pure_Test"}),
    ("CreatedDate = LAST_MONTH", {"Jones"}),
    ("CreatedDate = LAST_YEAR", {"O'Hara"}),
    ("CreatedDate > THIS_MONTH", set()),
    ("CreatedDate >= THIS_MONTH", {"Smith", "smyth", "100% Pure_Test"}),
    ("CreatedDate = N_DAYS_AGO:1", {"smyth"}),
    ("CreatedDate = LAST_N_DAYS:1", {"Smith", "smyth"}),
    ("CreatedDate = LAST_N_DAYS:15", {"Smith", "smyth", "Jones"}),
    ("CreatedDate = NEXT_N_DAYS:1", {"100% Pure_Test"}),
    ("CreatedDate = LAST_N_YEARS:2", {"O'Hara", "back\\slash"}),
    ("CreatedDate IN (TODAY, LAST_YEAR)", {"Smith", "O'Hara"}),
    ("CreatedDate > 2024-05-15T08:59:59Z", {"Smith", "100% Pure_Test"}),
    ("CreatedDate > 2024-05-15T10:59:59+02:00", {"Smith", "100% Pure_Test"}),
    ("CreatedDate = 2024-05-15T09:00:00.000Z", {"Smith"}),
    ("CreatedDate = 2024-05-15T05:00:00-04:00", {"Smith"}),
    ("CreatedDate = 2024-05-15T09:00:00.5Z", set()),
    ("CreatedDate = null", {"100X PureYTest"}),
]


@pytest.mark.parametrize(("where", "expected"), FILTERS, ids=[w for w, _ in FILTERS])
def test_where_selects_the_rows_salesforce_would(
    db: sqlite3.Connection, where: str, expected: set[str]
) -> None:
    assert names(db, where) == expected


def test_deleted_rows_only_with_include_deleted(db: sqlite3.Connection) -> None:
    assert "Ghost" not in names(db, "LastName != null")
    assert names(db, "LastName = 'ghost'", include_deleted=True) == {"Ghost"}
    assert names(db, "LastName != null", include_deleted=True) == LIVE | {"Ghost"}


def test_keywords_and_names_ignore_case_and_come_back_canonical(db: sqlite3.Connection) -> None:
    soql = "select id, LASTNAME, account.NAME from CONTACT where lastname = 'Smith' order by LastName asc"
    compiled = compile_query(soql, SCHEMA, now=NOW)
    assert compiled.object_name == "Contact"
    assert compiled.columns == ["Id", "LastName", "Account.Name"]
    (record,) = run(db, soql)
    assert list(record) == ["attributes", "Id", "LastName", "Account"]
    assert record["attributes"]["type"] == "Contact"
    assert record["Account"]["Name"] == "Acme"


def test_object_alias_prefixes_paths(db: sqlite3.Connection) -> None:
    records = run(db, "SELECT c.LastName, c.Account.Name FROM Contact c WHERE c.LastName = 'Smith'")
    assert [(r["LastName"], r["Account"]["Name"]) for r in records] == [("Smith", "Acme")]


ORDERINGS = [
    # Salesforce's defaults: nulls first ascending, last descending; text ignores case
    (
        "Email, LastName",
        ["100X PureYTest", "smyth", "back\\slash", "Jones", "O'Hara", "100% Pure_Test", "Smith"],
    ),
    (
        "Email DESC, LastName",
        ["Smith", "100% Pure_Test", "O'Hara", "Jones", "back\\slash", "100X PureYTest", "smyth"],
    ),
    (
        "Email ASC NULLS LAST, LastName DESC",
        ["back\\slash", "Jones", "O'Hara", "100% Pure_Test", "Smith", "smyth", "100X PureYTest"],
    ),
    (
        "Email DESC NULLS FIRST, LastName",
        ["100X PureYTest", "smyth", "Smith", "100% Pure_Test", "O'Hara", "Jones", "back\\slash"],
    ),
    (
        "LastName",
        ["100% Pure_Test", "100X PureYTest", "back\\slash", "Jones", "O'Hara", "Smith", "smyth"],
    ),
    (
        "HasOptedOutOfEmail DESC, Score__c DESC NULLS LAST, LastName",
        ["smyth", "Jones", "Smith", "O'Hara", "100% Pure_Test", "100X PureYTest", "back\\slash"],
    ),
    (
        "Account.Name NULLS LAST, LastName DESC",
        ["Smith", "O'Hara", "100% Pure_Test", "smyth", "Jones", "back\\slash", "100X PureYTest"],
    ),
    (
        "CreatedDate DESC, LastName",
        ["100% Pure_Test", "Smith", "smyth", "Jones", "O'Hara", "back\\slash", "100X PureYTest"],
    ),
]


@pytest.mark.parametrize(("order", "expected"), ORDERINGS, ids=[o for o, _ in ORDERINGS])
def test_order_by(db: sqlite3.Connection, order: str, expected: list[str]) -> None:
    records = run(db, f"SELECT LastName FROM Contact ORDER BY {order}")
    assert [r["LastName"] for r in records] == expected


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("LIMIT 2", ["100% Pure_Test", "100X PureYTest"]),
        ("LIMIT 2 OFFSET 5", ["Smith", "smyth"]),
        ("OFFSET 5", ["Smith", "smyth"]),
        ("LIMIT 0", []),
        ("OFFSET 2000", []),
        ("limit 1 offset 0", ["100% Pure_Test"]),
    ],
)
def test_limit_and_offset(db: sqlite3.Connection, window: str, expected: list[str]) -> None:
    records = run(db, f"SELECT LastName FROM Contact ORDER BY LastName {window}")
    assert [r["LastName"] for r in records] == expected


@pytest.mark.parametrize(
    ("soql", "options", "expected"),
    [
        ("SELECT COUNT() FROM Contact", {}, 7),
        ("SELECT COUNT() FROM Contact", {"include_deleted": True}, 8),
        ("select count() from contact where Account.Name = 'Acme'", {}, 2),
        ("SELECT COUNT() FROM Contact WHERE Email = null LIMIT 1", {}, 1),
        ("SELECT COUNT() FROM Contact LIMIT 100 OFFSET 5", {}, 2),
        ("SELECT COUNT() FROM Account", {}, 2),
    ],
)
def test_count(db: sqlite3.Connection, soql: str, options: dict[str, Any], expected: int) -> None:
    assert count(db, soql, **options) == expected
    assert run(db, soql, **options) == []


def test_count_of_a_field_is_one_aggregate_result(db: sqlite3.Connection) -> None:
    assert run(db, "SELECT COUNT(Email) FROM Contact") == [
        {"attributes": {"type": "AggregateResult"}, "expr0": 5}
    ]
    assert run(db, "SELECT COUNT(Id) total FROM Contact WHERE Account.Name = 'Acme'") == [
        {"attributes": {"type": "AggregateResult"}, "total": 2}
    ]


def _url(kind: str, record_id: str, version: str = "59.0") -> dict[str, str]:
    return {"type": kind, "url": f"/services/data/v{version}/sobjects/{kind}/{record_id}"}


def test_records_nest_parents_in_select_order_with_salesforce_types(db: sqlite3.Connection) -> None:
    soql = (
        "SELECT Id, Account.Name, LastName, Account.Owner.Name, HasOptedOutOfEmail, Score__c, Birthdate,"
        " CreatedDate, Account.NumberOfEmployees, Account.AnnualRevenue FROM Contact WHERE LastName = 'Smith'"
    )
    (record,) = run(db, soql)
    assert record == {
        "attributes": _url("Contact", C[1]),
        "Id": C[1],
        "Account": {
            "attributes": _url("Account", A1),
            "Name": "Acme",
            "Owner": {"attributes": _url("User", U1), "Name": "Ada Admin"},
            "NumberOfEmployees": 500,
            "AnnualRevenue": 1500000.0,
        },
        "LastName": "Smith",
        "HasOptedOutOfEmail": False,
        "Score__c": 1.5,
        "Birthdate": "1980-05-15",
        "CreatedDate": "2024-05-15T09:00:00.000+0000",
    }
    assert list(record) == [
        "attributes",
        "Id",
        "Account",
        "LastName",
        "HasOptedOutOfEmail",
        "Score__c",
        "Birthdate",
        "CreatedDate",
    ]
    assert list(record["Account"]) == [
        "attributes",
        "Name",
        "Owner",
        "NumberOfEmployees",
        "AnnualRevenue",
    ]
    assert record["HasOptedOutOfEmail"] is False
    assert isinstance(record["Account"]["NumberOfEmployees"], int)


def test_empty_lookups_are_null_at_the_level_they_break(db: sqlite3.Connection) -> None:
    soql = "SELECT LastName, Account.Name, Account.Owner.Name, HasOptedOutOfEmail FROM Contact WHERE LastName IN ('smyth', 'Jones', 'back\\\\slash') ORDER BY LastName"
    records = run(db, soql)
    assert [r["Account"] for r in records] == [
        None,  # back\slash: AccountId points at no record
        None,  # Jones: AccountId is null
        {"attributes": _url("Account", A2), "Name": "Globex", "Owner": None},
    ]
    assert records[2]["HasOptedOutOfEmail"] is True


def test_attributes_url_without_selecting_id_and_for_any_version(db: sqlite3.Connection) -> None:
    compiled = compile_query("SELECT Name FROM Account WHERE Name = 'Acme'", SCHEMA, now=NOW)
    rows = db.execute(compiled.sql, compiled.params).fetchall()
    for version in ("58.0", "v58.0"):
        assert shape_records(compiled, rows, api_version=version) == [
            {"attributes": _url("Account", A1, "58.0"), "Name": "Acme"}
        ]


def test_shape_records_refuses_a_hand_made_query() -> None:
    with pytest.raises(TypeError):
        shape_records(
            CompiledQuery("Contact", "SELECT 1", [], False, ["Id"]), [("x",)], api_version="59.0"
        )


def test_shaping_treats_every_text_as_data(db: sqlite3.Connection) -> None:
    compiled = compile_query("SELECT Name FROM Account WHERE Name = 'Acme'", SCHEMA, now=NOW)
    rows = db.execute(compiled.sql, compiled.params).fetchall()
    version = "1' + str(1/0) + '\\"
    (record,) = shape_records(compiled, rows, api_version=version)
    assert record["attributes"]["url"] == f"/services/data/v{version}/sobjects/Account/{A1}"


CONTACT_FIELDS = [f.name for f in SCHEMA.objects["contact"].fields]


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ("FIELDS(ALL)", CONTACT_FIELDS),
        ("fields(standard)", [name for name in CONTACT_FIELDS if name != "Score__c"]),
        ("FIELDS(CUSTOM)", ["Score__c"]),
        ("Id, FIELDS(CUSTOM), Account.Name", ["Id", "Score__c", "Account.Name"]),
        ("Score__c, FIELDS(ALL)", ["Score__c", *(n for n in CONTACT_FIELDS if n != "Score__c")]),
    ],
)
def test_fields_function_expands_to_the_objects_fields(
    db: sqlite3.Connection, select: str, expected: list[str]
) -> None:
    soql = f"SELECT {select} FROM Contact WHERE LastName = 'Smith' LIMIT 200"
    assert compile_query(soql, SCHEMA, now=NOW).columns == expected
    (record,) = run(db, soql)
    assert [key for key in record if key not in ("attributes", "Account")] == [
        n for n in expected if "." not in n
    ]

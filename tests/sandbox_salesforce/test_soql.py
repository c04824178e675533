"""SOQL engine: parse, compile and run against an in-memory SQLite org laid out as the store does."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ditoolkit.sandbox.salesforce.soql import (
    CompiledQuery,
    SoqlError,
    SoqlField,
    SoqlObject,
    compile_query,
    shape_records,
)
from ditoolkit.sandbox.salesforce.soql_ids import normalize_id

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)  # a Wednesday; THIS_WEEK is May 12-18


def sfid(prefix: str, number: int) -> str:
    """An 18-character id built the way Salesforce builds them."""
    return normalize_id(f"{prefix}{number:012d}")


U1, A1, A2, A3 = sfid("005", 1), sfid("001", 1), sfid("001", 2), sfid("001", 3)
C = {n: sfid("003", n) for n in range(1, 10)}

F = SoqlField
SYSTEM = (F("Id", "id"), F("IsDeleted", "boolean"))
OBJECTS = [
    SoqlObject("User", (*SYSTEM, F("Name", "string"))),
    SoqlObject(
        "Account",
        (
            *SYSTEM,
            F("Name", "string"),
            F("OwnerId", "reference", "Owner", ("User",)),
            F("NumberOfEmployees", "int"),
            F("AnnualRevenue", "currency"),
        ),
    ),
    SoqlObject(
        "Contact",
        (
            *SYSTEM,
            F("LastName", "string"),
            F("Email", "email"),
            F("AccountId", "reference", "Account", ("Account",)),
            F("Birthdate", "date"),
            F("CreatedDate", "datetime"),
            F("HasOptedOutOfEmail", "boolean"),
            F("Score__c", "double"),
            F("Photo", "base64"),
        ),
    ),
]

USERS = [(U1, 0, "Ada Admin")]
ACCOUNTS = [
    (A1, 0, "Acme", U1, 500, 1.5e6),
    (A2, 0, "Globex", None, None, None),
    (A3, 1, "Deleted Co", U1, 3, 0.0),
]
CONTACT_ROWS = """\
1|Smith|smith@x.com|A1|1980-05-15|2024-05-15T09:00:00.000+0000|0|1.5
2|smyth||A2||2024-05-14T23:59:59.000+0000|1|
3|Jones|jones@x.com||2024-05-01|2024-04-30T12:00:00.000+0000|0|3.0
4|O'Hara|ohara@x.com|A1|1990-12-31|2023-12-31T23:00:00.000+0000|0|-2
5|100% Pure_Test|pure@x.com|A3||2024-05-16T00:00:00.000+0000|0|
6|100X PureYTest|||||0|
7|back\\slash|bs@x.com|DANGLING||2022-01-01T00:00:00.000+0000|0|
8|Ghost|ghost@x.com|A1||2024-05-15T10:00:00.000+0000|0|
"""
LIVE = {"Smith", "smyth", "Jones", "O'Hara", "100% Pure_Test", "100X PureYTest", "back\\slash"}
REFS = {"A1": A1, "A2": A2, "A3": A3, "DANGLING": sfid("001", 99)}


class Schema:
    """The schema the store would offer: objects by case-insensitive name."""

    def __init__(self, objects: list[SoqlObject]) -> None:
        self.objects = {obj.name.lower(): obj for obj in objects}

    def get_object(self, name: str) -> SoqlObject | None:
        return self.objects.get(name.lower())


SCHEMA = Schema(OBJECTS)


def _contacts() -> list[tuple[Any, ...]]:
    rows = []
    for line in CONTACT_ROWS.splitlines():
        n, last, email, account, birth, created, opted, score = line.split("|")
        rows.append(
            (
                C[int(n)],
                1 if last == "Ghost" else 0,
                last,
                email or None,
                REFS.get(account),
                birth or None,
                created or None,
                int(opted) if opted else None,
                float(score) if score else None,
                None,
            )
        )
    return rows


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    data = {"User": USERS, "Account": ACCOUNTS, "Contact": _contacts()}
    for obj in OBJECTS:
        affinity = {"boolean": "INTEGER", "int": "INTEGER", "double": "REAL", "currency": "REAL"}
        columns = ", ".join(f'"{f.name}" {affinity.get(f.type, "TEXT")}' for f in obj.fields)
        connection.execute(f'CREATE TABLE "{obj.name}" ({columns})')
        marks = ", ".join("?" * len(obj.fields))
        connection.executemany(f'INSERT INTO "{obj.name}" VALUES ({marks})', data[obj.name])
    yield connection
    connection.close()


def run(db: sqlite3.Connection, soql: str, **options: Any) -> list[dict[str, Any]]:
    compiled = compile_query(soql, SCHEMA, now=NOW, **options)
    rows = db.execute(compiled.sql, compiled.params).fetchall()
    return shape_records(compiled, rows, api_version="59.0")


def names(db: sqlite3.Connection, where: str, **options: Any) -> set[str]:
    return {
        r["LastName"] for r in run(db, f"SELECT LastName FROM Contact WHERE {where}", **options)
    }


def count(db: sqlite3.Connection, soql: str, **options: Any) -> int:
    compiled = compile_query(soql, SCHEMA, now=NOW, **options)
    assert compiled.is_count
    ((total,),) = db.execute(compiled.sql, compiled.params).fetchall()
    return int(total)


def error(soql: str) -> SoqlError:
    with pytest.raises(SoqlError) as caught:
        compile_query(soql, SCHEMA, now=NOW)
    return caught.value


FILTERS = [
    # equality ignores case; != and NOT IN also match nulls, as in Salesforce
    ("LastName = 'smith'", {"Smith"}),
    ("LastName = 'SMYTH'", {"smyth"}),
    ("LastName != 'Smith'", LIVE - {"Smith"}),
    ("LastName <> 'Smith'", LIVE - {"Smith"}),
    ("Email = null", {"smyth", "100X PureYTest"}),
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


NO_COLUMN_TAIL = (
    ". If you are attempting to use a custom field, be sure to append the '__c' after the custom field name."
    " Please reference your WSDL or the describe call for the appropriate names."
)


def caret(soql: str, column: int, reason: str) -> str:
    return f"\n{soql}\n{' ' * (column - 1)}^\nERROR at Row:1:Column:{column}\n{reason}"


EXACT_ERRORS = [
    (
        "SELECT Foo FROM Contact",
        "INVALID_FIELD",
        8,
        "No such column 'Foo' on entity 'Contact'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT Id, foo__c FROM contact",
        "INVALID_FIELD",
        12,
        "No such column 'foo__c' on entity 'Contact'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT Account.Foo FROM Contact",
        "INVALID_FIELD",
        8,
        "No such column 'Foo' on entity 'Account'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT Account FROM Contact",
        "INVALID_FIELD",
        8,
        "No such column 'Account' on entity 'Contact'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT Id FROM Contact WHERE Bar = 1",
        "INVALID_FIELD",
        30,
        "No such column 'Bar' on entity 'Contact'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT Id FROM Contact ORDER BY Bar",
        "INVALID_FIELD",
        33,
        "No such column 'Bar' on entity 'Contact'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT AccountId.Name FROM Contact",
        "INVALID_FIELD",
        8,
        "Didn't understand relationship 'AccountId' in field path. If you are attempting to use a custom relationship,"
        " be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe"
        " call for the appropriate names.",
    ),
    (
        "SELECT Id FROM Foo",
        "INVALID_TYPE",
        16,
        "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append the"
        " '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
    ),
    (
        "SELECT Id FROM Contact WHERE Birthdate = '2020-01-01'",
        "INVALID_FIELD",
        42,
        "value of filter criterion for field 'Birthdate' must be of type date and should not be enclosed in quotes",
    ),
    (
        "SELECT Id FROM Contact OFFSET 2001",
        "NUMBER_OUTSIDE_VALID_RANGE",
        31,
        "Maximum SOQL offset allowed is 2000",
    ),
    ("SELECT Id, FROM Contact", "MALFORMED_QUERY", 12, "unexpected token: 'FROM'"),
    ("SELECT Id FROM Contact WHERE", "MALFORMED_QUERY", 29, "unexpected token: <EOF>"),
    (
        "SELECT Id FROM Contact WHERE Id = 'abc'",
        "INVALID_QUERY_FILTER_OPERATOR",
        35,
        "invalid ID field: abc",
    ),
]


@pytest.mark.parametrize(
    ("soql", "code", "column", "reason"), EXACT_ERRORS, ids=[e[0] for e in EXACT_ERRORS]
)
def test_error_codes_and_messages_are_worded_as_salesforce(
    soql: str, code: str, column: int, reason: str
) -> None:
    failure = error(soql)
    assert (failure.error_code, failure.message) == (code, caret(soql, column, reason))


def _type_reason(field: str, kind: str, *, quoted: bool = False) -> str:
    should = "should" if quoted else "should not"
    return f"value of filter criterion for field '{field}' must be of type {kind} and {should} be enclosed in quotes"


ERRORS = [
    # literal types checked against field types
    ("HasOptedOutOfEmail = 'true'", "INVALID_FIELD", _type_reason("HasOptedOutOfEmail", "boolean")),
    ("HasOptedOutOfEmail = 1", "INVALID_FIELD", _type_reason("HasOptedOutOfEmail", "boolean")),
    ("Score__c = '1'", "INVALID_FIELD", _type_reason("Score__c", "double")),
    (
        "Account.NumberOfEmployees IN (1, '2')",
        "INVALID_FIELD",
        _type_reason("NumberOfEmployees", "integer"),
    ),
    ("LastName = 5", "INVALID_FIELD", _type_reason("LastName", "string", quoted=True)),
    ("LastName = TODAY", "INVALID_FIELD", _type_reason("LastName", "string", quoted=True)),
    ("Email = false", "INVALID_FIELD", _type_reason("Email", "string", quoted=True)),
    ("CreatedDate > 2024-01-01", "INVALID_FIELD", _type_reason("CreatedDate", "dateTime")),
    (
        "CreatedDate > '2024-01-01T00:00:00Z'",
        "INVALID_FIELD",
        _type_reason("CreatedDate", "dateTime"),
    ),
    ("Birthdate = 2024-01-01T00:00:00Z", "INVALID_FIELD", _type_reason("Birthdate", "date")),
    ("Birthdate = 20240101", "INVALID_FIELD", _type_reason("Birthdate", "date")),
    ("Id = 5", "INVALID_FIELD", _type_reason("Id", "id", quoted=True)),
    ("AccountId = 'not an id'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: not an id"),
    ("Photo = 'x'", "INVALID_FIELD", "field 'Photo' can not be filtered in query call"),
    # operators a field type does not take
    ("Score__c LIKE '1%'", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator on double field"),
    (
        "HasOptedOutOfEmail > true",
        "INVALID_QUERY_FILTER_OPERATOR",
        "invalid operator on boolean field",
    ),
    # syntax Salesforce refuses, or the sandbox does not serve: never silently dropped
    ("LastName = 'x' AND Email = 'y' OR Score__c = 1", "MALFORMED_QUERY", "unexpected token: 'OR'"),
    (
        "LastName = 'x' OR Email = 'y' AND Score__c = 1",
        "MALFORMED_QUERY",
        "unexpected token: 'AND'",
    ),
    ("LastName LIKE 5", "MALFORMED_QUERY", "unexpected token: '5'"),
    ("LastName IN ()", "MALFORMED_QUERY", "unexpected token: ')'"),
    ("LastName IN 'x'", "MALFORMED_QUERY", "unexpected token: ''x''"),
    ("Id IN (SELECT ContactId FROM Case)", "MALFORMED_QUERY", "unexpected token: 'SELECT'"),
    ("LastName INCLUDES ('a')", "MALFORMED_QUERY", "unexpected token: 'INCLUDES'"),
    ("Score__c > null", "MALFORMED_QUERY", "unexpected token: 'null'"),
    ("CreatedDate = LAST_N_DAYS", "MALFORMED_QUERY", "Invalid date literal 'LAST_N_DAYS'"),
    ("CreatedDate = LAST_N_FOO:3", "MALFORMED_QUERY", "unexpected token: 'LAST_N_FOO:3'"),
    ("CreatedDate = THIS_FISCAL_YEAR", "MALFORMED_QUERY", "unexpected token: 'THIS_FISCAL_YEAR'"),
    ("Birthdate = 2024-02-30", "MALFORMED_QUERY", "invalid date: 2024-02-30"),
    (
        "CreatedDate = 2024-01-31T25:00:00Z",
        "MALFORMED_QUERY",
        "invalid dateTime: 2024-01-31T25:00:00Z",
    ),
    (
        "CreatedDate = 2024-01-31T10:00:00",
        "MALFORMED_QUERY",
        "unexpected token: '2024-01-31T10:00:00'",
    ),
    ("LastName = 'a\\qb'", "MALFORMED_QUERY", "Invalid string literal"),
    ("LastName = 'open", "MALFORMED_QUERY", "unterminated string literal"),
    ('LastName = "Smith"', "MALFORMED_QUERY", "unexpected token: '\"'"),
    ("LastName = :name", "MALFORMED_QUERY", "unexpected token: ':'"),
    ("LastName == 'x'", "MALFORMED_QUERY", "unexpected token: '='"),
    ("toLabel(LastName) = 'x'", "MALFORMED_QUERY", "unexpected token: '('"),
    ("LastName = 'x'; DROP TABLE Contact", "MALFORMED_QUERY", "unexpected token: ';'"),
    ("NOT", "MALFORMED_QUERY", "unexpected token: <EOF>"),
    ("(LastName = 'x'", "MALFORMED_QUERY", "unexpected token: <EOF>"),
]


@pytest.mark.parametrize(("where", "code", "reason"), ERRORS, ids=[e[0] for e in ERRORS])
def test_filter_errors(where: str, code: str, reason: str) -> None:
    failure = error(f"SELECT Id FROM Contact WHERE {where}")
    assert failure.error_code == code
    assert "\nERROR at Row:1:Column:" in failure.message
    assert failure.message.splitlines()[-1].startswith(reason)


STATEMENT_ERRORS = [
    ("", "MALFORMED_QUERY", "unexpected token: <EOF>"),
    ("SELECT FROM Contact", "MALFORMED_QUERY", "unexpected token: 'FROM'"),
    ("SELECT Id Name FROM Contact", "MALFORMED_QUERY", "unexpected token: 'Name'"),
    ("SELECT Id, Id FROM Contact", "MALFORMED_QUERY", "duplicate field selected: Id"),
    (
        "SELECT Account.Name, account.NAME FROM Contact",
        "MALFORMED_QUERY",
        "duplicate field selected: Account.Name",
    ),
    ("SELECT COUNT(), Id FROM Contact", "MALFORMED_QUERY", "unexpected token: ','"),
    ("SELECT FIELDS(ALL) FROM Contact", "MALFORMED_QUERY", "unexpected token: '('"),
    (
        "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
        "MALFORMED_QUERY",
        "unexpected token: '('",
    ),
    ("SELECT Id FROM Contact GROUP BY LastName", "MALFORMED_QUERY", "unexpected token: 'GROUP'"),
    (
        "SELECT Id FROM Contact WITH SECURITY_ENFORCED",
        "MALFORMED_QUERY",
        "unexpected token: 'WITH'",
    ),
    ("SELECT Id FROM Contact FOR UPDATE", "MALFORMED_QUERY", "unexpected token: 'FOR'"),
    ("SELECT Id FROM Contact, Account", "MALFORMED_QUERY", "unexpected token: ','"),
    ("SELECT Id FROM Contact LIMIT 'x'", "MALFORMED_QUERY", "unexpected token: ''x''"),
    ("SELECT Id FROM Contact LIMIT -1", "MALFORMED_QUERY", "unexpected token: '-1'"),
    ("SELECT Id FROM Contact LIMIT 1.5", "MALFORMED_QUERY", "unexpected token: '1.5'"),
    ("SELECT Id FROM Contact OFFSET 5 LIMIT 2", "MALFORMED_QUERY", "unexpected token: 'LIMIT'"),
    ("SELECT Id FROM Contact ORDER LastName", "MALFORMED_QUERY", "unexpected token: 'LastName'"),
    (
        "SELECT Id FROM Contact ORDER BY LastName NULLS",
        "MALFORMED_QUERY",
        "unexpected token: <EOF>",
    ),
    (
        "SELECT Id FROM Contact ORDER BY LastName NULLS LOW",
        "MALFORMED_QUERY",
        "unexpected token: 'LOW'",
    ),
    (
        "SELECT Id FROM Contact LIMIT 5 OFFSET 99999",
        "NUMBER_OUTSIDE_VALID_RANGE",
        "Maximum SOQL offset allowed is 2000",
    ),
    ('SELECT "Id" FROM Contact', "MALFORMED_QUERY", "unexpected token: '\"'"),
]


@pytest.mark.parametrize(
    ("soql", "code", "reason"), STATEMENT_ERRORS, ids=[e[0] or "empty" for e in STATEMENT_ERRORS]
)
def test_statement_errors(soql: str, code: str, reason: str) -> None:
    failure = error(soql)
    assert (failure.error_code, failure.message.splitlines()[-1]) == (code, reason)


def test_error_position_on_a_later_row() -> None:
    soql = "SELECT Id\nFROM Contact\nWHERE Nope = 1"
    assert error(soql).message == (
        "\nWHERE Nope = 1\n      ^\nERROR at Row:3:Column:7\nNo such column 'Nope' on entity 'Contact'"
        + NO_COLUMN_TAIL
    )


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("'a\\nb\\tc\\rd'", "a\nb\tc\rd"),
        ("'A\\NB\\TC\\RD'", "A\nB\tC\rD"),
        ("'q\\'s\\\"d'", "q's\"d"),
        ("'x\\\\y'", "x\\y"),
        ("'\\b\\f\\B\\F'", "\b\f\b\f"),
        ("'100\\%'", "100\\%"),  # \% and \_ only mean something to LIKE
        ("'é ✓ 名'", "é ✓ 名"),
        ("''", ""),
    ],
)
def test_string_escapes_decode(literal: str, value: str) -> None:
    compiled = compile_query(f"SELECT Id FROM Contact WHERE LastName = {literal}", SCHEMA, now=NOW)
    assert compiled.params == [value]


UNSAFE = st.text(alphabet=st.sampled_from("aZ'\"\\%_;-()\n\t\r\b\f é*/"), max_size=30)
SQL_OF_FIXED_VALUE = compile_query(
    "SELECT Id FROM Contact WHERE LastName = 'v' OR Email LIKE 'v%'", SCHEMA
).sql


@settings(max_examples=150, deadline=None)
@given(value=UNSAFE)
def test_quoted_values_never_escape_their_literal(value: str) -> None:
    from simple_salesforce import format_soql

    soql = format_soql(
        "SELECT Id FROM Contact WHERE LastName = {} OR Email LIKE '{:like}%'", value, value
    )
    compiled = compile_query(soql, SCHEMA)
    assert compiled.sql == SQL_OF_FIXED_VALUE  # the statement never depends on the data
    like = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    assert compiled.params == [value, like]


@pytest.mark.parametrize(
    "value",
    [
        "' OR LastName != '",
        "x' OR '1'='1",
        "Smith'); DROP TABLE Contact; --",
        "\\' OR 1=1 --",
        "%",
        "_mith",
    ],
)
def test_injection_attempts_match_only_themselves(db: sqlite3.Connection, value: str) -> None:
    from simple_salesforce import format_soql

    assert names(db, format_soql("LastName = {}", value)) == set()
    assert names(db, format_soql("LastName LIKE '{:like}'", value)) == set()
    assert count(db, "SELECT COUNT() FROM Contact") == 7


def test_values_formatted_by_the_client_are_understood(db: sqlite3.Connection) -> None:
    from simple_salesforce import format_soql

    moment = datetime(2024, 5, 15, 11, 0, tzinfo=UTC)  # sent as 2024-05-15T11:00:00+00:00
    soql = format_soql(
        "CreatedDate < {} AND Birthdate > {} AND HasOptedOutOfEmail = {}",
        moment,
        moment.date().replace(year=1979),
        False,
    )
    assert names(db, soql) == {"Smith", "Jones", "O'Hara"}
    assert names(db, format_soql("LastName IN {}", ["Smith", "O'Hara", "back\\slash"])) == {
        "Smith",
        "O'Hara",
        "back\\slash",
    }


RANGES = [
    # now = Wednesday 2024-05-15 12:00 UTC; ranges are [start, end)
    ("TODAY", "2024-05-15", "2024-05-16"),
    ("YESTERDAY", "2024-05-14", "2024-05-15"),
    ("TOMORROW", "2024-05-16", "2024-05-17"),
    ("THIS_WEEK", "2024-05-12", "2024-05-19"),
    ("LAST_WEEK", "2024-05-05", "2024-05-12"),
    ("NEXT_WEEK", "2024-05-19", "2024-05-26"),
    ("THIS_MONTH", "2024-05-01", "2024-06-01"),
    ("LAST_MONTH", "2024-04-01", "2024-05-01"),
    ("NEXT_MONTH", "2024-06-01", "2024-07-01"),
    ("THIS_QUARTER", "2024-04-01", "2024-07-01"),
    ("LAST_QUARTER", "2024-01-01", "2024-04-01"),
    ("NEXT_QUARTER", "2024-07-01", "2024-10-01"),
    ("THIS_YEAR", "2024-01-01", "2025-01-01"),
    ("LAST_YEAR", "2023-01-01", "2024-01-01"),
    ("NEXT_YEAR", "2025-01-01", "2026-01-01"),
    ("LAST_90_DAYS", "2024-02-15", "2024-05-16"),
    ("NEXT_90_DAYS", "2024-05-16", "2024-08-14"),
    ("LAST_N_DAYS:7", "2024-05-08", "2024-05-16"),
    ("NEXT_N_DAYS:7", "2024-05-16", "2024-05-23"),
    ("N_DAYS_AGO:3", "2024-05-12", "2024-05-13"),
    ("LAST_N_WEEKS:2", "2024-04-28", "2024-05-12"),
    ("NEXT_N_WEEKS:2", "2024-05-19", "2024-06-02"),
    ("N_WEEKS_AGO:2", "2024-04-28", "2024-05-05"),
    ("LAST_N_MONTHS:5", "2023-12-01", "2024-05-01"),
    ("NEXT_N_MONTHS:8", "2024-06-01", "2025-02-01"),
    ("N_MONTHS_AGO:5", "2023-12-01", "2024-01-01"),
    ("LAST_N_QUARTERS:2", "2023-10-01", "2024-04-01"),
    ("NEXT_N_QUARTERS:3", "2024-07-01", "2025-04-01"),
    ("N_QUARTERS_AGO:2", "2023-10-01", "2024-01-01"),
    ("LAST_N_YEARS:2", "2022-01-01", "2024-01-01"),
    ("NEXT_N_YEARS:1", "2025-01-01", "2026-01-01"),
    ("N_YEARS_AGO:1", "2023-01-01", "2024-01-01"),
    ("last_n_days:0", "2024-05-15", "2024-05-16"),
]


@pytest.mark.parametrize(("literal", "start", "end"), RANGES, ids=[r[0] for r in RANGES])
def test_date_literal_ranges(literal: str, start: str, end: str) -> None:
    on_date = compile_query(f"SELECT Id FROM Contact WHERE Birthdate = {literal}", SCHEMA, now=NOW)
    assert on_date.params == [start, end]
    on_datetime = compile_query(
        f"SELECT Id FROM Contact WHERE CreatedDate != {literal}", SCHEMA, now=NOW
    )
    assert on_datetime.params == [f"{start}T00:00:00.000+0000", f"{end}T00:00:00.000+0000"]


@pytest.mark.parametrize(
    ("operator", "bound"),
    [("<", "2024-05-12"), ("<=", "2024-05-19"), (">", "2024-05-19"), (">=", "2024-05-12")],
)
def test_date_literal_bounds_by_operator(operator: str, bound: str) -> None:
    compiled = compile_query(
        f"SELECT Id FROM Contact WHERE Birthdate {operator} THIS_WEEK", SCHEMA, now=NOW
    )
    assert compiled.params == [bound]


@pytest.mark.parametrize(
    ("now", "literal", "start", "end"),
    [
        (
            datetime(2024, 5, 12, 0, 0, tzinfo=UTC),
            "THIS_WEEK",
            "2024-05-12",
            "2024-05-19",
        ),  # a Sunday
        (
            datetime(2024, 5, 18, 23, 59, tzinfo=UTC),
            "THIS_WEEK",
            "2024-05-12",
            "2024-05-19",
        ),  # a Saturday
        (
            datetime.fromisoformat("2024-05-15T23:30:00-05:00"),
            "TODAY",
            "2024-05-16",
            "2024-05-17",
        ),  # UTC date
        (datetime(2024, 1, 10, tzinfo=UTC), "LAST_MONTH", "2023-12-01", "2024-01-01"),
        (datetime(2024, 12, 31, tzinfo=UTC), "NEXT_QUARTER", "2025-01-01", "2025-04-01"),
        (datetime(2024, 3, 31, tzinfo=UTC), "N_MONTHS_AGO:1", "2024-02-01", "2024-03-01"),
        (datetime(2024, 3, 1, tzinfo=UTC), "YESTERDAY", "2024-02-29", "2024-03-01"),
    ],
)
def test_date_literals_at_calendar_edges(now: datetime, literal: str, start: str, end: str) -> None:
    compiled = compile_query(f"SELECT Id FROM Contact WHERE Birthdate = {literal}", SCHEMA, now=now)
    assert compiled.params == [start, end]


@pytest.mark.parametrize(
    ("literal", "stored"),
    [
        ("2024-01-31T10:00:00Z", "2024-01-31T10:00:00.000+0000"),
        ("2024-01-31T10:00:00.123Z", "2024-01-31T10:00:00.123+0000"),
        ("2024-01-31T10:00:00.5+01:00", "2024-01-31T09:00:00.500+0000"),
        ("2024-01-31T23:30:00-02:30", "2024-02-01T02:00:00.000+0000"),
        ("2024-01-31t10:00:00z", None),
    ],
)
def test_datetime_literals_normalize_to_storage_form(literal: str, stored: str | None) -> None:
    soql = f"SELECT Id FROM Contact WHERE CreatedDate = {literal}"
    if stored is None:
        assert error(soql).error_code == "MALFORMED_QUERY"
    else:
        assert compile_query(soql, SCHEMA).params == [stored]

"""SOQL engine: string escapes, injection safety, date and datetime literals."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simple_salesforce import format_soql
from soql_org import NOW, SCHEMA, build_org, count, error, names

from ditoolkit.sandbox.salesforce.soql import compile_query


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    connection = build_org()
    yield connection
    connection.close()


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
    ],
)
def test_string_escapes_decode(literal: str, value: str) -> None:
    compiled = compile_query(f"SELECT Id FROM Contact WHERE LastName = {literal}", SCHEMA, now=NOW)
    assert compiled.params == [value]


UNSAFE = st.text(alphabet=st.sampled_from("aZ'\"\\%_;-()\n\t\r\b\f é*/"), min_size=1, max_size=30)
SQL_OF_FIXED_VALUE = compile_query(
    "SELECT Id FROM Contact WHERE LastName = 'v' OR Email LIKE 'v%'", SCHEMA
).sql


@settings(max_examples=150, deadline=None)
@given(value=UNSAFE)
def test_quoted_values_never_escape_their_literal(value: str) -> None:

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

    assert names(db, format_soql("LastName = {}", value)) == set()
    assert names(db, format_soql("LastName LIKE '{:like}'", value)) == set()
    assert count(db, "SELECT COUNT() FROM Contact") == 7


def test_values_formatted_by_the_client_are_understood(db: sqlite3.Connection) -> None:

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

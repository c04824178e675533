"""Normalization: each rule, table-driven, so that equal values never show as changes."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from ditoolkit.core.normalize import map_distinct, normalize_frame, normalize_series
from ditoolkit.port import FieldSchema, FieldType, TableSchema

T = FieldType


def _one(values: list[object], field: FieldSchema) -> list[object]:
    out = normalize_series(pd.Series(values, dtype="object"), field)
    return [None if pd.isna(v) else v for v in out]


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (
            T.STRING,
            ["  Smith ", "Smith", "", "   ", None, np.nan],
            ["Smith", "Smith", None, None, None, None],
        ),
        (T.STRING, ["Jean  Pierre"], ["Jean  Pierre"]),  # internal whitespace is data
        (
            T.EMAIL,
            [" A@Example.COM", "a@example.com", ""],
            ["a@example.com", "a@example.com", None],
        ),
        (T.ID, ["003000000000001AAA "], ["003000000000001AAA"]),
        (T.PHONE, [" +1 514 555 0101"], ["+1 514 555 0101"]),
    ],
)
def test_text_rules(kind: FieldType, raw: list[object], expected: list[object]) -> None:
    assert _one(raw, FieldSchema("f", kind)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("1", True),
        (1, True),
        (1.0, True),
        (True, True),
        ("yes", True),
        ("Oui", True),
        ("y", True),
        ("vrai", True),
        ("false", False),
        ("False", False),
        ("0", False),
        (0, False),
        (False, False),
        ("no", False),
        ("NON", False),
        ("faux", False),
        (" 0 ", False),
        ("", None),
        (None, None),
        ("maybe", None),
        (2, None),
    ],
)
def test_boolean_spellings(raw: object, expected: bool | None) -> None:
    assert _one([raw], FieldSchema("f", T.BOOLEAN)) == [expected]


def test_boolean_dtype_passes_through() -> None:
    out = normalize_series(pd.Series([True, False]), FieldSchema("f", T.BOOLEAN))
    assert str(out.dtype) == "boolean" and out.tolist() == [True, False]


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        (FieldSchema("n", T.INTEGER), [1, "1", "1.0", " 2 ", None, ""], [1, 1, 1, 2, None, None]),
        (
            FieldSchema("n", T.DECIMAL, scale=2),
            ["1.5", 1.5, "1,5", "1.504", "x"],
            [1.5, 1.5, 1.5, 1.5, None],
        ),
        (FieldSchema("n", T.DECIMAL, scale=2), ["1 234,50", "1\u00a0234.5"], [1234.5, 1234.5]),
        (FieldSchema("n", T.DECIMAL), [0.1 + 0.2, "0.3"], [0.3, 0.3]),
        (FieldSchema("n", T.INTEGER), ["1.5", "2"], [1.5, 2.0]),  # not whole: kept as decimals
    ],
)
def test_numbers(field: FieldSchema, raw: list[object], expected: list[object]) -> None:
    assert _one(raw, field) == expected


def test_integer_column_is_int64_when_whole() -> None:
    out = normalize_series(pd.Series(["1", "2.0"]), FieldSchema("n", T.INTEGER))
    assert str(out.dtype) == "Int64"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-31", "2024-01-31"),
        ("2024.01.31", "2024-01-31"),  # Dialog Insight's dotted dates
        ("2024/1/5", "2024-01-05"),
        ("2024-01-31T23:30:00.000+0000", "2024-01-31"),  # a datetime: its date as written
        ("2024.01.31 10:00:00", "2024-01-31"),
        (pd.Timestamp("2024-01-31 15:00", tz="America/Montreal"), "2024-01-31"),
        ("31/01/2024", None),  # ambiguous day/month forms are not guessed
        ("", None),
        ("not a date", None),
    ],
)
def test_dates(raw: object, expected: str | None) -> None:
    got = _one([raw], FieldSchema("d", T.DATE))[0]
    assert (None if got is None else got.strftime("%Y-%m-%d")) == expected


def test_date_column_of_datetimes_drops_time() -> None:
    series = pd.Series(pd.to_datetime(["2024-01-31 12:34:56"]))
    assert normalize_series(series, FieldSchema("d", T.DATE)).iloc[0] == pd.Timestamp("2024-01-31")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-31T12:00:00.000+0000", "2024-01-31T12:00:00+00:00"),
        ("2024-01-31T12:00:00.789Z", "2024-01-31T12:00:00+00:00"),  # to the second
        ("2024-01-31T07:00:00-05:00", "2024-01-31T12:00:00+00:00"),  # offsets converted
        ("2024-01-31 12:00:00", "2024-01-31T12:00:00+00:00"),  # naive taken as UTC
        ("2024.01.31 12:00:00", "2024-01-31T12:00:00+00:00"),  # Dialog Insight's form
        ("2024-01-31", "2024-01-31T00:00:00+00:00"),  # a date: midnight UTC
        (pd.Timestamp("2024-01-31 07:00", tz="America/Toronto"), "2024-01-31T12:00:00+00:00"),
        ("soon", None),
    ],
)
def test_datetimes(raw: object, expected: str | None) -> None:
    got = _one([raw], FieldSchema("t", T.DATETIME))[0]
    assert (None if got is None else got.isoformat()) == expected


def test_naive_datetime_column_is_taken_as_utc() -> None:
    series = pd.Series(pd.to_datetime(["2024-01-31 12:00:00"]))
    out = normalize_series(series, FieldSchema("t", T.DATETIME))
    assert out.iloc[0] == pd.Timestamp("2024-01-31 12:00:00", tz="UTC")


def test_picklist_values_and_labels() -> None:
    field = FieldSchema("Status", T.PICKLIST, picklist_values=("Open - Not Contacted", "Working"))
    raw = pd.Series(["open - not contacted", " Working ", "Ouvert", "Other"])
    out = normalize_series(raw, field, picklist_labels={"Ouvert": "Open - Not Contacted"})
    assert out.tolist() == ["Open - Not Contacted", "Working", "Open - Not Contacted", "Other"]


def test_frame_from_csv_text_both_systems_agree() -> None:
    schema = TableSchema(
        "dialoginsight",
        "Contact",
        (
            FieldSchema("id", T.ID, key=True),
            FieldSchema("email", T.EMAIL),
            FieldSchema("optin", T.BOOLEAN),
            FieldSchema("birth", T.DATE),
            FieldSchema("amount", T.DECIMAL, scale=2),
        ),
    )
    sf = pd.read_csv(io.StringIO("id,email,optin,birth,amount\nA1,Ann@X.com,true,2000-02-29,1\n"))
    di = pd.read_csv(
        io.StringIO("id,email,optin,birth,amount\nA1 ,ann@x.com,1,2000.02.29,1.00\n"), dtype=str
    )
    left = normalize_frame(sf, schema)
    right = normalize_frame(di, schema)
    assert left.astype(object).equals(right.astype(object))


def test_unknown_null_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="leave"):
        normalize_frame(pd.DataFrame({"a": ["x"]}), TableSchema("s", "t", ()), null_policy="keep")


def test_map_distinct_runs_once_per_distinct_value() -> None:
    calls: list[int] = []

    def func(values: pd.Series) -> pd.Series:
        calls.append(len(values))
        return values.str.upper()

    out = map_distinct(pd.Series(["a", "b", "a", None, "b"] * 1000, dtype="string"), func)
    assert calls == [2]
    assert out.iloc[:5].tolist()[:3] == ["A", "B", "A"] and pd.isna(out.iloc[3])

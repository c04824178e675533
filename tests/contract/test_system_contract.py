"""The System port's contract: what every adapter (memory, CSV, Salesforce, DI) must do."""

from __future__ import annotations

import pandas as pd
import pytest

from ditoolkit.errors import NotFoundError
from ditoolkit.port import System, TableSchema

from .conftest import SystemCase


def rows_with_keys(case: SystemCase, keys: list[object]) -> pd.DataFrame:
    """The table's rows whose key is in ``keys``, read through the port."""
    frame = case.system.read(case.table)
    return frame[frame[case.key].isin(keys)].reset_index(drop=True)


def assert_same_values(case: SystemCase, written: pd.DataFrame, read: pd.DataFrame) -> None:
    """Every written cell reads back equal, once typed as the system types it."""
    read = read.set_index(case.key).loc[list(written[case.key])]
    for column in written.columns:
        if column == case.key:
            continue
        expected = pd.Series(written[column].to_numpy(), dtype=object).astype(read[column].dtype)
        assert list(read[column]) == list(expected), column


def test_is_a_system_and_describes_its_table(case: SystemCase) -> None:
    assert isinstance(case.system, System)
    schema = case.system.describe(case.table)
    assert isinstance(schema, TableSchema)
    assert case.key in schema
    assert case.text_field in schema
    assert case.table in case.system.tables()


def test_describe_of_an_unknown_table_is_not_found(case: SystemCase) -> None:
    with pytest.raises(NotFoundError):
        case.system.describe("NoSuchTable__x")


def test_read_is_typed_from_describe(case: SystemCase) -> None:
    case.system.write(case.table, case.make_rows(3), operation="insert", key=case.key)
    schema = case.system.describe(case.table)
    frame = case.system.read(case.table)
    assert len(frame) >= 3
    for field in schema:
        assert field.name in frame.columns, field.name
        assert str(frame[field.name].dtype) == field.dtype, field.name


def test_write_returns_one_result_per_row_in_input_order(case: SystemCase) -> None:
    rows = case.make_rows(5)
    result = case.system.write(case.table, rows, operation="insert", key=case.key)
    assert len(result) == 5
    assert result.frame["row"].tolist() == [0, 1, 2, 3, 4]
    assert result.frame["key"].tolist() == rows[case.key].tolist()
    assert result.ok, result.failed()


def test_a_bad_row_fails_alone(case: SystemCase) -> None:
    good = case.make_rows(2)
    frame = pd.concat([good.iloc[:1], case.make_invalid_row(), good.iloc[1:]], ignore_index=True)
    result = case.system.write(case.table, frame, operation="insert", key=case.key)
    assert result.frame["status"].tolist()[1] == "failed"
    assert [r.ok for r in result.rows] == [True, False, True]
    failed = result.failed().iloc[0]
    assert failed["error_code"] and failed["message"]
    stored = rows_with_keys(case, frame[case.key].tolist())
    assert sorted(stored[case.key]) == sorted(good[case.key])


def test_write_then_read_round_trips(case: SystemCase) -> None:
    rows = case.make_rows(4)
    assert case.system.write(case.table, rows, operation="insert", key=case.key).ok
    assert_same_values(case, rows, rows_with_keys(case, rows[case.key].tolist()))


def test_upsert_twice_creates_then_updates(case: SystemCase) -> None:
    rows = case.make_rows(3)
    first = case.system.write(case.table, rows, operation="upsert", key=case.key)
    assert first.frame["status"].tolist() == ["created"] * 3
    changed = rows.assign(**{case.text_field: [f"Changed {i}" for i in range(3)]})
    second = case.system.write(case.table, changed, operation="upsert", key=case.key)
    assert second.frame["status"].tolist() == ["updated"] * 3
    stored = rows_with_keys(case, rows[case.key].tolist())
    assert len(stored) == 3  # no duplicates
    assert_same_values(case, changed, stored)


def test_delete_removes(case: SystemCase) -> None:
    rows = case.make_rows(3)
    assert case.system.write(case.table, rows, operation="insert", key=case.key).ok
    delete_key = case.delete_key or case.key
    victims = rows_with_keys(case, rows[case.key].tolist()[:2])[[delete_key]]
    result = case.system.write(case.table, victims, operation="delete", key=delete_key)
    assert result.frame["status"].tolist() == ["deleted", "deleted"]
    assert rows_with_keys(case, rows[case.key].tolist())[case.key].tolist() == [rows[case.key][2]]

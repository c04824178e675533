from __future__ import annotations

import pandas as pd
import pytest

from ditoolkit.errors import DitoolkitError, RejectedError
from ditoolkit.port import FieldSchema, FieldType, RowResult, RowStatus, TableSchema, WriteResult


def test_table_schema_finds_fields_case_insensitively() -> None:
    schema = TableSchema(
        "memory", "Contact", (FieldSchema("LastName", FieldType.STRING, length=80),)
    )
    assert "lastname" in schema
    assert schema.field("LASTNAME").length == 80
    assert schema.get("Email") is None
    with pytest.raises(KeyError, match="no field 'Email'"):
        schema.field("Email")


def test_write_result_keeps_input_order_and_reports_failures() -> None:
    result = WriteResult.from_rows(
        "memory",
        "Contact",
        [
            RowResult(
                1, "b", "insert", RowStatus.FAILED, error_code="STRING_TOO_LONG", message="too long"
            ),
            RowResult(0, "a", "insert", RowStatus.CREATED, id="001"),
        ],
    )
    assert list(result.frame["key"]) == ["a", "b"]
    assert not result.ok
    assert list(result.failed()["error_code"]) == ["STRING_TOO_LONG"]
    with pytest.raises(RejectedError, match="1 of 2 rows failed writing Contact") as info:
        result.raise_for_errors()
    assert isinstance(info.value, DitoolkitError)
    assert info.value.code == "STRING_TOO_LONG"


def test_write_result_csv_has_headers_when_empty(tmp_path) -> None:
    path = WriteResult("memory", "Contact").to_csv(tmp_path / "r.csv")
    assert list(pd.read_csv(path).columns) == [
        "row",
        "key",
        "operation",
        "status",
        "id",
        "error_code",
        "message",
    ]


def test_secret_never_shows_its_value() -> None:
    import logging
    import pickle

    from ditoolkit.secrets import Secret, reveal

    secret = Secret("hunter2")
    assert "hunter2" not in repr(secret) + str(secret) + f"{secret}" + f"{secret!r}"
    assert "hunter2" not in logging.Formatter().format(
        logging.LogRecord("x", logging.INFO, __file__, 1, "pw=%s", (secret,), None)
    )
    assert reveal(secret) == "hunter2" and reveal("plain") == "plain" and reveal(None) is None
    with pytest.raises(TypeError):
        pickle.dumps(secret)

"""Type a frame of CSV strings with a TableSchema; every value that does not convert is an error.

Accepted text forms, strictly: integers ``-12``; decimals ``3.5``, ``-0.25``, ``1e3`` (a point,
never a comma); booleans ``true/false``, ``yes/no``, ``1/0`` (any case); dates ``YYYY-MM-DD``;
datetimes ISO 8601 (a value without an offset is taken as UTC).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ditoolkit.errors import InputFileError
from ditoolkit.port import FieldSchema, FieldType, TableSchema

_INTEGER = r"^\s*[+-]?\d+\s*$"
_DECIMAL = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}
_FORMS = {
    FieldType.INTEGER: "a whole number such as 42",
    FieldType.DECIMAL: "a number with a point such as 3.5",
    FieldType.BOOLEAN: "true/false, yes/no or 1/0",
    FieldType.DATE: "a date as YYYY-MM-DD",
    FieldType.DATETIME: "an ISO 8601 date and time such as 2024-03-01T12:00:00Z",
}


def convert_column(values: pd.Series, field: FieldSchema) -> tuple[pd.Series, pd.Series]:
    """``values`` (strings) as ``field``'s dtype, and a mask of the values that failed."""
    text = values.astype("string")
    present = text.notna()
    kind = field.type
    converted: Any
    if kind is FieldType.INTEGER:
        ok = text.str.match(_INTEGER).fillna(False)
        converted = pd.to_numeric(text.where(ok).str.strip()).astype("Int64")
    elif kind is FieldType.DECIMAL:
        ok = text.str.match(_DECIMAL).fillna(False)
        converted = pd.to_numeric(text.where(ok).str.strip()).astype("Float64")
    elif kind is FieldType.BOOLEAN:
        mapped = text.str.strip().str.lower().map(_BOOLEANS)
        ok = mapped.notna()
        converted = mapped.astype("boolean")
    elif kind is FieldType.DATE:
        converted = pd.to_datetime(text.str.strip(), format="%Y-%m-%d", errors="coerce")
        ok = converted.notna()
        converted = converted.astype("datetime64[s]")
    elif kind is FieldType.DATETIME:
        converted = pd.to_datetime(text.str.strip(), format="ISO8601", utc=True, errors="coerce")
        ok = converted.notna()
        converted = converted.astype("datetime64[ns, UTC]")
    else:
        return text, pd.Series(False, index=values.index)
    failed = present & ~ok.astype(bool)
    return converted, failed


def apply_schema(frame: pd.DataFrame, schema: TableSchema, *, path: Path) -> pd.DataFrame:
    """``frame`` with the schema's columns typed and named as the schema names them.

    Columns the schema does not know stay strings; a schema field missing from the file is
    added empty unless it is required.

    Raises:
        InputFileError: a required column is missing, or values do not convert (naming the
            line, the column and the expected form).
    """
    renames = {c: schema.field(c).name for c in frame.columns if c in schema}
    typed = frame.rename(columns=renames)
    for field in schema.fields:
        if field.name in typed.columns:
            continue
        if field.required:
            raise InputFileError(
                f"has no column {field.name!r}, which is required",
                path=str(path),
                hint=f"add a {field.name} column; the file has "
                + ", ".join(map(str, frame.columns)),
            )
        typed[field.name] = pd.Series(pd.NA, index=typed.index, dtype="string")
    for field in schema.fields:
        converted, failed = convert_column(typed[field.name], field)
        if failed.any():
            raise _conversion_error(typed, field, failed, path=path)
        typed[field.name] = converted
    return typed


def _conversion_error(
    frame: pd.DataFrame, field: FieldSchema, failed: pd.Series, *, path: Path
) -> InputFileError:
    bad = frame.loc[failed, field.name]
    lines = list(bad.index)
    sample = ", ".join(f"line {line}: {value!r}" for line, value in list(bad.items())[:5])
    return InputFileError(
        f"column {field.name}: {len(lines)} value(s) are not {_FORMS[field.type]} ({sample})",
        path=str(path),
        line=int(lines[0]) if frame.index.name == "line" else None,
        hint=f"correct the values in column {field.name}, or read it as text without a schema",
    )

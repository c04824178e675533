"""Values of the memory system: Python values of each field type, frames typed by schema."""

from __future__ import annotations

import numbers
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ditoolkit.port import FieldSchema, FieldType, TableSchema

_INT = re.compile(r"^[+-]?\d+$")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
Record = dict[str, Any]


class RowError(Exception):
    """One row cannot be written: becomes a failed :class:`RowResult`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas NA."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def coerce_value(value: Any, field: FieldSchema) -> Any:
    """``value`` as a Python value of ``field``'s type, or ``None`` when missing.

    Raises:
        RowError: ``INVALID_TYPE`` when the value does not fit the type.
    """
    if is_missing(value):
        return None
    kind = field.type
    try:
        if kind is FieldType.BOOLEAN:
            return _boolean(value)
        if kind is FieldType.INTEGER:
            return _integer(value)
        if kind is FieldType.DECIMAL:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if kind is FieldType.DATE:
            stamp = pd.Timestamp(value)
            return (stamp.tz_convert(None) if stamp.tzinfo else stamp).normalize()
        if kind is FieldType.DATETIME:
            stamp = pd.Timestamp(value)
            return stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize("UTC")
    except (TypeError, ValueError, OverflowError):
        raise RowError(
            "INVALID_TYPE", f"{field.name}: {value!r} is not a valid {kind.value}"
        ) from None
    return str(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral) and value in (0, 1):
        return bool(value)
    raise ValueError(value)


def _integer(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, str):
        if not _INT.match(value.strip()):
            raise ValueError(value)
        return int(value)
    number = float(value)
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def typed_frame(schema: TableSchema, records: Sequence[Record]) -> pd.DataFrame:
    """``records`` as a DataFrame with one column per field, typed from the schema."""
    columns = {
        f.name: pd.Series([r.get(f.name) for r in records], dtype=object).astype(
            pd.api.types.pandas_dtype(f.dtype)
        )
        for f in schema.fields
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(len(records)))

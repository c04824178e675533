"""Values between pandas and the OFC4 wire: dates ``YYYY.MM.DD``, booleans ``"1"``/``"0"``."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ditoolkit.port import FieldSchema, FieldType, TableSchema
from ditoolkit.systems.dialoginsight import assumptions as A

log = logging.getLogger(__name__)

_TRUE = {"1", "true", "yes", "y", "t", "on"}
_FALSE = {"0", "false", "no", "n", "f", "off"}
_DATE_INPUTS = ("%Y.%m.%d", "%Y-%m-%d", "%Y/%m/%d")
_DATETIME_INPUTS = ("%Y.%m.%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def is_null(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def to_wire(value: Any, kind: FieldType) -> Any:
    """``value`` as the service expects a field of type ``kind`` (``None`` for a null).

    Raises:
        ValueError: the value cannot be read as ``kind``; the message says why.
    """
    if is_null(value):
        return None
    if kind is FieldType.BOOLEAN:
        return A.TRUE_VALUE if _to_bool(value) else A.FALSE_VALUE
    if kind is FieldType.DATE:
        return _to_datetime(value, _DATE_INPUTS).strftime(A.DATE_FORMAT)
    if kind is FieldType.DATETIME:
        return _to_datetime(value, _DATETIME_INPUTS + _DATE_INPUTS).strftime(A.DATETIME_FORMAT)
    if kind is FieldType.INTEGER:
        return _to_int(value)
    if kind is FieldType.DECIMAL:
        return float(value)
    if kind in (FieldType.ID, FieldType.REFERENCE):
        text = str(_plain(value)).strip()
        return int(text) if text.isdigit() else text
    return str(_plain(value))


#: Types sent as their text (``to_wire``'s last case).
_AS_TEXT = frozenset(FieldType) - {
    FieldType.BOOLEAN,
    FieldType.DATE,
    FieldType.DATETIME,
    FieldType.INTEGER,
    FieldType.DECIMAL,
    FieldType.ID,
    FieldType.REFERENCE,
}


def wire_column(values: Sequence[Any], kind: FieldType) -> tuple[list[Any], dict[int, str]]:
    """:func:`to_wire` over a whole column.

    Returns:
        The wire values (``None`` for a null or a value that failed), and the reason of each
        position whose value cannot be read as ``kind``.
    """
    if kind in _AS_TEXT:  # cannot fail: one pass without the per-value dispatch
        return [None if is_null(v) else str(_plain(v)) for v in values], {}
    out: list[Any] = []
    errors: dict[int, str] = {}
    for position, value in enumerate(values):
        try:
            out.append(to_wire(value, kind))
        except (ValueError, TypeError, OverflowError) as exc:
            out.append(None)
            errors[position] = str(exc)
    return out, errors


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.item() if hasattr(value, "item") else value


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(_plain(value)).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not a boolean (use True/False, 1/0)")


def _to_int(value: Any) -> int:
    number = float(value) if not isinstance(value, int) else value
    if isinstance(number, float) and not number.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


def _to_datetime(value: Any, formats: Sequence[str]) -> dt.datetime:
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = value.tz_convert(A.DATETIME_TIMEZONE).tz_localize(None)
        result: dt.datetime = value.to_pydatetime()
        return result
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (use YYYY.MM.DD or YYYY-MM-DD)")


# --- reading --------------------------------------------------------------------------------


def records_frame(
    records: Sequence[Mapping[str, Any]],
    schema: TableSchema,
    *,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Rows read from DI as a DataFrame typed from ``schema``.

    Columns are ``columns`` when given, else the schema's fields followed by any field the
    service returned that the schema does not know (kept as strings).
    """
    names = list(columns) if columns is not None else _all_names(records, schema)
    raw = pd.DataFrame(
        {name: pd.Series([r.get(name) for r in records], dtype=object) for name in names},
        columns=names,
    )
    for name in names:
        spec = schema.get(name)
        raw[name] = typed_column(raw[name], spec, table=schema.name)
    return raw


def _all_names(records: Sequence[Mapping[str, Any]], schema: TableSchema) -> list[str]:
    names = list(schema.names)
    seen = set(names)
    for record in records[:1]:
        for name in record:
            if name not in seen:
                names.append(name)
                seen.add(name)
    return names


def typed_column(values: pd.Series, spec: FieldSchema | None, *, table: str = "") -> pd.Series:
    """One column converted to the dtype of ``spec`` (strings when ``spec`` is unknown)."""
    kind = spec.type if spec is not None else FieldType.STRING
    if kind is FieldType.BOOLEAN:
        return values.map(_read_bool).astype("boolean")
    if kind in (FieldType.DATE, FieldType.DATETIME):
        return _read_dates(values, kind, label=f"{table}.{values.name}")
    if kind in (FieldType.INTEGER, FieldType.DECIMAL):
        numbers = pd.to_numeric(values, errors="coerce")
        if kind is FieldType.INTEGER and (numbers.dropna() % 1 == 0).all():
            return numbers.astype("Int64")
        return numbers.astype("Float64")
    return values.map(lambda v: None if is_null(v) else str(_plain(v))).astype("string")


def _read_bool(value: Any) -> Any:
    if is_null(value) or value == "":
        return pd.NA
    try:
        return _to_bool(value)
    except ValueError:
        return pd.NA


def _read_dates(values: pd.Series, kind: FieldType, *, label: str) -> pd.Series:
    text = values.map(lambda v: None if is_null(v) or v == "" else str(v).replace(".", "-", 2))
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    lost = int(parsed.isna().sum() - text.isna().sum())
    if lost:
        log.warning("Dialog Insight %s: %d value(s) are not dates and read as empty", label, lost)
    if kind is FieldType.DATE:
        return parsed.dt.normalize().astype("datetime64[s]")
    if parsed.dt.tz is None:
        parsed = parsed.dt.tz_localize(A.DATETIME_TIMEZONE)
    return parsed.astype("datetime64[ns, UTC]")

"""Values between Salesforce's wire forms (REST JSON, Bulk CSV) and typed DataFrames.

Reading: every column is typed from describe (nullable integers, booleans, decimals, dates,
UTC datetimes, strings). Writing: a null clears a field only under the ``clear`` null policy
(``null`` in JSON, ``#N/A`` in Bulk CSV); otherwise the field is left out of the row.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from ditoolkit.port import FieldType

#: Bulk API 2.0's "set this field to null" marker.
BULK_NULL = "#N/A"
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _coerce_column(series: pd.Series, field_type: FieldType | None) -> pd.Series:
    if field_type is None:
        return series.astype("string")
    if field_type is FieldType.BOOLEAN:
        text = series.astype("string").str.lower()
        return text.map(lambda v: True if v in _TRUE else False if v in _FALSE else pd.NA).astype(
            "boolean"
        )
    if field_type is FieldType.INTEGER:
        return pd.to_numeric(series, errors="raise").astype("Float64").round().astype("Int64")
    if field_type is FieldType.DECIMAL:
        return pd.to_numeric(series, errors="raise").astype("Float64")
    if field_type is FieldType.DATE:
        parsed = pd.to_datetime(series.astype("string"), format="%Y-%m-%d", errors="raise")
        return parsed.astype("datetime64[s]")
    if field_type is FieldType.DATETIME:
        text = series.astype("string")
        return pd.to_datetime(text, format="ISO8601", utc=True, errors="raise").astype(
            "datetime64[ns, UTC]"
        )
    return series.astype("string")


def coerce_frame(frame: pd.DataFrame, types: dict[str, FieldType | None]) -> pd.DataFrame:
    """Type each column of ``frame`` by ``types`` (column → normalized type)."""
    out = {}
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object or str(series.dtype) in {"str", "string"}:
            series = series.replace("", None)
        out[column] = _coerce_column(series, types.get(column))
    return pd.DataFrame(out, index=frame.index)


def _path_value(record: dict[str, Any], path: Sequence[str]) -> Any:
    value: Any = record
    for part in path:
        if value is None:
            return None
        value = value.get(part)
    return value


def frame_from_records(
    records: Iterable[dict[str, Any]], columns: Sequence[str], types: dict[str, FieldType | None]
) -> pd.DataFrame:
    """REST query records (with nested parents) → a typed frame with ``columns``."""
    rows = list(records)
    paths = [column.split(".") for column in columns]
    data = {
        column: [_path_value(r, path) for r in rows]
        for column, path in zip(columns, paths, strict=True)
    }
    frame = pd.DataFrame(data, columns=list(columns))
    return coerce_frame(frame, types)


def frame_from_csv(
    text: str, columns: Sequence[str], types: dict[str, FieldType | None]
) -> pd.DataFrame:
    """A Bulk 2.0 query result page → a typed frame with ``columns`` (case-insensitive match)."""
    raw = pd.read_csv(
        io.StringIO(text), dtype=str, keep_default_na=False, na_values=[], quotechar='"'
    )
    by_lower = {c.lower(): c for c in raw.columns}
    raw = raw.rename(columns={by_lower[c.lower()]: c for c in columns if c.lower() in by_lower})
    return coerce_frame(raw.reindex(columns=list(columns)), types)


def _is_null(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def to_wire(value: Any, field_type: FieldType | None) -> Any:
    """One value as Salesforce's JSON expects it (``None`` for null)."""
    if _is_null(value):
        return None
    if field_type is FieldType.DATE or (
        isinstance(value, date) and not isinstance(value, datetime)
    ):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if field_type is FieldType.DATETIME or isinstance(value, datetime):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    if field_type is FieldType.BOOLEAN:
        if isinstance(value, str):
            return value.strip().lower() in _TRUE
        return bool(value)
    if field_type is FieldType.INTEGER:
        return int(value)
    if field_type is FieldType.DECIMAL:
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def records_for_rest(
    frame: pd.DataFrame, types: dict[str, FieldType | None], *, clear_nulls: bool
) -> list[dict[str, Any]]:
    """Rows as JSON objects; nulls are left out unless ``clear_nulls``."""
    columns = list(frame.columns)
    out: list[dict[str, Any]] = []
    for row in frame.itertuples(index=False, name=None):
        record: dict[str, Any] = {}
        for column, value in zip(columns, row, strict=True):
            wire = to_wire(value, types.get(column))
            if wire is None and not clear_nulls:
                continue
            record[column] = wire
        out.append(record)
    return out


def _bulk_column(series: pd.Series, field_type: FieldType | None) -> pd.Series:
    """One column as Bulk CSV text, vectorised; nulls stay null here."""
    if field_type is FieldType.DATETIME:
        stamps = pd.to_datetime(series, utc=True, format="ISO8601")
        millis = (stamps.dt.microsecond // 1000).astype("Int64").astype("string").str.zfill(3)
        return (stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.") + millis + "Z").where(stamps.notna())
    if field_type is FieldType.DATE:
        dates = pd.to_datetime(series, format="ISO8601")
        return dates.dt.strftime("%Y-%m-%d").where(dates.notna())
    if field_type is FieldType.BOOLEAN:
        values = series.map(lambda v: to_wire(v, field_type), na_action="ignore")
        return values.map({True: "true", False: "false"})
    if field_type is FieldType.INTEGER:
        return pd.to_numeric(series).astype("Int64").astype("string")
    return series.astype("string")


def csv_for_bulk(
    frame: pd.DataFrame, types: dict[str, FieldType | None], *, clear_nulls: bool
) -> pd.DataFrame:
    """The frame as the strings Bulk 2.0 reads (``#N/A`` clears, empty leaves)."""
    empty = BULK_NULL if clear_nulls else ""
    return pd.DataFrame(
        {
            column: _bulk_column(frame[column], types.get(column))
            .astype(object)
            .where(lambda s: s.notna(), empty)
            for column in frame.columns
        },
        index=frame.index,
        dtype=object,
    )

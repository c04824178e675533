"""Normalization: one canonical form per value, so that equal values never show as changes.

Salesforce and Dialog Insight spell the same value in different ways: ``"1"`` and ``1.0``,
``true`` and ``"1"``, ``2024-01-31`` and ``2024.01.31``, ``"A@X.com "`` and ``"a@x.com"``,
``None`` and ``""``. Before two frames are compared, every column is brought to one form by
its field type:

* text (string, text, phone, url, id, reference): edges trimmed, blank → null. Internal
  whitespace is kept: ``"Jean  Pierre"`` and ``"Jean Pierre"`` are different values, and the
  diff shows them so (a transform in the mapping can collapse them if that is wanted).
* email: as text, then case-folded (``A@X.com`` equals ``a@x.com``).
* picklist: as text, then spelled as the schema's own value when it matches one
  case-insensitively; labels given in ``picklist_labels`` are turned into their values.
* boolean: ``true/false``, ``t/f``, ``1/0`` (numbers or text), ``yes/no``, ``y/n``,
  ``oui/non``, ``vrai/faux``, ``on/off`` in any case → ``True``/``False``; anything else
  → null (and :mod:`~ditoolkit.core.quality` reports ``NOT_A_BOOLEAN``).
* integer, decimal: numbers, numeric text (``"1"``, ``" 1.50 "``, ``"1,5"`` with a decimal
  comma, spaces as thousands separators) → ``Float64`` (``Int64`` for integer fields whose
  values are all whole); decimals are rounded to the field's scale when the schema gives one,
  else to 9 places, so float noise (``0.1 + 0.2``) never reads as a change.
* date: ``YYYY-MM-DD``, Dialog Insight's ``YYYY.MM.DD``, ``YYYY/MM/DD`` and datetimes (the
  date part as written) → ``datetime64`` at midnight, no time zone.
* datetime: ISO 8601 with or without offset, ``+0000`` offsets, Dialog Insight's
  ``YYYY.MM.DD HH:MM:SS`` → UTC, truncated to the second (Dialog Insight stores seconds);
  naive values are taken as UTC.

Nulls: ``None``, ``NaN``, ``NaT``, ``pd.NA``, ``""`` and whitespace-only text are all null
under both null policies; the policy (``leave`` or ``clear``) only decides, in the diff,
whether a null in the source clears the target.

All work is vectorised: parsing runs once per distinct value (:func:`map_distinct`), never
once per row.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ditoolkit.port import FieldSchema, FieldType, TableSchema

TEXT_TYPES = frozenset(
    {
        FieldType.STRING,
        FieldType.TEXT,
        FieldType.PHONE,
        FieldType.URL,
        FieldType.ID,
        FieldType.REFERENCE,
        FieldType.EMAIL,
        FieldType.PICKLIST,
    }
)
NUMBER_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL})

#: Every spelling of a boolean that either system (or a CSV file) uses, lower-cased.
BOOLEAN_WORDS: dict[str, bool] = {
    **dict.fromkeys(("true", "t", "1", "1.0", "yes", "y", "oui", "vrai", "on"), True),
    **dict.fromkeys(("false", "f", "0", "0.0", "no", "n", "non", "faux", "off"), False),
}

_DEFAULT_DECIMALS = 9


class NullPolicy(enum.StrEnum):
    """What a null in the source means for the target.

    ``LEAVE``: a null never clears the target (no update is generated).
    ``CLEAR``: a null clears the target's value.
    """

    LEAVE = "leave"
    CLEAR = "clear"


def parse_null_policy(value: str | NullPolicy) -> NullPolicy:
    """Return ``value`` as a :class:`NullPolicy`.

    Raises:
        ValueError: naming the two accepted values.
    """
    try:
        return NullPolicy(value)
    except ValueError:
        raise ValueError(
            f"unknown null policy {value!r}: use 'leave' (a null never clears the target) "
            "or 'clear' (a null clears it)"
        ) from None


def map_distinct(series: pd.Series, func: Callable[[pd.Series], Any]) -> pd.Series:
    """Apply ``func`` once to the distinct non-null values of ``series``, then spread back.

    Args:
        series: the values.
        func: takes a Series of distinct values, returns an array-like of the same length.

    Returns:
        A Series aligned with ``series``; nulls stay null.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = pd.Series(func(pd.Series(uniques, dtype=series.dtype)))
    values = pd.api.extensions.take(mapped.array, codes, allow_fill=True)
    return pd.Series(values, index=series.index, name=series.name)


def _as_text(series: pd.Series) -> pd.Series:
    """Text with trimmed edges; blank → null."""
    text = series.astype("string").str.strip()
    return text.mask(text == "")


def normalize_text(series: pd.Series) -> pd.Series:
    """Trim edges, blank → null, as ``string`` dtype."""
    return _as_text(series)


def normalize_email(series: pd.Series) -> pd.Series:
    """Trim, blank → null, case-fold."""
    return _as_text(series).str.lower()


def normalize_picklist(
    series: pd.Series, field: FieldSchema, *, labels: Mapping[str, str] | None = None
) -> pd.Series:
    """Trim, map labels to values, spell values as the schema does (case-insensitive match)."""
    text = _as_text(series)
    canonical = {v.lower(): v for v in field.picklist_values}
    canonical.update({label.lower(): value for label, value in (labels or {}).items()})
    if not canonical:
        return text

    def spell(values: pd.Series) -> pd.Series:
        return values.map(lambda v: canonical.get(v.lower(), v))

    return map_distinct(text, spell).astype("string")


def _bool_of(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        if value == 1:
            return True
        return False if value == 0 else pd.NA
    return BOOLEAN_WORDS.get(str(value).strip().lower(), pd.NA)


def normalize_boolean(series: pd.Series) -> pd.Series:
    """Every spelling of a boolean → ``boolean`` dtype; unknown spellings → null."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean")

    def parse(values: pd.Series) -> pd.Series:
        return values.map(_bool_of)

    return map_distinct(series, parse).astype("boolean")


def to_number(series: pd.Series) -> pd.Series:
    """Numbers and numeric text → ``Float64``; what is not a number → null."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("Float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype("Float64")
    text = _as_text(series).str.replace("[\\s\u00a0\u202f]", "", regex=True)
    text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("Float64")


def normalize_number(series: pd.Series, field: FieldSchema) -> pd.Series:
    """Numbers at the field's scale; whole integer columns as ``Int64``."""
    numbers = to_number(series)
    if field.type is FieldType.INTEGER:
        finite = numbers.dropna()
        if bool((finite == finite.round(0)).all()) and bool((finite.abs() < 2**53).all()):
            return numbers.astype("Int64")
        return numbers
    scale = field.scale if field.scale is not None else _DEFAULT_DECIMALS
    return numbers.round(scale)


_DATE_PREFIX = r"^\s*(\d{4})[./-](\d{1,2})[./-](\d{1,2})"


def to_date(series: pd.Series) -> pd.Series:
    """Dates, datetimes and date text → ``datetime64`` at midnight (no time zone)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        midnight: pd.Series = series.dt.normalize()
        return midnight

    def parse(values: pd.Series) -> pd.Series:
        parts = values.astype("string").str.extract(_DATE_PREFIX)
        iso = parts[0] + "-" + parts[1].str.zfill(2) + "-" + parts[2].str.zfill(2)
        return pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")

    return map_distinct(series, parse).astype("datetime64[us]")


def to_datetime_utc(series: pd.Series) -> pd.Series:
    """Datetimes and datetime text → UTC ``datetime64``, to the second; naive taken as UTC."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        parsed = series.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(series.dtype):
        parsed = series.dt.tz_localize("UTC")
    else:

        def parse(values: pd.Series) -> pd.Series:
            text = values.astype("string").str.strip()
            text = text.str.replace(r"^(\d{4})\.(\d{2})\.(\d{2})", r"\1-\2-\3", regex=True)
            return pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)

        parsed = map_distinct(series, parse).astype("datetime64[us, UTC]")
    seconds: pd.Series = parsed.dt.floor("s")
    return seconds


def normalize_series(
    series: pd.Series,
    field: FieldSchema | None,
    *,
    picklist_labels: Mapping[str, str] | None = None,
) -> pd.Series:
    """Bring one column to its canonical form by its field's type.

    Args:
        series: the raw values.
        field: the field's schema; ``None`` (a column the schema does not know) treats text
            as text and leaves other dtypes as they are.
        picklist_labels: for a picklist, label → value pairs to accept.

    Returns:
        The canonical values, same index and name.
    """
    if field is None:
        is_text = pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(
            series.dtype
        )
        return normalize_text(series) if is_text else series
    kind = field.type
    if kind is FieldType.EMAIL:
        return normalize_email(series)
    if kind is FieldType.PICKLIST:
        return normalize_picklist(series, field, labels=picklist_labels)
    if kind in TEXT_TYPES:
        return normalize_text(series)
    if kind is FieldType.BOOLEAN:
        return normalize_boolean(series)
    if kind in NUMBER_TYPES:
        return normalize_number(series, field)
    if kind is FieldType.DATE:
        return to_date(series)
    return to_datetime_utc(series)


def normalize_frame(
    frame: pd.DataFrame,
    schema: TableSchema,
    *,
    null_policy: str | NullPolicy = NullPolicy.LEAVE,
    columns: list[str] | None = None,
    picklist_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Normalize every column of ``frame`` by the target schema's field types.

    Args:
        frame: rows in target field names.
        schema: the target table's schema.
        null_policy: ``leave`` or ``clear``; checked here, applied by the diff (blanks are
            nulls under both).
        columns: the columns to normalize (default: all); others are left out.
        picklist_labels: per picklist field, label → value pairs.

    Returns:
        A new frame with the same index and the chosen columns in canonical form.
    """
    parse_null_policy(null_policy)
    labels = picklist_labels or {}
    names = list(frame.columns) if columns is None else columns
    return pd.DataFrame(
        {
            name: normalize_series(frame[name], schema.get(name), picklist_labels=labels.get(name))
            for name in names
        },
        index=frame.index,
    )

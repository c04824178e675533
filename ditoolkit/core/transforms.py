"""Value transforms: a source frame expressed in the target's field names, vectorised.

:func:`apply_transforms` is what the diff engine consumes: it keeps the source rows a transfer's
filters let through, then builds one column per :class:`~ditoolkit.core.mapping.FieldRoute` of
the direction (key first), named as the *target* names it, each passed through its recipe:

- ``trim``, ``lower``, ``upper``, ``title``, ``digits`` (keep digits only, for phones);
- ``value_map`` (source value as text → target value; values the map lacks are kept, and with
  ``unmapped: flag`` also reported);
- ``default`` (fills empty source values);
- ``date:<fmt>`` / ``datetime:<fmt>`` (parse text with a strftime format; a value that does not
  parse becomes NaT *and* an ``unparsable_date`` finding naming its row — never silently);
- constants (``value:``) fill their column.

Row findings carry the source row's index label, so the quality step can hold the row back.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import pandas as pd

from ditoolkit.core.findings import Finding
from ditoolkit.core.mapping import FieldRoute, FilterRule, Transfer
from ditoolkit.errors import MappingError

_TEXT_STEPS = {
    "trim": lambda s: s.str.strip(),
    "lower": lambda s: s.str.lower(),
    "upper": lambda s: s.str.upper(),
    "title": lambda s: s.str.title(),
    "digits": lambda s: s.str.replace(r"\D", "", regex=True),
}


def apply_transforms(
    frame: pd.DataFrame, transfer: Transfer, *, direction: str | None = None
) -> tuple[pd.DataFrame, list[Finding]]:
    """The source ``frame`` filtered, transformed and renamed to the target's field names.

    Args:
        frame: rows read from the source side of ``direction``, in its field names.
        transfer: the transfer.
        direction: ``sf_to_di`` or ``di_to_sf``; may be left out unless the transfer is ``both``.

    Returns:
        The frame (same index labels as the kept source rows; key column first) and the
        findings for values that could not be transformed.

    Raises:
        MappingError: the frame lacks a column the transfer reads.
    """
    routes = transfer.pairs_for(direction)
    source_side = transfer.source_side(direction)
    kept = filter_rows(frame, transfer, side=source_side)
    columns = _column_lookup(kept, [r.source for r in routes if r.source is not None], transfer)
    findings: list[Finding] = []
    out: dict[str, pd.Series] = {}
    for route in routes:
        if route.source is None:
            series = _constant(route.value, kept.index)
        else:
            series = kept[columns[route.source]].copy()
        for step in route.transforms:
            series = apply_step(series, step, route=route, transfer=transfer, findings=findings)
        out[route.target] = series
    result = pd.DataFrame(out, index=kept.index)
    return result, findings


def apply_step(
    series: pd.Series,
    step: str,
    *,
    route: FieldRoute,
    transfer: Transfer,
    findings: list[Finding],
) -> pd.Series:
    """One step of a recipe on ``series``; value problems are appended to ``findings``."""
    if step in _TEXT_STEPS:
        return _TEXT_STEPS[step](_as_text(series))  # type: ignore[no-any-return]
    if step == "value_map":
        return _map_values(series, route=route, transfer=transfer, findings=findings)
    if step == "default":
        text = _as_text(series)
        empty = text.isna() | (text.str.strip() == "")
        return series.astype(object).where(~empty, route.pair.default).convert_dtypes()
    kind, _, fmt = step.partition(":")
    if kind in ("date", "datetime") and fmt:
        return parse_dates(
            series,
            fmt,
            kind=kind,
            on_error=lambda label, raw: findings.append(
                Finding(
                    "error",
                    transfer.name,
                    route.target,
                    "unparsable_date",
                    f"{raw!r} in {route.source} does not match the format {fmt!r}",
                    "correct the value at the source, or fix the pair's format",
                    row=label,
                    value=raw,
                )
            ),
        )
    raise MappingError(f"unknown transform step {step!r} in transfer {transfer.name!r}")


def parse_dates(
    series: pd.Series, fmt: str, *, kind: str = "date", on_error: Any = None
) -> pd.Series:
    """Parse text with a strftime format into dates (``datetime64[s]``) or UTC datetimes.

    Args:
        series: text (or already datetimes, which are only normalized).
        fmt: the strftime format.
        kind: ``date`` (time of day dropped) or ``datetime`` (UTC).
        on_error: called with ``(row label, raw value)`` for each value that does not parse.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed = series
    else:
        text = _as_text(series).str.strip()
        blank = text.isna() | (text == "")
        parsed = pd.to_datetime(text.where(~blank), format=fmt, errors="coerce", utc=True)
        if on_error is not None:
            for label, raw in text[~blank & parsed.isna()].items():
                on_error(label, raw)
    utc = parsed.dt.tz_localize("UTC") if parsed.dt.tz is None else parsed.dt.tz_convert("UTC")
    result: pd.Series = (
        utc.dt.tz_localize(None).dt.normalize().astype("datetime64[s]")
        if kind == "date"
        else utc.astype("datetime64[ns, UTC]")
    )
    return result


def filter_rows(frame: pd.DataFrame, transfer: Transfer, *, side: str) -> pd.DataFrame:
    """The rows of ``frame`` (read from ``side``) that the transfer's filters keep."""
    rules = [rule for rule in transfer.filters if rule.side == side]
    if not rules:
        return frame
    columns = _column_lookup(frame, [rule.field for rule in rules], transfer)
    mask = pd.Series(True, index=frame.index)
    for rule in rules:
        mask &= _filter_mask(frame[columns[rule.field]], rule)
    return frame[mask]


def _filter_mask(column: pd.Series, rule: FilterRule) -> pd.Series:
    empty = column.isna() | (_as_text(column).str.strip() == "").fillna(False)
    if rule.op == "is_null":
        return empty.astype(bool)
    if rule.op == "not_null":
        return ~empty.astype(bool)
    if rule.op in ("in", "not_in"):
        values = [str(v) for v in rule.value]
        hit = _as_text(column).isin(values).fillna(False).astype(bool)
        return hit if rule.op == "in" else ~hit
    value: Any = rule.value
    if pd.api.types.is_datetime64_any_dtype(column):
        value = pd.Timestamp(value)
        if column.dt.tz is not None and value.tzinfo is None:
            value = value.tz_localize("UTC")
    elif not pd.api.types.is_numeric_dtype(column):
        column, value = _as_text(column), str(value)
    compare: Callable[[Any, Any], Any] = getattr(operator, rule.op)
    result = compare(column, value)
    return pd.Series(result, index=column.index).fillna(rule.op == "ne").astype(bool)


def _map_values(
    series: pd.Series, *, route: FieldRoute, transfer: Transfer, findings: list[Finding]
) -> pd.Series:
    table = dict(route.pair.value_map or ())
    keys = _as_text(series)
    hit = keys.isin(list(table)).fillna(False).astype(bool)
    mapped = series.astype(object).where(~hit, keys.map(table))
    if route.pair.unmapped == "flag":
        for label, raw in series[~hit & series.notna()].items():
            findings.append(
                Finding(
                    "error",
                    transfer.name,
                    route.target,
                    "unmapped_value",
                    f"{raw!r} in {route.source} has no entry in the value_map",
                    f"add {raw!r} to the pair's value_map, or correct the source value",
                    row=label,
                    value=raw,
                )
            )
    return mapped.convert_dtypes()


def _constant(value: Any, index: pd.Index) -> pd.Series:
    return pd.Series([value] * len(index), index=index, dtype=object).convert_dtypes()


def _as_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(series) and series.dtype != object:
        return series
    return series.astype("string")


def _column_lookup(frame: pd.DataFrame, names: list[str], transfer: Transfer) -> dict[str, str]:
    """Each wanted name → the frame's column (exact, else the one case-insensitive match)."""
    by_lower: dict[str, list[str]] = {}
    for column in frame.columns:
        by_lower.setdefault(str(column).lower(), []).append(str(column))
    found: dict[str, str] = {}
    missing: list[str] = []
    for name in names:
        if name in frame.columns:
            found[name] = name
        elif len(by_lower.get(name.lower(), [])) == 1:
            found[name] = by_lower[name.lower()][0]
        else:
            missing.append(name)
    if missing:
        have = ", ".join(str(c) for c in frame.columns) or "(none)"
        raise MappingError(
            f"transfer {transfer.name!r} reads {', '.join(missing)}, "
            f"which the source rows do not have (columns: {have})",
            hint="read these columns from the source, or fix the field names in the mapping",
        )
    return found

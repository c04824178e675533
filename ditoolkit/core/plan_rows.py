"""Turning a :class:`~ditoolkit.core.diff.Diff` into planned row changes, and their JSON form.

One planned row change per row (never per field): an insert carries every non-null field, an
update the fields that change (before and after), a delete the row as it was (its before
image).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

PLAN_COLUMNS = ["key", "operation", "side", "fields", "before", "after"]


def json_value(value: Any) -> Any:
    """``value`` as a plain JSON value: nulls → None, dates as ISO text, numpy → Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return json_value(value.item())
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None and value == value.normalize():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _record(row: Mapping[Hashable, Any], *, key: str) -> dict[str, Any]:
    values = ((str(k), json_value(v)) for k, v in row.items() if k != key)
    return {k: v for k, v in values if v is not None}


def insert_rows(inserts: pd.DataFrame, *, key: str) -> pd.DataFrame:
    """One planned insert per source row: ``after`` holds every non-null field."""
    records = [_record(r, key=key) for r in inserts.to_dict("records")]
    return _frame(
        keys=[json_value(k) for k in inserts[key]],
        operation="insert",
        side="target",
        before=[{} for _ in records],
        after=records,
    )


def delete_rows(deletes: pd.DataFrame, *, key: str) -> pd.DataFrame:
    """One planned delete per target row: ``before`` is the row as it was."""
    records = [_record(r, key=key) for r in deletes.to_dict("records")]
    return _frame(
        keys=[json_value(k) for k in deletes[key]],
        operation="delete",
        side="target",
        before=records,
        after=[{} for _ in records],
    )


def update_rows(updates: pd.DataFrame, *, side: str) -> pd.DataFrame:
    """One planned update per key, gathering its fields' before and after values."""
    ordered = updates.sort_values("key", kind="stable")
    triples = zip(
        ordered["key"], ordered["field"], ordered["before"], ordered["after"], strict=True
    )
    keys: list[Any] = []
    before: list[dict[str, Any]] = []
    after: list[dict[str, Any]] = []
    for row_key, group in itertools.groupby(triples, key=lambda t: t[0]):
        items = list(group)
        keys.append(json_value(row_key))
        before.append({f: json_value(b) for _, f, b, _ in items})
        after.append({f: json_value(a) for _, f, _, a in items})
    return _frame(keys=keys, operation="update", side=side, before=before, after=after)


def _frame(
    *, keys: list[Any], operation: str, side: str, before: list[Any], after: list[Any]
) -> pd.DataFrame:
    fields = [sorted(set(b) | set(a)) for b, a in zip(before, after, strict=True)]
    return pd.DataFrame(
        {
            "key": pd.Series(keys, dtype="object"),
            "operation": operation,
            "side": side,
            "fields": pd.Series(fields, dtype="object"),
            "before": pd.Series(before, dtype="object"),
            "after": pd.Series(after, dtype="object"),
        },
        columns=PLAN_COLUMNS,
    )


def empty_rows() -> pd.DataFrame:
    """A plan-rows frame with no rows."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in PLAN_COLUMNS})

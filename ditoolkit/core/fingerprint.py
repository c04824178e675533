"""Stable, order-independent fingerprints of the target rows a plan was made from.

A plan is only valid for the target it was computed against. :func:`fingerprint_rows` hashes
every row (key and compared columns, each value in its text form), sums the row hashes (so
row order does not matter) and digests the sum with the row count and the column names.
:func:`row_hashes` keeps the per-row hashes of the rows a plan touches, so that a stale plan
can name what changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ditoolkit.errors import DitoolkitError


def key_text(keys: pd.Series) -> pd.Series:
    """Keys in the form fingerprints compare them: text, trimmed, case-folded."""
    return keys.astype("string").str.strip().str.lower()


def _hashes(frame: pd.DataFrame, *, key: str, columns: Sequence[str]) -> np.ndarray:
    missing = [c for c in (key, *columns) if c not in frame.columns]
    if missing:
        raise DitoolkitError(
            f"cannot fingerprint the target rows: column(s) {missing} are missing",
            hint="read the target with the same columns as when the plan was made",
        )
    text = pd.DataFrame({c: frame[c].astype("string") for c in (key, *columns)})
    return pd.util.hash_pandas_object(text, index=False).to_numpy(dtype=np.uint64)


def fingerprint_rows(frame: pd.DataFrame, *, key: str, columns: Sequence[str]) -> str:
    """A hash of ``frame``'s rows (key and ``columns``) that ignores row order.

    Args:
        frame: the target rows as read.
        key: the key column.
        columns: the compared columns.

    Returns:
        A hex digest, equal for two frames holding the same rows in any order.
    """
    total = int(_hashes(frame, key=key, columns=columns).sum(dtype=np.uint64))
    text = f"{len(frame)}|{key}|{','.join(columns)}|{total}"
    return hashlib.sha256(text.encode()).hexdigest()


def row_hashes(
    frame: pd.DataFrame, *, key: str, columns: Sequence[str], keys: Sequence[str]
) -> dict[str, str]:
    """Per-row hashes of the rows whose key is in ``keys``, by those keys as given.

    Keys are matched in their :func:`key_text` form (trimmed, case-folded).
    """
    given = {str(k).strip().lower(): str(k) for k in keys}
    found = key_text(frame[key])
    mask = found.isin(list(given)).to_numpy(dtype=bool, na_value=False)
    hashes = _hashes(frame.loc[mask], key=key, columns=columns)
    return {given[k]: format(int(h), "016x") for k, h in zip(found[mask], hashes, strict=True)}


def describe_drift(
    current: pd.DataFrame,
    *,
    key: str,
    columns: Sequence[str],
    touched: Mapping[str, str],
    insert_keys: Sequence[str],
    rows_before: int,
) -> str:
    """What changed in the target since the plan, in words: rows, counts, sample keys."""
    now = row_hashes(current, key=key, columns=columns, keys=list(touched))
    changed = sorted(k for k, h in touched.items() if now.get(k) != h)
    present = set(key_text(current[key]).dropna())
    appeared = sorted(k for k in insert_keys if k.strip().lower() in present)
    parts = [f"{rows_before} row(s) when planned, {len(current)} now"]
    if changed:
        parts.append(f"{len(changed)} planned row(s) changed or vanished (keys {changed[:5]})")
    if appeared:
        parts.append(f"{len(appeared)} row(s) planned for insert now exist (keys {appeared[:5]})")
    if not changed and not appeared:
        parts.append("rows the plan does not touch changed")
    return "; ".join(parts)

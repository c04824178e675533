"""Matching source rows to target rows by key, without guessing.

A row whose key is empty cannot be matched; a key that appears more than once on a side
cannot be matched to one row. Such rows are held back with their reason (all of them, none
picked), and a target key held back this way also holds back the source rows that carry it.
A target row is only proposed for deletion when no source row carries its key, held back or
not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ditoolkit.core.normalize import normalize_series
from ditoolkit.core.quality_rules import Reason
from ditoolkit.port import FieldSchema

HELD_COLUMNS = ["side", "row", "key", "reason", "message"]


@dataclass(frozen=True)
class KeyMatch:
    """Positions of matched, new, gone and held-back rows.

    Attributes:
        keys: the normalized key of each matched pair.
        source_rows: positions in the source of the matched pairs.
        target_rows: positions in the target of the matched pairs.
        insert_rows: positions in the source of rows the target lacks.
        delete_rows: positions in the target of rows the source lacks.
        held_back: ``side, row, key, reason, message`` (``row`` is the frame's index label).
        target_keys: the target's normalized keys, one per target row.
    """

    keys: np.ndarray
    source_rows: np.ndarray
    target_rows: np.ndarray
    insert_rows: np.ndarray
    delete_rows: np.ndarray
    held_back: pd.DataFrame
    target_keys: pd.Series


def _problems(keys: pd.Series, side: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Rows with a usable key, and the held-back rows of this side."""
    missing = keys.isna().to_numpy()
    duplicate = keys.duplicated(keep=False).to_numpy() & ~missing
    held = []
    if missing.any():
        held.append(
            pd.DataFrame(
                {
                    "side": side,
                    "row": keys.index[missing],
                    "key": None,
                    "reason": Reason.MISSING_KEY.value,
                    "message": f"the {side} row has no key value",
                }
            )
        )
    if duplicate.any():
        dup_keys = keys[duplicate]
        counts = dup_keys.map(dup_keys.value_counts())
        held.append(
            pd.DataFrame(
                {
                    "side": side,
                    "row": dup_keys.index,
                    "key": dup_keys.astype(object).to_numpy(),
                    "reason": Reason.DUPLICATE_KEY.value,
                    "message": [f"the key appears {n} times in the {side}" for n in counts],
                }
            )
        )
    return ~(missing | duplicate), _stack(held)


def _stack(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in HELD_COLUMNS})
    return pd.concat(parts, ignore_index=True)[HELD_COLUMNS].astype({"row": "object"})


def _blocked_by_target(
    src_keys: pd.Series, src_ok: np.ndarray, tgt_dups: pd.Index
) -> tuple[np.ndarray, pd.DataFrame]:
    """Source rows whose key is duplicated in the target: held back too."""
    blocked = src_ok & src_keys.isin(tgt_dups).to_numpy()
    if not blocked.any():
        return blocked, _stack([])
    frame = pd.DataFrame(
        {
            "side": "source",
            "row": src_keys.index[blocked],
            "key": src_keys[blocked].astype(object).to_numpy(),
            "reason": Reason.DUPLICATE_KEY.value,
            "message": "the key appears more than once in the target: fix the target first",
        }
    )
    return blocked, _stack([frame])


def match_keys(
    source_keys: pd.Series, target_keys: pd.Series, *, field: FieldSchema | None
) -> KeyMatch:
    """Match source rows to target rows by their normalized key.

    Args:
        source_keys: the source's key column.
        target_keys: the target's key column.
        field: the key field's schema (drives normalization: an email key is case-folded).

    Returns:
        The :class:`KeyMatch`.
    """
    src = normalize_series(source_keys, field)
    tgt = normalize_series(target_keys, field)
    src_ok, src_held = _problems(src, "source")
    tgt_ok, tgt_held = _problems(tgt, "target")
    tgt_dups = pd.Index(tgt[tgt.duplicated(keep=False) & tgt.notna()].unique())
    blocked, blocked_held = _blocked_by_target(src, src_ok, tgt_dups)
    src_ok &= ~blocked
    src_pos = np.flatnonzero(src_ok)
    tgt_pos = np.flatnonzero(tgt_ok)
    found = pd.Index(tgt.array[tgt_pos]).get_indexer(pd.Index(src.array[src_pos]))
    matched = found >= 0
    gone = ~pd.Index(tgt.array[tgt_pos]).isin(pd.Index(src.dropna().array))
    return KeyMatch(
        keys=np.asarray(src.array[src_pos[matched]], dtype=object),
        source_rows=src_pos[matched],
        target_rows=tgt_pos[found[matched]],
        insert_rows=src_pos[~matched],
        delete_rows=tgt_pos[gone],
        held_back=_stack([src_held, blocked_held, tgt_held]),
        target_keys=tgt,
    )

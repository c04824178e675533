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


def _problems(
    keys: pd.Series, codes: np.ndarray, counts: np.ndarray, side: str
) -> tuple[np.ndarray, pd.DataFrame]:
    """Rows with a usable key, and the held-back rows of this side."""
    missing = codes < 0
    repeats = np.where(missing, 0, counts[np.maximum(codes, 0)])
    duplicate = repeats > 1
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
        held.append(
            pd.DataFrame(
                {
                    "side": side,
                    "row": keys.index[duplicate],
                    "key": keys[duplicate].astype(object).to_numpy(),
                    "reason": Reason.DUPLICATE_KEY.value,
                    "message": [
                        f"the key appears {n} times in the {side}" for n in repeats[duplicate]
                    ],
                }
            )
        )
    return ~(missing | duplicate), _stack(held)


def _stack(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in HELD_COLUMNS})
    return pd.concat(parts, ignore_index=True)[HELD_COLUMNS].astype({"row": "object"})


def _blocked_by_target(
    src_keys: pd.Series, src_ok: np.ndarray, blocked: np.ndarray
) -> pd.DataFrame:
    """Source rows whose key is duplicated in the target: held back too."""
    frame = pd.DataFrame(
        {
            "side": "source",
            "row": src_keys.index[blocked],
            "key": src_keys[blocked].astype(object).to_numpy(),
            "reason": Reason.DUPLICATE_KEY.value,
            "message": "the key appears more than once in the target: fix the target first",
        }
    )
    return _stack([frame] if blocked.any() else [])


def match_keys(
    source_keys: pd.Series, target_keys: pd.Series, *, field: FieldSchema | None
) -> KeyMatch:
    """Match source rows to target rows by their normalized key.

    Both sides' keys are factorized together once; every later step (duplicates, matching,
    deletions) works on the integer codes.

    Args:
        source_keys: the source's key column.
        target_keys: the target's key column.
        field: the key field's schema (drives normalization: an email key is case-folded).

    Returns:
        The :class:`KeyMatch`.
    """
    src = normalize_series(source_keys, field)
    tgt = normalize_series(target_keys, field)
    both = pd.concat([src.reset_index(drop=True), tgt.reset_index(drop=True)], ignore_index=True)
    codes, uniques = pd.factorize(both, use_na_sentinel=True)
    src_codes, tgt_codes = codes[: len(src)], codes[len(src) :]
    n = len(uniques)
    src_counts = np.bincount(src_codes[src_codes >= 0], minlength=n)
    tgt_counts = np.bincount(tgt_codes[tgt_codes >= 0], minlength=n)
    src_ok, src_held = _problems(src, src_codes, src_counts, "source")
    tgt_ok, tgt_held = _problems(tgt, tgt_codes, tgt_counts, "target")
    blocked = src_ok & (tgt_counts[np.maximum(src_codes, 0)] > 1)
    src_ok &= ~blocked
    position = np.full(n + 1, -1, dtype=np.intp)  # code -> target row (unique keys only)
    position[tgt_codes[tgt_ok]] = np.flatnonzero(tgt_ok)
    src_pos = np.flatnonzero(src_ok)
    found = position[src_codes[src_pos]]
    matched = found >= 0
    tgt_pos = np.flatnonzero(tgt_ok)
    gone = src_counts[tgt_codes[tgt_pos]] == 0
    return KeyMatch(
        keys=np.asarray(uniques.take(src_codes[src_pos[matched]]), dtype=object),
        source_rows=src_pos[matched],
        target_rows=found[matched],
        insert_rows=src_pos[~matched],
        delete_rows=tgt_pos[gone],
        held_back=_stack([src_held, _blocked_by_target(src, src_ok, blocked), tgt_held]),
        target_keys=tgt,
    )

"""Keyed comparison of a source and a target frame, after normalization.

:func:`diff_frames` answers: which source rows are new to the target (``inserts``), which
fields of matched rows differ (``updates``, long form: key, field, before, after), which target
rows the source no longer has (``deletes``), how many matched rows are equal (``unchanged``)
and — for two-way transfers — which fields both sides changed (``conflicts``).

Both frames are in target field names. Values are compared in the canonical form of
:mod:`ditoolkit.core.normalize`, so ``"A@x.com "`` and ``"a@x.com"`` are equal; ``before`` and
``after`` (and the rows of ``inserts`` and ``deletes``) are given in that form, keys included.

Rows whose key is empty or appears more than once (on either side) are never matched by
guess: they go to ``held_back`` with the reason, and the plan leaves them out.

Two-way rule (``base`` given, or ``two_way=True``): for a field that differs between source
and target, the base snapshot (the values agreed at the last successful sync) decides:

* only the source changed since base → ``updates`` (source → target);
* only the target changed since base → ``updates_back`` (target → source);
* both changed, to different values → ``conflicts`` (base, source and target values shown);
* no base for that row (first sync, or a row new on both sides) → ``conflicts``: a differing
  value is reported, never guessed.

Fields equal on both sides are unchanged whatever the base says (both changed to the same
value). Under the ``leave`` null policy a change whose new value is null is dropped in either
direction; conflicts are reported as they are.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ditoolkit.core.diff_keys import KeyMatch, match_keys
from ditoolkit.core.normalize import (
    NullPolicy,
    normalize_frame,
    normalize_series,
    parse_null_policy,
)
from ditoolkit.errors import DitoolkitError
from ditoolkit.port import TableSchema

UPDATE_COLUMNS = ["key", "field", "before", "after"]
_WORKERS = min(4, os.cpu_count() or 1)
CONFLICT_COLUMNS = ["key", "field", "base", "source", "target"]

#: The keys of :meth:`Diff.summary` (the ``counts`` of summary.json), in order.
COUNT_KEYS = ("insert", "update", "delete", "conflict", "unchanged", "held_back", "failed")


@dataclass
class Diff:
    """What differs between a source and a target frame, keyed.

    Attributes:
        key: the key column (a target field name).
        fields: the compared fields.
        inserts: source rows whose key the target lacks (normalized, source index kept).
        updates: long form ``key, field, before, after``: the target's value then the source's.
        deletes: target rows whose key the source lacks (normalized, target index kept).
        unchanged: matched rows with no update, reverse update or conflict.
        conflicts: long form ``key, field, base, source, target`` (two-way only).
        updates_back: long form ``key, field, before, after`` from target to source (two-way).
        held_back: rows not compared: ``side, row, key, reason, message``.
        null_policy: ``leave`` or ``clear``.
        two_way: conflicts were looked for.
        target: the target frame as read (for fingerprints), not copied.
        target_keys: the target's normalized keys, one per target row.
        unchanged_keys: the keys of the unchanged rows.
    """

    key: str
    fields: tuple[str, ...]
    inserts: pd.DataFrame
    updates: pd.DataFrame
    deletes: pd.DataFrame
    unchanged: int
    conflicts: pd.DataFrame
    updates_back: pd.DataFrame
    held_back: pd.DataFrame
    null_policy: NullPolicy = NullPolicy.LEAVE
    two_way: bool = False
    target: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    target_keys: pd.Series = field(default_factory=lambda: pd.Series(dtype="object"), repr=False)
    unchanged_keys: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=object), repr=False
    )

    def updated_keys(self) -> pd.Index:
        """Keys with at least one field to update, in either direction."""
        keys = pd.concat([self.updates["key"], self.updates_back["key"]])
        found: pd.Index = pd.Index(keys.drop_duplicates())
        return found

    def conflict_keys(self) -> pd.Index:
        """Keys with at least one conflicting field."""
        found: pd.Index = pd.Index(self.conflicts["key"].drop_duplicates())
        return found

    def summary(self) -> dict[str, int]:
        """Row counts in the shape of summary.json's ``counts`` (rows, not fields)."""
        conflict_keys = self.conflict_keys()
        updated = self.updated_keys().difference(conflict_keys)
        return {
            "insert": len(self.inserts),
            "update": len(updated),
            "delete": len(self.deletes),
            "conflict": len(conflict_keys),
            "unchanged": int(self.unchanged),
            "held_back": len(self.held_back),
            "failed": 0,
        }

    def changed_fields(self) -> pd.Series:
        """How many rows change in each field (updates in both directions), most first."""
        both = pd.concat([self.updates["field"], self.updates_back["field"]])
        counts = both.value_counts().reindex(list(self.fields), fill_value=0)
        ordered: pd.Series = counts.sort_values(ascending=False, kind="stable").rename("rows")
        return ordered

    def all_changes(self) -> pd.DataFrame:
        """Updates (``side="target"``) and reverse updates (``side="source"``) in one frame."""
        return pd.concat(
            [self.updates.assign(side="target"), self.updates_back.assign(side="source")],
            ignore_index=True,
        )

    def to_dict(self) -> dict[str, Any]:
        """Counts, per-field changes and settings as plain JSON-ready values."""
        return {
            "key": self.key,
            "fields": list(self.fields),
            "null_policy": self.null_policy.value,
            "two_way": self.two_way,
            "counts": self.summary(),
            "changed_fields": {k: int(v) for k, v in self.changed_fields().items()},
        }


def _compared_fields(
    source: pd.DataFrame, target: pd.DataFrame, key: str, fields: list[str] | None
) -> tuple[str, ...]:
    """The fields to compare: ``fields``, or the source's columns other than the key."""
    for side, frame in (("source", source), ("target", target)):
        if key not in frame.columns:
            raise DitoolkitError(
                f"the {side} frame has no key column {key!r} (columns: {list(frame.columns)})",
                hint="express both frames in target field names with the key column included",
            )
    chosen = [c for c in source.columns if c != key] if fields is None else list(fields)
    missing = [c for c in chosen if c not in source.columns]
    if missing:
        raise DitoolkitError(
            f"the source frame has no column(s) {missing} to compare",
            hint="pass fields= naming columns the source frame has, or add them to the mapping",
        )
    return tuple(c for c in chosen if c != key)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]``, or an all-null column when the frame lacks it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object", name=name)


def _isna(values: Any) -> np.ndarray:
    found = values.isna() if hasattr(values, "isna") else pd.isna(values)
    return np.asarray(found, dtype=bool)


def _as_bools(equal: Any) -> np.ndarray:
    """A comparison's result as plain booleans, NA (a null on one side) as False."""
    if isinstance(equal, np.ndarray) and equal.dtype == bool:
        return equal
    if hasattr(equal, "to_numpy"):
        return np.asarray(equal.to_numpy(dtype=bool, na_value=False))
    return np.asarray(pd.array(equal, dtype="boolean").to_numpy(dtype=bool, na_value=False))


def _differs(left: Any, right: Any) -> np.ndarray:
    """Position-wise: the values differ (null equals null, null differs from a value)."""
    left_na = _isna(left)
    right_na = _isna(right)
    try:
        equal = _as_bools(left == right)
    except TypeError:
        equal = _as_bools(pd.array(left, dtype="string") == pd.array(right, dtype="string"))
    differs: np.ndarray = ~equal & ~(left_na & right_na)
    return differs


def _long(keys: Any, name: str, mask: np.ndarray, columns: dict[str, Any]) -> pd.DataFrame:
    """One long-form frame (key, field, value columns...) of the masked positions."""
    data: dict[str, Any] = {"key": np.asarray(keys[mask], dtype=object), "field": name}
    for col, values in columns.items():
        data[col] = np.asarray(values[mask], dtype=object)
    return pd.DataFrame(data)


@dataclass
class _Compared:
    """The long-form outcomes of comparing each field of the matched rows."""

    updates: list[pd.DataFrame] = field(default_factory=list)
    back: list[pd.DataFrame] = field(default_factory=list)
    conflicts: list[pd.DataFrame] = field(default_factory=list)
    touched: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _compare_one_way(
    name: str, src: Any, tgt: Any, keys: Any, out: _Compared, *, clear: bool
) -> None:
    changed = _differs(src, tgt)
    if not clear:
        changed &= ~_isna(src)
    out.touched |= changed
    if changed.any():
        out.updates.append(_long(keys, name, changed, {"before": tgt, "after": src}))


def _compare_two_way(
    name: str,
    values: tuple[Any, Any, Any],
    keys: Any,
    has_base: np.ndarray,
    out: _Compared,
    *,
    clear: bool,
) -> None:
    src, tgt, base = values
    differ = _differs(src, tgt)
    src_changed = _differs(src, base) & has_base
    tgt_changed = _differs(tgt, base) & has_base
    forward = differ & src_changed & ~tgt_changed
    back = differ & tgt_changed & ~src_changed
    conflict = differ & ~(forward | back)
    if not clear:
        forward &= ~_isna(src)
        back &= ~_isna(tgt)
    out.touched |= forward | back | conflict
    if forward.any():
        out.updates.append(_long(keys, name, forward, {"before": tgt, "after": src}))
    if back.any():
        out.back.append(_long(keys, name, back, {"before": src, "after": tgt}))
    if conflict.any():
        columns = {"base": base, "source": src, "target": tgt}
        out.conflicts.append(_long(keys, name, conflict, columns))


def _merge(parts: list[_Compared], *, rows: int) -> _Compared:
    """One :class:`_Compared` of the per-field ones, in field order."""
    out = _Compared(touched=np.zeros(rows, dtype=bool))
    for part in parts:
        out.updates += part.updates
        out.back += part.back
        out.conflicts += part.conflicts
        out.touched |= part.touched
    return out


def _frame_of(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return pd.concat(parts, ignore_index=True)[columns]


def _base_positions(
    base: pd.DataFrame | None, keys: Any, key: str, schema: TableSchema
) -> np.ndarray:
    """Position of each matched key in ``base`` (-1 where base lacks it)."""
    if base is None or len(base) == 0 or key not in base.columns:
        return np.full(len(keys), -1, dtype=np.intp)
    base_keys = normalize_series(base[key], schema.get(key))
    unique = ~base_keys.duplicated(keep=False).to_numpy() & base_keys.notna().to_numpy()
    index = pd.Index(base_keys.array[unique])
    found = index.get_indexer(pd.Index(keys))
    return np.where(found >= 0, np.flatnonzero(unique)[np.maximum(found, 0)], -1)


def diff_frames(
    source: pd.DataFrame,
    target: pd.DataFrame,
    *,
    key: str,
    schema: TableSchema,
    null_policy: str | NullPolicy = "leave",
    fields: list[str] | None = None,
    base: pd.DataFrame | None = None,
    two_way: bool = False,
    picklist_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> Diff:
    """Compare ``source`` with ``target`` row by row on ``key``, field by field.

    Args:
        source: the rows that should be, in target field names.
        target: the rows that are, as read from the target.
        key: the key column, present in both.
        schema: the target table's schema (field types drive normalization).
        null_policy: ``leave`` (a source null never clears the target) or ``clear``.
        fields: the fields to compare (default: every source column but the key).
        base: the snapshot saved at the last successful sync (two-way transfers).
        two_way: look for conflicts even without ``base`` (the first sync of a ``both``).
        picklist_labels: per picklist field, label → value pairs.

    Returns:
        The :class:`Diff`.

    Raises:
        DitoolkitError: the key or a compared field is missing from a frame.
    """
    policy = parse_null_policy(null_policy)
    names = _compared_fields(source, target, key, fields)
    match = match_keys(source[key], target[key], field=schema.get(key))
    is_two_way = two_way or base is not None
    base_frame = base if base is not None else pd.DataFrame({key: pd.Series(dtype="string")})
    base_pos = _base_positions(base_frame, match.keys, key, schema) if is_two_way else None
    labels = picklist_labels or {}

    def compare(name: str) -> _Compared:
        fld, lab = schema.get(name), labels.get(name)
        out = _Compared(touched=np.zeros(len(match.source_rows), dtype=bool))
        src = normalize_series(source[name], fld, picklist_labels=lab).array.take(match.source_rows)
        tgt = normalize_series(_column(target, name), fld, picklist_labels=lab)
        tgt = tgt.array.take(match.target_rows)
        if base_pos is None:
            _compare_one_way(name, src, tgt, match.keys, out, clear=policy is NullPolicy.CLEAR)
            return out
        base_col = normalize_series(_column(base_frame, name), fld, picklist_labels=lab).array
        values = (src, tgt, base_col.take(base_pos, allow_fill=True))
        _compare_two_way(
            name, values, match.keys, base_pos >= 0, out, clear=policy is NullPolicy.CLEAR
        )
        return out

    # Arrow and numpy kernels release the GIL: columns compare in parallel on threads.
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        out = _merge(list(pool.map(compare, names)), rows=len(match.source_rows))
    return _assemble(
        source,
        target,
        match,
        out,
        key=key,
        names=names,
        schema=schema,
        policy=policy,
        two_way=is_two_way,
    )


def _assemble(
    source: pd.DataFrame,
    target: pd.DataFrame,
    match: KeyMatch,
    out: _Compared,
    *,
    key: str,
    names: tuple[str, ...],
    schema: TableSchema,
    policy: NullPolicy,
    two_way: bool,
) -> Diff:
    columns = [key, *names]
    inserts = source.iloc[match.insert_rows]
    deletes = target.iloc[match.delete_rows]
    delete_columns = [c for c in columns if c in target.columns]
    return Diff(
        key=key,
        fields=names,
        inserts=normalize_frame(inserts, schema, columns=columns),
        updates=_frame_of(out.updates, UPDATE_COLUMNS),
        deletes=normalize_frame(deletes, schema, columns=delete_columns),
        unchanged=int((~out.touched).sum()),
        conflicts=_frame_of(out.conflicts, CONFLICT_COLUMNS),
        updates_back=_frame_of(out.back, UPDATE_COLUMNS),
        held_back=match.held_back,
        null_policy=policy,
        two_way=two_way,
        target=target,
        target_keys=match.target_keys,
        unchanged_keys=match.keys[~out.touched],
    )

"""Comparing what a table holds now with what a run expects, normalized as the diff does.

One comparison serves three jobs: **verify** (after the writes, the target rows hold what was
sent), **reconcile** (a row whose outcome is unknown after a crash: was it written?) and
**per-row freshness** (a resumed run or an undo writes a row only if it still holds the
values the run expects to replace).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ditoolkit.core.destination import Destination
from ditoolkit.core.fingerprint import key_text
from ditoolkit.core.normalize import normalize_series
from ditoolkit.core.plan_rows import json_value

#: The reason a row fails verification.
VERIFY_MISMATCH = "VERIFY_MISMATCH"
#: The reason a resumed or undone row is not written: the table changed it meanwhile.
TARGET_CHANGED = "TARGET_CHANGED"
_ABSENT = object()


@dataclass
class Comparison:
    """What a table holds for some keys, against what was expected.

    Attributes:
        present: folded keys found in the table.
        differences: folded key → ``field: expected …, found …`` texts (found rows only).
        ids: folded key → the row's id in the system (``id_field`` or the key).
    """

    present: set[str] = field(default_factory=set)
    differences: dict[str, list[str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def matches(self, key: str) -> bool:
        """The row is present and holds every expected value."""
        folded = fold(key)
        return folded in self.present and not self.differences.get(folded)

    def describe(self, key: str) -> str:
        """The differences of ``key`` in words."""
        folded = fold(key)
        if folded not in self.present:
            return "the row is not in the table"
        return "; ".join(self.differences.get(folded, [])) or "the row holds the expected values"


def fold(key: Any) -> str:
    """A key in the form rows are matched by: text, trimmed, case-folded."""
    return str(key).strip().lower()


def _canonical(values: list[Any], *, destination: Destination, name: str) -> list[Any]:
    series = pd.Series(values, dtype="object")
    spec = destination.schema.get(name)
    if spec is not None and spec.optin:
        spec = None
    try:
        normalized = normalize_series(series, spec)
    except (TypeError, ValueError):
        normalized = series.astype("string")
    return [json_value(v) for v in normalized.tolist()]


def compare_rows(destination: Destination, expected: Mapping[str, Mapping[str, Any]]) -> Comparison:
    """Read the rows of ``expected``'s keys and compare each expected field, normalized.

    Args:
        destination: the table.
        expected: key → {field (table name): expected value}; an empty dict checks presence.

    Returns:
        The :class:`Comparison`.
    """
    names = sorted({f for values in expected.values() for f in values if f != destination.key})
    columns = [*names, *([destination.id_field] if destination.id_field else [])]
    found = destination.read_keys(list(expected), columns)
    folded = key_text(found[destination.key]).tolist()
    out = Comparison(present={k for k in folded if k is not None and k is not pd.NA})
    id_column = destination.id_field or destination.key
    out.ids = {k: str(v) for k, v in zip(folded, found[id_column], strict=True) if pd.notna(v)}
    position = {k: i for i, k in enumerate(folded)}
    keys = [k for k in expected if fold(k) in position]
    rows = [position[fold(k)] for k in keys]
    for name in names:
        wanted = [expected[k].get(name, _ABSENT) for k in keys]
        asked = [i for i, w in enumerate(wanted) if w is not _ABSENT]
        if not asked:
            continue
        column = found[name].to_numpy(dtype=object)
        now = _canonical(list(column[[rows[i] for i in asked]]), destination=destination, name=name)
        then = _canonical([wanted[i] for i in asked], destination=destination, name=name)
        for i, a, b in zip(asked, then, now, strict=True):
            if a != b:
                out.differences.setdefault(fold(keys[i]), []).append(
                    f"{name}: expected {a!r}, found {b!r}"
                )
    return out


def verify_rows(
    destination: Destination, rows: Sequence[tuple[str, str, Mapping[str, Any]]]
) -> dict[str, str]:
    """Re-read written rows and name the ones that do not hold what was sent.

    Args:
        destination: the table written.
        rows: ``(key, operation, after)`` of each row written successfully.

    Returns:
        key → mismatch message, for the rows that fail verification.
    """
    expected = {k: dict(after) for k, op, after in rows if op != "delete"}
    gone = [k for k, op, _ in rows if op == "delete"]
    comparison = compare_rows(destination, {**expected, **{k: {} for k in gone}})
    failures: dict[str, str] = {}
    for key in expected:
        if not comparison.matches(key):
            failures[key] = "re-read after the write: " + comparison.describe(key)
    for key in gone:
        if fold(key) in comparison.present:
            failures[key] = "re-read after the delete: the row is still in the table"
    return failures

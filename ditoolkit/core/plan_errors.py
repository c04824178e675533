"""errors.csv rows of a plan: every held-back row and every row in conflict, with its reason."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ditoolkit.core.diff import Diff
from ditoolkit.core.plan_rows import json_value
from ditoolkit.core.quality import QualityReport

ERROR_COLUMNS = ["key", "row", "line", "side", "reason", "message"]

#: The reason code of a row both sides changed since the last sync.
CONFLICT = "CONFLICT"


def _diff_held(diff: Diff, quality: QualityReport | None) -> pd.DataFrame:
    """The diff's held-back rows that the quality report does not already hold back."""
    held = diff.held_back
    if quality is None:
        return held
    already = (held["side"] == "source") & held["row"].isin(quality.held_back.index)
    return held[~already]


def held_back_count(diff: Diff, quality: QualityReport | None) -> int:
    """Source rows held back (quality, transforms, key match, project rules), each once.

    Target rows whose key is repeated are listed in errors.csv (``side`` = ``target``) but not
    counted: ``held_back`` counts rows the run would have sent and did not. The source rows
    that carry such a key are counted (they are held back with ``DUPLICATE_KEY``).
    """
    rows = set(quality.held_back.index) if quality is not None else set()
    held = diff.held_back
    rows |= set(held.loc[held["side"] == "source", "row"])
    return len(rows)


def _conflict_messages(conflicts: pd.DataFrame) -> pd.DataFrame:
    def describe(group: pd.DataFrame) -> str:
        return "; ".join(
            f"{r.field}: base {json_value(r.base)!r}, source {json_value(r.source)!r}, "
            f"target {json_value(r.target)!r}"
            for r in group.itertuples()
        )

    rows: list[dict[str, Any]] = [
        {
            "key": json_value(key),
            "row": None,
            "line": None,
            "side": "both",
            "reason": CONFLICT,
            "message": "both sides changed since the last sync: " + describe(group),
        }
        for key, group in conflicts.groupby("key", sort=True)
    ]
    return pd.DataFrame(rows, columns=ERROR_COLUMNS)


def errors_of(diff: Diff, quality: QualityReport | None) -> pd.DataFrame:
    """Every held-back row (quality, key match) and every row in conflict."""
    parts = []
    if quality is not None:
        parts.append(quality.errors_frame().assign(side="source")[ERROR_COLUMNS])
    parts.append(_diff_held(diff, quality).assign(line=None)[ERROR_COLUMNS])
    if not diff.conflicts.empty:
        parts.append(_conflict_messages(diff.conflicts))
    parts = [p.astype(object) for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ERROR_COLUMNS})
    frame = pd.concat(parts, ignore_index=True)
    return frame.map(json_value)

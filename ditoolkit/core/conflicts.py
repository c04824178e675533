"""Settling two-way conflicts by a per-field policy, before the plan is frozen.

A ``both`` transfer never overwrites either side of a conflict on its own: by default
(``report``) a field both sides changed since the base snapshot is reported and its row left
out of both plans. A policy may settle it instead, per field:

- ``prefer_salesforce`` / ``prefer_dialoginsight``: that side's value wins;
- ``newest``: the side whose row was modified last wins (both modification times needed; a
  row without both stays in conflict).

:func:`resolve_conflicts` rewrites one direction's :class:`~ditoolkit.core.diff.Diff`: a
conflict this direction's source wins becomes an update of its target; a conflict the other
side wins is dropped here (the other direction writes it); the rest stay conflicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from ditoolkit.core.diff import CONFLICT_COLUMNS, UPDATE_COLUMNS, Diff
from ditoolkit.errors import ConfigError

REPORT, PREFER_SF, PREFER_DI, NEWEST = (
    "report",
    "prefer_salesforce",
    "prefer_dialoginsight",
    "newest",
)
POLICIES = (REPORT, PREFER_SF, PREFER_DI, NEWEST)
#: The side a direction reads from.
SOURCE_SYSTEM = {"sf_to_di": "salesforce", "di_to_sf": "dialoginsight"}
#: ``key -> "salesforce" | "dialoginsight" | None``: which side changed the row last.
NewerSide = Callable[[Any], str | None]


def parse_policy(text: str) -> str:
    """A policy name, checked.

    Raises:
        ConfigError: not one of :data:`POLICIES`.
    """
    name = str(text).strip().lower()
    if name not in POLICIES:
        raise ConfigError(
            f"unknown conflict policy {text!r}", hint=f"use one of {', '.join(POLICIES)}"
        )
    return name


def _winner(policy: str, key: Any, *, newer: NewerSide | None) -> str | None:
    if policy == PREFER_SF:
        return "salesforce"
    if policy == PREFER_DI:
        return "dialoginsight"
    if policy == NEWEST:
        if newer is None:
            raise ConfigError(
                "the newest policy needs each side's modification time",
                hint="give newer= (Salesforce SystemModstamp and a DI modification date field)",
            )
        return newer(key)
    return None


def resolve_conflicts(
    diff: Diff,
    *,
    direction: str,
    policies: Mapping[str, str],
    default: str = REPORT,
    newer: NewerSide | None = None,
) -> Diff:
    """``diff`` with the conflicts the policies settle moved out of ``conflicts``.

    Args:
        diff: one direction's diff of a ``both`` transfer.
        direction: ``sf_to_di`` or ``di_to_sf``.
        policies: this direction's target field name → policy.
        default: the policy of fields not in ``policies``.
        newer: for ``newest``, which side changed a row last.

    Returns:
        A new diff: settled conflicts won by this direction's source are updates.
    """
    if diff.conflicts.empty:
        return diff
    mine = SOURCE_SYSTEM[direction]
    keep, won = [], []
    for row in diff.conflicts.to_dict("records"):
        policy = parse_policy(policies.get(str(row["field"]), default))
        winner = _winner(policy, row["key"], newer=newer)
        if winner is None:
            keep.append(row)
        elif winner == mine:
            won.append(
                {
                    "key": row["key"],
                    "field": row["field"],
                    "before": row["target"],
                    "after": row["source"],
                }
            )
    conflicts = pd.DataFrame(keep, columns=CONFLICT_COLUMNS).astype(object)
    updates = diff.updates
    if won:
        updates = pd.concat(
            [updates.astype(object), pd.DataFrame(won, columns=UPDATE_COLUMNS).astype(object)],
            ignore_index=True,
        )
    return replace(diff, conflicts=conflicts, updates=updates)

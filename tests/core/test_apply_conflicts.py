"""Settling two-way conflicts by policy before the plan is frozen."""

from __future__ import annotations

import pandas as pd
import pytest

from ditoolkit.core.conflicts import resolve_conflicts
from ditoolkit.core.diff import diff_frames
from ditoolkit.core.plan import build_plan
from ditoolkit.errors import ConfigError
from ditoolkit.port import FieldSchema, FieldType, TableSchema

SCHEMA = TableSchema(
    "dialoginsight",
    "Contact",
    (
        FieldSchema("k", FieldType.STRING, key=True),
        FieldSchema("name", FieldType.STRING),
        FieldSchema("city", FieldType.STRING),
    ),
    key="k",
)
BASE = pd.DataFrame({"k": ["A", "B"], "name": ["base", "base"], "city": ["x", "x"]})
SF = pd.DataFrame({"k": ["A", "B"], "name": ["sf", "base"], "city": ["sf-city", "x"]})
DI = pd.DataFrame({"k": ["A", "B"], "name": ["di", "base"], "city": ["x", "x"]})


def _diff():  # type: ignore[no-untyped-def]
    return diff_frames(SF, DI, key="k", schema=SCHEMA, base=BASE)


def _plan(diff):  # type: ignore[no-untyped-def]
    return build_plan(diff, operations=["update"], transfer_name="t", direction="sf_to_di")


def test_by_default_the_conflicting_row_is_left_out() -> None:
    diff = resolve_conflicts(_diff(), direction="sf_to_di", policies={})
    assert diff.conflict_keys().tolist() == ["A"]
    assert _plan(diff).rows.empty


def test_the_preferred_side_wins_and_the_row_is_planned_whole() -> None:
    diff = resolve_conflicts(
        _diff(), direction="sf_to_di", policies={}, default="prefer_salesforce"
    )
    assert diff.conflicts.empty
    plan = _plan(diff)
    assert plan.rows["after"].tolist() == [{"name": "sf", "city": "sf-city"}]


def test_the_other_side_winning_leaves_this_direction_its_other_changes() -> None:
    diff = resolve_conflicts(
        _diff(), direction="sf_to_di", policies={"name": "prefer_dialoginsight"}
    )
    assert diff.conflicts.empty
    assert _plan(diff).rows["after"].tolist() == [{"city": "sf-city"}]


def test_newest_asks_which_side_changed_last() -> None:
    diff = resolve_conflicts(
        _diff(), direction="sf_to_di", policies={}, default="newest", newer=lambda key: None
    )
    assert diff.conflict_keys().tolist() == ["A"]
    diff = resolve_conflicts(
        _diff(), direction="sf_to_di", policies={}, default="newest", newer=lambda key: "salesforce"
    )
    assert diff.conflicts.empty and len(diff.updates) == 2
    with pytest.raises(ConfigError, match="modification time"):
        resolve_conflicts(_diff(), direction="sf_to_di", policies={}, default="newest")


def test_an_unknown_policy_is_refused() -> None:
    with pytest.raises(ConfigError, match="prefer_salesforce"):
        resolve_conflicts(_diff(), direction="sf_to_di", policies={"name": "coin_toss"})

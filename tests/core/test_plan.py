"""Plans: allowed operations, hold-backs, conflicts, serialization, stale targets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from ditoolkit.core.diff import COUNT_KEYS, diff_frames
from ditoolkit.core.fingerprint import fingerprint_rows
from ditoolkit.core.plan import Plan, build_plan, parse_operations
from ditoolkit.core.quality import check_quality
from ditoolkit.errors import ApplyError, DitoolkitError
from ditoolkit.port import FieldSchema, FieldType, TableSchema

T = FieldType
KEY = "DI_Contact_Id__c"
LEAD = TableSchema(
    "salesforce",
    "Lead",
    (
        FieldSchema(KEY, T.STRING, length=20, external_id=True),
        FieldSchema("Email", T.EMAIL),
        FieldSchema("LastName", T.STRING, length=20, required=True),
        FieldSchema("Birthdate", T.DATE),
    ),
)
SRC = f"""{KEY},Email,LastName,Birthdate
K1,k1@x.com,Same,2000-01-01
K2,k2@x.com,Changed,2000-01-02
K3,new@x.com,Inserted,
K4,bad-email,Held,
K5,k5@x.com,Also,2000.01.05
"""
TGT = f"""{KEY},Email,LastName,Birthdate
K1,k1@x.com,Same,2000-01-01
K2,k2@x.com,Before,2000-01-02
K4,k4@x.com,Held,
K5,k5@x.com,Also,2000-01-06
K9,gone@x.com,Deleted,
"""


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _plan(operations: list[str], source: str = SRC, target: str = TGT) -> Plan:
    src, tgt = _csv(source), _csv(target)
    diff = diff_frames(src, tgt, key=KEY, schema=LEAD)
    quality = check_quality(src, key=KEY, schema=LEAD)
    return build_plan(
        diff,
        quality,
        operations=operations,
        transfer_name="acquisition_to_leads",
        direction="di_to_sf",
        mapping_fingerprint="m1",
    )


def _ops(plan: Plan) -> list[tuple[str, str]]:
    return sorted(zip(plan.rows["key"], plan.rows["operation"], strict=True))


@pytest.mark.parametrize(
    ("operations", "planned", "skipped"),
    [
        (
            ["insert", "update"],
            [("K2", "update"), ("K3", "insert"), ("K5", "update")],
            {"delete": 1},
        ),
        (["upsert"], [("K2", "update"), ("K3", "insert"), ("K5", "update")], {"delete": 1}),
        (["update"], [("K2", "update"), ("K5", "update")], {"insert": 1, "delete": 1}),
        (
            ["insert", "update", "delete"],
            [("K2", "update"), ("K3", "insert"), ("K5", "update"), ("K9", "delete")],
            {},
        ),
    ],
)
def test_allowed_operations(
    operations: list[str], planned: list[tuple[str, str]], skipped: dict[str, int]
) -> None:
    plan = _plan(operations)
    assert _ops(plan) == planned
    assert plan.skipped_counts() == skipped
    assert set(plan.skipped["reason"].str.contains("add it to operations")) <= {True}


def test_held_back_rows_are_never_planned_and_are_in_errors() -> None:
    plan = _plan(["insert", "update", "delete"])
    assert "K4" not in set(plan.rows["key"])
    errors = plan.errors_frame()
    assert errors[["key", "line", "side", "reason"]].values.tolist() == [
        ["K4", None, "source", "INVALID_EMAIL"]
    ]
    assert plan.summary() == {
        "insert": 1,
        "update": 2,
        "delete": 1,
        "conflict": 0,
        "unchanged": 1,
        "held_back": 1,
        "failed": 0,
    }
    assert list(plan.summary()) == list(COUNT_KEYS)


def test_update_rows_carry_before_and_after_of_changed_fields_only() -> None:
    rows = _plan(["update"]).rows.set_index("key")
    assert rows.loc["K2", "fields"] == ["LastName"]
    assert rows.loc["K2", "before"] == {"LastName": "Before"}
    assert rows.loc["K2", "after"] == {"LastName": "Changed"}
    assert rows.loc["K5", "after"] == {"Birthdate": "2000-01-05"}


def test_conflicting_rows_are_counted_and_reported_not_planned() -> None:
    src, tgt = _csv(SRC), _csv(TGT)
    base = tgt.assign(LastName=tgt["LastName"].replace({"Before": "Original"}))
    diff = diff_frames(src, tgt, key=KEY, schema=LEAD, base=base)
    plan = build_plan(diff, None, operations=["update"], transfer_name="t", direction="both")
    assert "K2" not in set(plan.rows["key"])
    assert plan.summary()["conflict"] == 1
    conflict = plan.errors[plan.errors["reason"] == "CONFLICT"].iloc[0]
    assert conflict["key"] == "K2"
    assert "base 'Original', source 'Changed', target 'Before'" in conflict["message"]


def test_reverse_updates_are_planned_on_the_source_side() -> None:
    src, tgt = _csv(SRC), _csv(TGT)
    diff = diff_frames(src, tgt, key=KEY, schema=LEAD, base=src, fields=["LastName"])
    plan = build_plan(diff, None, operations=["update"], transfer_name="t", direction="both")
    assert plan.rows[["key", "side"]].values.tolist() == [["K2", "source"]]
    assert plan.rows["after"].iloc[0] == {"LastName": "Before"}


def test_json_round_trip_keeps_everything_and_the_fingerprint() -> None:
    plan = _plan(["insert", "update", "delete"])
    again = Plan.from_json(plan.to_json())
    assert again.fingerprint == plan.fingerprint
    assert again.to_dict() == plan.to_dict()
    assert again.summary() == plan.summary() and _ops(again) == _ops(plan)


def test_fingerprint_changes_with_content() -> None:
    assert _plan(["insert", "update"]).fingerprint != _plan(["update"]).fingerprint
    assert _plan(["update"]).fingerprint == _plan(["update"]).fingerprint


def test_altered_or_foreign_json_is_refused() -> None:
    data = json.loads(_plan(["update"]).to_json())
    data["rows"][0]["after"] = {"LastName": "Tampered"}
    with pytest.raises(ApplyError, match="altered"):
        Plan.from_json(json.dumps(data))
    with pytest.raises(ApplyError, match="not valid JSON"):
        Plan.from_json("{nope")
    with pytest.raises(ApplyError, match="not a plan"):
        Plan.from_json("[]")


def test_plan_csv_has_one_row_per_row_change(tmp_path: Path) -> None:
    path = _plan(["insert", "update"]).to_csv(tmp_path / "plan.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["key"], r["operation"]) for r in rows] == [
        ("K3", "insert"),
        ("K2", "update"),
        ("K5", "update"),
    ]
    assert json.loads(rows[1]["before"]) == {"LastName": "Before"}
    assert rows[1]["fields"] == "LastName"


def test_empty_plan_csv_still_has_headers(tmp_path: Path) -> None:
    plan = _plan(
        ["update"],
        source=TGT.replace("K9", "K8").replace("gone", "x"),
        target=TGT.replace("K9", "K8").replace("gone", "x"),
    )
    assert plan.rows.empty
    text = plan.to_csv(tmp_path / "plan.csv").read_text()
    assert text.strip() == "key,operation,side,fields,before,after"


def test_fingerprint_rows_ignores_order_but_not_values() -> None:
    tgt = _csv(TGT)
    columns = ["Email", "LastName"]
    first = fingerprint_rows(tgt, key=KEY, columns=columns)
    assert first == fingerprint_rows(tgt.iloc[::-1], key=KEY, columns=columns)
    assert first != fingerprint_rows(tgt.assign(LastName="x"), key=KEY, columns=columns)
    assert first != fingerprint_rows(tgt.iloc[1:], key=KEY, columns=columns)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.assign(LastName=t["LastName"].replace({"Before": "Edited"})),
            r"1 planned row\(s\) changed.*K2",
        ),
        (
            lambda t: t[t[KEY] != "K9"],
            r"5 row\(s\) when planned, 4 now; 1 planned row\(s\) changed or vanished \(keys \['K9'\]\)",
        ),
        (
            lambda t: pd.concat([t, _csv(f"{KEY},Email,LastName,Birthdate\nK3,x@x.com,Raced,\n")]),
            r"planned for insert now exist \(keys \['K3'\]\)",
        ),
        (
            lambda t: t.assign(Email=t["Email"].replace({"k1@x.com": "k1b@x.com"})),
            "rows the plan does not touch changed",
        ),
    ],
)
def test_stale_plan_is_refused_naming_what_changed(change, message: str) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(["insert", "update", "delete"])
    tgt = _csv(TGT)
    plan.check_fresh(tgt.sample(frac=1, random_state=7))  # same rows, other order: fresh
    with pytest.raises(ApplyError, match=message) as caught:
        plan.check_fresh(change(tgt))
    assert "python -m ditoolkit plan" in str(caught.value)


def test_unknown_operation_is_a_clear_error() -> None:
    assert parse_operations(["Upsert", "delete"]) == ("insert", "update", "delete")
    with pytest.raises(DitoolkitError, match="unknown operation 'merge'"):
        parse_operations(["merge"])

"""Keyed diff: inserts, updates, deletes, null policies, key problems and three-way conflicts."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from ditoolkit.core.diff import COUNT_KEYS, diff_frames
from ditoolkit.errors import DitoolkitError
from ditoolkit.port import FieldSchema, FieldType, TableSchema

T = FieldType
CONTACT = TableSchema(
    "dialoginsight",
    "Contact",
    (
        FieldSchema("f_SalesforceId", T.ID, key=True, length=18),
        FieldSchema("f_EMail", T.EMAIL),
        FieldSchema("f_LastName", T.STRING),
        FieldSchema("f_dateNaissance", T.DATE),
        FieldSchema("optin", T.BOOLEAN),
        FieldSchema("amount", T.DECIMAL, scale=2),
    ),
    key="f_SalesforceId",
)
KEY = "f_SalesforceId"


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text.strip()), dtype=str, keep_default_na=False)


def _diff(source: str, target: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return diff_frames(_csv(source), _csv(target), key=KEY, schema=CONTACT, **kwargs)  # type: ignore[arg-type]


SRC = """
f_SalesforceId,f_EMail,f_LastName,f_dateNaissance,optin,amount
A,Ann@X.com , Smith,2000-01-31,true,1
B,b@x.com,Jones,1999-12-31,false,2.50
C,c@x.com,New,2001-01-01,1,3
"""
TGT = """
f_SalesforceId,f_EMail,f_LastName,f_dateNaissance,optin,amount
A,ann@x.com,Smith,2000.01.31,1,1.00
B,b@x.com,Jone,1999.12.31,0,2.5
Z,z@x.com,Gone,,,
"""


def test_equal_values_in_other_spellings_are_unchanged() -> None:
    diff = _diff(SRC, TGT)
    assert diff.summary() == {
        "insert": 1,
        "update": 1,
        "delete": 1,
        "conflict": 0,
        "unchanged": 1,
        "held_back": 0,
        "failed": 0,
    }
    assert diff.updates.values.tolist() == [["B", "f_LastName", "Jone", "Jones"]]
    assert diff.inserts[KEY].tolist() == ["C"]
    assert diff.deletes[KEY].tolist() == ["Z"]
    assert list(diff.summary()) == list(COUNT_KEYS)


def test_changed_fields_counts_rows_per_field() -> None:
    diff = _diff(SRC, TGT.replace("b@x.com,Jone", "bb@x.com,Jone"))
    assert diff.changed_fields().to_dict() == {
        "f_EMail": 1,
        "f_LastName": 1,
        "f_dateNaissance": 0,
        "optin": 0,
        "amount": 0,
    }
    assert diff.summary()["update"] == 1  # rows, not fields


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("leave", []), ("clear", [["A", "f_LastName", "Smith", None]])],
)
def test_null_policy(policy: str, expected: list[list[object]]) -> None:
    source = SRC.replace(" Smith", "")
    diff = _diff(source, TGT, null_policy=policy, fields=["f_LastName"])
    got = [[k, f, b, None if pd.isna(a) else a] for k, f, b, a in diff.updates.values.tolist()]
    assert [row for row in got if row[0] == "A"] == expected


def test_null_in_target_is_filled_under_leave() -> None:
    diff = _diff(SRC, TGT.replace("A,ann@x.com,Smith", "A,ann@x.com,"), fields=["f_LastName"])
    assert [r for r in diff.updates.values.tolist() if r[0] == "A"][0][3] == "Smith"


def test_missing_and_duplicate_keys_are_held_back_not_guessed() -> None:
    source = SRC + "\nB,b2@x.com,Twin,,,\n,nokey@x.com,Nobody,,,"
    target = TGT + "\nA,other@x.com,Clone,,,"
    diff = _diff(source, target)
    held = diff.held_back
    assert sorted(zip(held["side"], held["key"].fillna("-"), held["reason"], strict=True)) == [
        ("source", "-", "MISSING_KEY"),
        ("source", "A", "DUPLICATE_KEY"),  # duplicated in the target
        ("source", "B", "DUPLICATE_KEY"),
        ("source", "B", "DUPLICATE_KEY"),
        ("target", "A", "DUPLICATE_KEY"),
        ("target", "A", "DUPLICATE_KEY"),
    ]
    assert diff.updates.empty
    assert diff.deletes[KEY].tolist() == ["Z"]  # B (held) is not proposed for deletion
    assert diff.summary()["held_back"] == 6


def test_fields_subset_and_missing_columns() -> None:
    diff = _diff(SRC, TGT, fields=["f_EMail"])
    assert diff.fields == ("f_EMail",) and diff.updates.empty
    with pytest.raises(DitoolkitError, match="no column"):
        _diff(SRC, TGT, fields=["nope"])
    with pytest.raises(DitoolkitError, match="no key column"):
        diff_frames(_csv(SRC), _csv(TGT).drop(columns=[KEY]), key=KEY, schema=CONTACT)


def test_a_field_the_target_lacks_counts_as_empty() -> None:
    diff = _diff(SRC, TGT, fields=["f_LastName", "amount"], null_policy="leave")
    target = _csv(TGT).drop(columns=["amount"])
    again = diff_frames(_csv(SRC), target, key=KEY, schema=CONTACT, fields=["amount"])
    assert diff.summary()["update"] == 1
    assert sorted(again.updates["key"]) == ["A", "B"]


# Three-way: base is the value agreed at the last sync; source = Salesforce, target = DI.
@pytest.mark.parametrize(
    ("base", "sf", "di", "outcome"),
    [
        ("Smith", "Smith", "Smith", "unchanged"),
        ("Smith", "Smyth", "Smith", "update"),  # only SF changed: SF → DI
        ("Smith", "Smith", "Smyth", "back"),  # only DI changed: DI → SF
        ("Smith", "Smyth", "Smyth", "unchanged"),  # both changed, to the same value
        ("Smith", "Smyth", "Smithe", "conflict"),  # both changed, to different values
        (None, "Smyth", "Smithe", "conflict"),  # no base for the row: reported, not guessed
        ("Smith", "", "Smith", "unchanged"),  # SF cleared it; under leave a null clears nothing
        ("Smith", "Smith", "", "unchanged"),
    ],
)
def test_three_way(base: str | None, sf: str, di: str, outcome: str) -> None:
    frame = "f_SalesforceId,f_LastName\nA,{}\nB,Keep"
    base_frame = _csv(frame.format(base)) if base is not None else _csv(frame.format("x")).iloc[1:]
    diff = diff_frames(
        _csv(frame.format(sf)), _csv(frame.format(di)), key=KEY, schema=CONTACT, base=base_frame
    )
    found = {
        "update": not diff.updates.empty,
        "back": not diff.updates_back.empty,
        "conflict": not diff.conflicts.empty,
    }
    assert [k for k, v in found.items() if v] == ([] if outcome == "unchanged" else [outcome])
    assert diff.unchanged == (2 if outcome == "unchanged" else 1)
    if outcome == "conflict":
        row = diff.conflicts.iloc[0]
        assert (row["key"], row["field"], row["source"], row["target"]) == (
            "A",
            "f_LastName",
            sf,
            di,
        )
        assert (None if pd.isna(row["base"]) else row["base"]) == base
        assert diff.summary()["conflict"] == 1


def test_cleared_value_propagates_under_clear() -> None:
    frame = "f_SalesforceId,f_LastName\nA,{}"
    diff = diff_frames(
        _csv(frame.format("")),
        _csv(frame.format("Smith")),
        key=KEY,
        schema=CONTACT,
        base=_csv(frame.format("Smith")),
        null_policy="clear",
    )
    assert diff.updates[["key", "before"]].values.tolist() == [["A", "Smith"]]


def test_first_two_way_sync_reports_every_difference_as_conflict() -> None:
    diff = _diff(SRC, TGT, two_way=True)
    assert diff.conflicts[["key", "field"]].values.tolist() == [["B", "f_LastName"]]
    assert diff.updates.empty and diff.updates_back.empty


def test_to_dict_is_json_ready() -> None:
    data = _diff(SRC, TGT).to_dict()
    assert data["counts"]["insert"] == 1 and data["changed_fields"]["f_LastName"] == 1
    assert data["null_policy"] == "leave" and data["two_way"] is False


@pytest.mark.slow
def test_large_frames_diff_matches_the_generated_changes() -> None:
    n = 200_000
    ids = [f"K{i:07d}" for i in range(n)]
    source = pd.DataFrame(
        {KEY: ids, "f_EMail": [f"u{i}@x.com" for i in range(n)], "amount": range(n)}
    )
    target = source.iloc[1000:].copy()  # 1000 inserts
    target.loc[target.index[:500], "amount"] = -1  # 500 updates
    target = pd.concat(
        [target, pd.DataFrame({KEY: ["GONE"], "f_EMail": ["g@x.com"], "amount": [0]})]
    )
    diff = diff_frames(source, target.sample(frac=1, random_state=3), key=KEY, schema=CONTACT)
    assert diff.summary()["insert"] == 1000
    assert diff.summary()["update"] == 500
    assert diff.deletes[KEY].tolist() == ["GONE"]
    assert diff.unchanged == n - 1500

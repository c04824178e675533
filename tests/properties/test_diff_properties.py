"""Properties of normalisation, the diff and plans, over generated frames of every field type.

Example counts are bounded (``max_examples``) so that the suite stays quick; a failing example
is shrunk by hypothesis and printed.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ditoolkit.core.diff import diff_frames
from ditoolkit.core.normalize import normalize_frame
from ditoolkit.core.plan import Plan, build_plan
from ditoolkit.core.quality import check_quality
from ditoolkit.port import PANDAS_DTYPES, FieldSchema, FieldType, TableSchema
from ditoolkit.systems.memory import MemorySystem

T = FieldType
KEY = "Key"
FIELDS = (
    FieldSchema(KEY, T.STRING, key=True, unique=True, external_id=True),
    FieldSchema("Str", T.STRING),
    FieldSchema("Txt", T.TEXT),
    FieldSchema("Mail", T.EMAIL),
    FieldSchema("Tel", T.PHONE),
    FieldSchema("Web", T.URL),
    FieldSchema("Pick", T.PICKLIST, picklist_values=("Red", "Green", "Blue")),
    FieldSchema("Flag", T.BOOLEAN),
    FieldSchema("Count", T.INTEGER),
    FieldSchema("Amount", T.DECIMAL, scale=2),
    FieldSchema("Day", T.DATE),
    FieldSchema("Stamp", T.DATETIME),
)
SCHEMA = TableSchema("memory", "Things", FIELDS, key=KEY)
COLUMNS = [f.name for f in FIELDS]
FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
_values: dict[FieldType, st.SearchStrategy[Any]] = {
    T.STRING: _text,
    T.TEXT: _text,
    T.EMAIL: st.from_regex(r"[a-zA-Z0-9.]{1,8}@[a-z]{1,6}\.(com|ca)", fullmatch=True),
    T.PHONE: st.from_regex(r"\+1514555\d{4}", fullmatch=True),
    T.URL: st.from_regex(r"https://[a-z]{1,8}\.example/[a-z]{0,6}", fullmatch=True),
    T.PICKLIST: st.sampled_from(["Red", "Green", "Blue"]),
    T.BOOLEAN: st.booleans(),
    T.INTEGER: st.integers(-(2**40), 2**40),
    T.DECIMAL: st.decimals(-(10**6), 10**6, places=2, allow_nan=False).map(float),
    T.DATE: st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    T.DATETIME: st.datetimes(
        datetime(1970, 1, 2), datetime(2100, 1, 1), timezones=st.just(UTC)
    ).map(lambda d: d.replace(microsecond=0)),
}


@st.composite
def frames(draw: st.DrawFn, *, max_rows: int = 8) -> pd.DataFrame:
    """A frame of the schema's columns, unique non-empty keys, every value maybe null."""
    keys = draw(
        st.lists(st.from_regex(r"K[0-3]{1,2}", fullmatch=True), max_size=max_rows, unique=True)
    )
    data: dict[str, Any] = {KEY: pd.array(keys, dtype="string")}
    for field in FIELDS[1:]:
        values = [draw(st.none() | _values[field.type]) for _ in keys]
        if field.type is T.DATE:
            values = [pd.Timestamp(v) if v is not None else None for v in values]
        data[field.name] = pd.Series(values, dtype=PANDAS_DTYPES[field.type])
    return pd.DataFrame(data, columns=COLUMNS)


def _no_changes(diff: Any) -> None:
    counts = diff.summary()
    assert counts["insert"] == counts["update"] == counts["delete"] == counts["conflict"] == 0, (
        counts
    )


@FAST
@given(frames())
def test_diff_of_a_frame_with_itself_is_empty(frame: pd.DataFrame) -> None:
    _no_changes(diff_frames(frame, frame, key=KEY, schema=SCHEMA))
    _no_changes(diff_frames(frame, frame.copy(), key=KEY, schema=SCHEMA, null_policy="clear"))
    _no_changes(diff_frames(frame, frame, key=KEY, schema=SCHEMA, base=frame))


@FAST
@given(frames())
def test_diff_ignores_row_order(frame: pd.DataFrame) -> None:
    shuffled = frame.iloc[::-1].reset_index(drop=True)
    _no_changes(diff_frames(frame, shuffled, key=KEY, schema=SCHEMA))


@FAST
@given(frames())
def test_normalisation_is_idempotent(frame: pd.DataFrame) -> None:
    once = normalize_frame(frame, SCHEMA)
    twice = normalize_frame(once, SCHEMA)
    pd.testing.assert_frame_equal(once, twice)


@FAST
@given(frames().map(lambda f: f.astype("string")))
def test_normalisation_of_text_forms_is_idempotent(frame: pd.DataFrame) -> None:
    once = normalize_frame(frame, SCHEMA)
    pd.testing.assert_frame_equal(once, normalize_frame(once, SCHEMA))


def _plan(source: pd.DataFrame, target: pd.DataFrame, *, nulls: str) -> Plan:
    diff = diff_frames(source, target, key=KEY, schema=SCHEMA, null_policy=nulls)
    return build_plan(
        diff,
        check_quality(source, key=KEY, schema=SCHEMA),
        operations=["insert", "update", "delete"],
        transfer_name="things",
        direction="sf_to_di",
        mapping_fingerprint="m",
    )


def _write_plan(store: MemorySystem, plan: Plan) -> None:
    """Apply the plan's rows to ``store`` through the port.

    An update is written row by row with only the fields it changes (a frame holding several
    updates would carry nulls for the fields other rows change).
    """
    for key, operation, after in zip(
        plan.rows["key"], plan.rows["operation"], plan.rows["after"], strict=True
    ):
        frame = pd.DataFrame([{KEY: key, **(after if operation != "delete" else {})}])
        for name in frame.columns:
            field = SCHEMA.field(str(name))
            if field.type in (T.DATE, T.DATETIME):
                frame[name] = pd.to_datetime(frame[name], utc=field.type is T.DATETIME)
        store.write("Things", frame, operation=operation, key=KEY).raise_for_errors()


@FAST
@given(frames(), frames(), st.sampled_from(["leave", "clear"]))
def test_applying_a_plan_then_diffing_again_finds_no_change(
    source: pd.DataFrame, target: pd.DataFrame, nulls: str
) -> None:
    held = set(check_quality(source, key=KEY, schema=SCHEMA).held_back_keys())
    source = source[~source[KEY].isin(held)].reset_index(drop=True)
    store = MemorySystem({"Things": (SCHEMA, target)}, modstamp="")
    plan = _plan(source, store.read("Things"), nulls=nulls)
    _write_plan(store, plan)
    again = diff_frames(source, store.read("Things"), key=KEY, schema=SCHEMA, null_policy=nulls)
    assert again.all_changes().empty, again.all_changes().to_dict("records")
    _no_changes(again)
    assert again.summary()["unchanged"] == len(source)


@FAST
@given(frames(), frames())
def test_plan_json_round_trip_is_identity(source: pd.DataFrame, target: pd.DataFrame) -> None:
    plan = _plan(source, target, nulls="clear")
    text = plan.to_json()
    back = Plan.from_json(text)
    assert back.to_json() == text
    assert back.fingerprint == plan.fingerprint
    assert json.loads(text) == json.loads(back.to_json())
    pd.testing.assert_frame_equal(
        back.rows.reset_index(drop=True), plan.rows.reset_index(drop=True), check_dtype=False
    )

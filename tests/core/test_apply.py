"""Applying plans on the memory system: writes, batches, failures, dry runs, stale plans."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from apply_world import (
    KEY,
    SOURCE,
    TABLE,
    Spy,
    destination,
    make_plan,
    memory_target,
    read_target,
    state,
)

from ditoolkit.core.apply import ApplySettings, apply_plan
from ditoolkit.core.journal import Journal
from ditoolkit.errors import AllowanceError, ApplyError


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    with Journal.in_home(tmp_path / "home") as opened:
        yield opened


def _apply(system: Spy, journal: Journal, **settings: object):
    plan = make_plan(system.inner)
    return apply_plan(
        plan,
        target=destination(system),
        journal=journal,
        target_frame=read_target(system.inner),
        settings=ApplySettings(**settings),  # type: ignore[arg-type]
    )


def test_apply_reaches_the_planned_state(journal: Journal) -> None:
    spy = Spy(memory_target())
    result = _apply(spy, journal)
    assert result.status == "completed" and result.ok
    assert result.counts() == {"created": 1, "updated": 2}
    now = state(spy.inner)
    assert now["K4"]["LastName"] == "Inserted"
    assert now["K2"]["LastName"] == "After" and now["K3"]["LastName"] == "New"
    assert now["K3"]["Birthdate"] == pd.Timestamp("2001-03-04")
    assert now["K9"]["LastName"] == "Deleted"  # delete not allowed: left alone


def test_updates_send_only_changed_fields_and_the_key_inserts_upsert(journal: Journal) -> None:
    spy = Spy(memory_target())
    _apply(spy, journal)
    sent = {(op, tuple(frame.columns)) for op, frame in spy.writes}
    assert ("upsert", (KEY, "Email", "LastName")) in sent
    assert ("update", (KEY, "LastName")) in sent  # K2: only LastName changed
    assert ("update", (KEY, "Birthdate", "LastName")) in sent


def test_batches_follow_the_batch_size(journal: Journal) -> None:
    source = "\n".join([f"{KEY},Email,LastName,Birthdate"] + [f"N{i},,Name{i}," for i in range(7)])
    spy = Spy(memory_target())
    plan = make_plan(spy.inner, source + "\n")
    result = apply_plan(
        plan, target=destination(spy), journal=journal, settings=ApplySettings(batch_size=3)
    )
    assert [len(frame) for _, frame in spy.writes] == [3, 3, 1]
    assert sorted(result.rows["batch"].unique().tolist()) == [1, 2, 3]
    assert result.counts() == {"created": 7}


def test_a_failed_row_is_recorded_and_the_run_goes_on(journal: Journal) -> None:
    source = SOURCE + "K5,k5@x.com,NameMuchTooLongForTheField,\n"
    spy = Spy(memory_target())
    plan = make_plan(spy.inner, source)
    result = apply_plan(plan, target=destination(spy), journal=journal)
    assert result.status == "completed" and not result.ok
    failed = result.rows[result.rows["status"] == "failed"]
    assert failed["key"].tolist() == ["K5"]
    assert failed["error_code"].tolist() == ["STRING_TOO_LONG"]
    assert state(spy.inner)["K4"]["LastName"] == "Inserted"
    errors = result.errors_frame()
    assert errors[["key", "reason"]].values.tolist() == [["K5", "STRING_TOO_LONG"]]


def test_deletes_only_when_the_plan_allows_them(journal: Journal) -> None:
    spy = Spy(memory_target())
    plan = make_plan(spy.inner, operations=("insert", "update", "delete"))
    result = apply_plan(
        plan, target=destination(spy), journal=journal, target_frame=read_target(spy.inner)
    )
    assert "K9" not in state(spy.inner)
    deleted = result.rows[result.rows["operation"] == "delete"]
    assert deleted["status"].tolist() == ["deleted"]
    assert deleted["before"].iloc[0]["LastName"] == "Deleted"


def test_dry_run_writes_nothing_but_journals_the_run(journal: Journal) -> None:
    spy = Spy(memory_target())
    before = state(spy.inner)
    result = _apply(spy, journal, dry_run=True)
    assert spy.writes == []
    assert state(spy.inner) == before
    assert result.status == "dry_run" and result.dry_run
    assert set(result.rows["status"]) == {"skipped"}
    assert journal.run(result.run_id).status == "dry_run"


def test_a_stale_plan_is_refused_before_anything_is_written(journal: Journal) -> None:
    spy = Spy(memory_target())
    plan = make_plan(spy.inner)
    spy.inner.write(
        TABLE, pd.DataFrame({KEY: ["K2"], "LastName": ["Meanwhile"]}), operation="update", key=KEY
    )
    with pytest.raises(ApplyError, match="changed since the plan"):
        apply_plan(plan, target=destination(spy), journal=journal)
    assert len(spy.writes) == 0
    assert journal.runs().empty


def test_a_rerun_with_no_change_makes_no_write_call(journal: Journal) -> None:
    spy = Spy(memory_target())
    _apply(spy, journal)
    calls = len(spy.writes)
    again = _apply(spy, journal)
    assert len(spy.writes) == calls
    assert again.status == "completed" and len(again.rows) == 0


def test_verify_flags_rows_the_target_does_not_hold(journal: Journal) -> None:
    class Lossy(Spy):
        """Answers success but keeps only the first 2 characters of LastName."""

        def write(self, table, frame, **kwargs):  # type: ignore[no-untyped-def]
            if "LastName" in frame.columns:
                frame = frame.assign(LastName=frame["LastName"].str[:2])
            return super().write(table, frame, **kwargs)

    spy = Lossy(memory_target())
    result = _apply(spy, journal)
    codes = result.rows.set_index("key")["error_code"].to_dict()
    assert codes == {"K4": "VERIFY_MISMATCH", "K2": "VERIFY_MISMATCH", "K3": "VERIFY_MISMATCH"}
    message = result.rows.set_index("key").loc["K2", "message"]
    assert "LastName" in message and "'After'" in message and "'Af'" in message


def test_a_call_level_failure_interrupts_the_run_cleanly(journal: Journal) -> None:
    spy = Spy(
        memory_target(),
        crash_on=2,
        after_write=False,
        crash=lambda: AllowanceError(
            "daily limit reached", system="memory", code="REQUEST_LIMIT_EXCEEDED"
        ),
    )
    result = _apply(spy, journal, batch_size=1)
    assert result.status == "interrupted"
    assert isinstance(result.error, AllowanceError)
    assert journal.run(result.run_id).status == "interrupted"
    assert result.counts() == {"created": 1, "sent": 1, "pending": 1}
    assert set(result.errors_frame()["reason"]) == {"NOT_WRITTEN"}


def test_journal_holds_run_parameters_counts_and_before_images(journal: Journal) -> None:
    spy = Spy(memory_target())
    plan = make_plan(spy.inner)
    result = apply_plan(
        plan,
        target=destination(spy),
        journal=journal,
        target_frame=read_target(spy.inner),
        parameters={"mapping": "m.yml", "profile": "sandbox"},
    )
    record = journal.run(result.run_id)
    assert record.kind == "apply" and record.status == "completed" and record.ended
    assert record.parameters == {"mapping": "m.yml", "profile": "sandbox", "dry_run": False}
    assert record.mapping_fingerprint == "fp-leads"
    assert json.loads(record.plan or "")["target"]["fingerprint"] == plan.fingerprint
    assert record.counts == {"created": 1, "updated": 2}
    rows = journal.rows(result.run_id).set_index("key")
    # the raw value as read (upper case), not the normalized form of the plan
    assert rows.loc["K2", "before"] == {"LastName": "Before"}
    assert rows.loc["K3", "before"] == {"LastName": "Old", "Birthdate": None}
    assert rows.loc["K4", "before"] == {}
    assert set(rows["state"]) == {"done"}
    assert journal.path.name == "journal.sqlite"
    mode = journal._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"

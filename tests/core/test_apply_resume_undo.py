"""Resuming killed or interrupted runs, and undoing runs, on the memory system."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from apply_world import KEY, TABLE, Spy, destination, make_plan, memory_target, read_target, state

from ditoolkit.core.apply import ApplySettings, apply_plan, resume_run
from ditoolkit.core.journal import Journal
from ditoolkit.core.undo import describe_undo, undo_run
from ditoolkit.errors import ApplyError
from ditoolkit.systems.memory import MemorySystem

MANY = "\n".join(
    [f"{KEY},Email,LastName,Birthdate"]
    + [f"K{i},k{i}@x.com,Changed{i},2000-01-02" for i in (1, 2, 3)]
    + [f"N{i},n{i}@x.com,New{i}," for i in range(6)]
)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal.in_home(tmp_path) as opened:
        yield opened


def _killed_run(journal: Journal, *, crash_on: int, after_write: bool) -> tuple[str, MemorySystem]:
    system = memory_target()
    plan = make_plan(system, MANY + "\n")
    spy = Spy(system, crash_on=crash_on, after_write=after_write)
    with pytest.raises(SystemExit):
        apply_plan(
            plan,
            target=destination(spy),
            journal=journal,
            target_frame=read_target(system),
            settings=ApplySettings(batch_size=2),
        )
    (run_id,) = journal.runs()["run_id"].tolist()
    return str(run_id), system


def _planned_state() -> dict[str, dict[str, object]]:
    system = memory_target()
    apply_plan(make_plan(system, MANY + "\n"), target=destination(system), journal=_scratch())
    return state(system)


def _scratch() -> Journal:
    import tempfile

    return Journal(Path(tempfile.mkdtemp()) / "journal.sqlite")


@pytest.mark.parametrize("after_write", [True, False])
@pytest.mark.parametrize("crash_on", [1, 3, 4])
def test_a_run_killed_between_intent_and_outcome_resumes_without_duplicates(
    journal: Journal, crash_on: int, after_write: bool
) -> None:
    run_id, system = _killed_run(journal, crash_on=crash_on, after_write=after_write)
    left = journal.state_counts(run_id)
    assert left.get("sent") == 2  # the batch in flight: intent recorded, outcome unknown
    assert journal.run(run_id).status == "running"

    spy = Spy(system)
    result = resume_run(run_id, target=destination(spy), journal=journal)

    assert result.status == "completed" and result.ok
    assert set(result.rows["state"]) == {"done"}
    assert len(result.rows) == 9
    assert state(system) == _planned_state()
    keys = system.read(TABLE, columns=[KEY])[KEY].tolist()
    assert len(keys) == len(set(keys))  # no duplicates
    reconciled = int(result.rows["message"].fillna("").str.startswith("reconciled").sum())
    # the write that landed before the kill is recognized, not sent again
    assert (reconciled >= 1) if after_write else (reconciled == 0)
    sent_again = sum(len(frame) for _, frame in spy.writes)
    assert sent_again == 9 - left.get("done", 0) - reconciled


def test_resuming_a_finished_run_does_nothing(journal: Journal) -> None:
    system = memory_target()
    done = apply_plan(make_plan(system), target=destination(system), journal=journal)
    spy = Spy(system)
    again = resume_run(done.run_id, target=destination(spy), journal=journal)
    assert again.status == "completed" and spy.writes == []


def test_a_resumed_row_changed_meanwhile_is_not_overwritten(journal: Journal) -> None:
    run_id, system = _killed_run(journal, crash_on=1, after_write=False)
    system.write(
        TABLE, pd.DataFrame({KEY: ["K3"], "LastName": ["Someone"]}), operation="update", key=KEY
    )
    result = resume_run(run_id, target=destination(system), journal=journal)
    row = result.rows.set_index("key").loc["K3"]
    assert row["status"] == "failed" and row["error_code"] == "TARGET_CHANGED"
    assert state(system)["K3"]["LastName"] == "Someone"
    assert result.rows["state"].eq("done").all()


def test_undo_after_insert_and_update_restores_the_previous_state(journal: Journal) -> None:
    system = memory_target()
    initial = state(system)
    plan = make_plan(system, MANY + "\n", operations=("insert", "update", "delete"))
    applied = apply_plan(
        plan, target=destination(system), journal=journal, target_frame=read_target(system)
    )
    assert applied.ok and state(system) != initial
    preview = describe_undo(journal, applied.run_id)
    assert sorted(preview["operation"].value_counts().items()) == [
        ("delete", 6),
        ("insert", 1),
        ("update", 3),
    ]
    assert state(system) != initial  # describing writes nothing

    undone = undo_run(applied.run_id, target=destination(system), journal=journal)

    assert undone.status == "completed" and undone.ok
    assert state(system) == initial
    record = journal.run(undone.run_id)
    assert record.kind == "undo" and record.undo_of == applied.run_id
    with pytest.raises(ApplyError, match="already undone"):
        undo_run(applied.run_id, target=destination(system), journal=journal)


def test_undo_leaves_rows_changed_since_the_run(journal: Journal) -> None:
    system = memory_target()
    applied = apply_plan(make_plan(system), target=destination(system), journal=journal)
    system.write(
        TABLE, pd.DataFrame({KEY: ["K2"], "LastName": ["Later"]}), operation="update", key=KEY
    )
    undone = undo_run(applied.run_id, target=destination(system), journal=journal)
    rows = undone.rows.set_index("key")
    assert rows.loc["K2", "error_code"] == "TARGET_CHANGED"
    assert rows.loc["K3", "status"] == "updated"
    assert state(system)["K2"]["LastName"] == "Later"
    assert "K4" not in state(system)


def test_undo_refuses_unfinished_and_dry_runs(journal: Journal) -> None:
    run_id, system = _killed_run(journal, crash_on=1, after_write=True)
    with pytest.raises(ApplyError, match="did not finish"):
        undo_run(run_id, target=destination(system), journal=journal)
    dry = apply_plan(
        make_plan(system),
        target=destination(system),
        journal=journal,
        settings=ApplySettings(dry_run=True),
    )
    with pytest.raises(ApplyError, match="dry run"):
        undo_run(dry.run_id, target=destination(system), journal=journal)

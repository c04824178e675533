"""The SQLite journal and the incremental state (watermarks, base snapshots)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ditoolkit.core.journal import Journal, Outcome, PlannedRow
from ditoolkit.core.sync_state import SyncState, agreed_rows, max_stamp
from ditoolkit.errors import ApplyError


def _rows() -> list[PlannedRow]:
    return [
        PlannedRow(0, "sf_to_di", "target", "Contact", "A", "insert", {}, {"f_EMail": "a@x.com"}),
        PlannedRow(
            1,
            "sf_to_di",
            "target",
            "Contact",
            "B",
            "update",
            {"f_EMail": None},
            {"f_EMail": "b@x.com"},
        ),
    ]


def test_rows_move_from_pending_to_sent_to_done(tmp_path: Path) -> None:
    with Journal.in_home(tmp_path) as journal:
        journal.start_run(
            "r1", kind="apply", rows=_rows(), parameters={"profile": "p"}, mapping_fingerprint="m"
        )
        assert journal.state_counts("r1") == {"pending": 2}
        journal.mark_sent("r1", [0, 1], batch=1)
        assert journal.state_counts("r1") == {"sent": 2}
        assert [r.run_id for r in journal.unfinished_runs("m")] == ["r1"]
        journal.record_outcomes("r1", [Outcome(0, "created", "003X")])
        assert journal.status_counts("r1") == {"created": 1, "sent": 1}  # state until a status
        journal.record_outcomes("r1", [Outcome(1, "failed", None, "BAD", "no")])
        assert journal.status_counts("r1") == {"created": 1, "failed": 1}
        rows = journal.rows("r1")
        assert rows["state"].tolist() == ["done", "done"]
        assert rows["status"].tolist() == ["created", "failed"]
        assert rows.loc[0, "id"] == "003X" and rows.loc[1, "error_code"] == "BAD"
        assert rows.loc[1, "before"] == {"f_EMail": None}
        journal.set_status("r1", "completed", counts={"created": 1, "failed": 1})
        record = journal.run("r1")
        assert record.status == "completed" and record.counts == {"created": 1, "failed": 1}
        assert not record.unfinished and journal.unfinished_runs("m") == []


def test_a_journal_survives_reopening(tmp_path: Path) -> None:
    with Journal.in_home(tmp_path) as journal:
        journal.start_run("r1", kind="apply", rows=_rows(), parameters={})
        journal.mark_sent("r1", [0], batch=1)
    with Journal.in_home(tmp_path) as again:
        assert again.state_counts("r1") == {"sent": 1, "pending": 1}
        assert again.runs()["run_id"].tolist() == ["r1"]


def test_an_unknown_run_is_a_clear_error(tmp_path: Path) -> None:
    with Journal.in_home(tmp_path) as journal, pytest.raises(ApplyError, match="no run 'nope'"):
        journal.run("nope")


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    with Journal.in_home(tmp_path) as journal:
        rows = [*_rows(), _rows()[0]]  # the same seq twice: the insert fails
        with pytest.raises(Exception, match="UNIQUE"):
            journal.start_run("r1", kind="apply", rows=rows, parameters={})
        assert journal.runs().empty


def test_watermarks_are_per_transfer_and_direction_and_never_move_back(tmp_path: Path) -> None:
    store = SyncState.in_home(tmp_path)
    assert store.load_watermark("t1", "sf_to_di") is None
    store.save_after_run("t1", watermarks={"sf_to_di": "2026-01-02T03:04:05.678Z"})
    store.save_after_run("t1", watermarks={"sf_to_di": "2026-01-01T00:00:00Z"})
    store.save_after_run("t2", watermarks={"di_to_sf": "2025-01-01T00:00:00Z"})
    assert store.load_watermark("t1", "sf_to_di") == pd.Timestamp("2026-01-02T03:04:05.678Z")
    assert store.load_watermark("t1", "sf_to_di", full=True) is None
    assert store.load_watermark("t1", "di_to_sf") is None
    store.close()


def test_the_last_clean_run_moves_with_every_run_unlike_the_watermark(tmp_path: Path) -> None:
    store = SyncState.in_home(tmp_path)
    assert store.last_clean_run("t1", "sf_to_di") is None
    mark = {"sf_to_di": "2026-01-02T03:04:05Z"}
    store.save_after_run("t1", run_id="r1", watermarks=mark, directions=["sf_to_di"])
    first = store.last_clean_run("t1", "sf_to_di")
    store.save_after_run("t1", run_id="r2", directions=["sf_to_di"])  # nothing new read
    second = store.last_clean_run("t1", "sf_to_di")
    assert first is not None and second is not None and second > first
    assert second.tzinfo is not None
    assert store.load_watermark("t1", "sf_to_di") == pd.Timestamp(mark["sf_to_di"])
    assert store.last_clean_run("t1", "di_to_sf") is None  # only the directions named
    store.close()


def test_the_base_snapshot_is_upserted_by_key_and_loses_deleted_rows(tmp_path: Path) -> None:
    store = SyncState.in_home(tmp_path)
    first = pd.DataFrame({"k": ["A", "B"], "v": ["1", "2"]})
    store.save_after_run("t", base=first, key="k")
    store.save_after_run(
        "t", base=pd.DataFrame({"k": ["B", "C"], "v": ["22", "3"]}), key="k", removed=["A"]
    )
    base = store.load_base("t")
    assert base is not None
    assert base.sort_values("k").values.tolist() == [["B", "22"], ["C", "3"]]
    assert store.load_base("t", full=True) is None and store.load_base("other") is None
    store.close()


def test_agreed_rows_apply_successes_and_leave_out_failures_and_conflicts() -> None:
    target = pd.DataFrame({"k": ["A", "B", "C", "D"], "v": ["1", "2", "3", "4"]})
    rows = pd.DataFrame(
        {
            "key": ["A", "B", "E", "D"],
            "operation": ["update", "update", "insert", "delete"],
            "state": ["done"] * 4,
            "status": ["updated", "failed", "created", "deleted"],
            "after": [{"v": "10"}, {"v": "20"}, {"v": "5"}, {}],
        }
    )
    agreed, removed = agreed_rows(target, rows, key="k", exclude=["C"])
    assert sorted(agreed.fillna("").values.tolist()) == [["A", "10"], ["E", "5"]]
    assert removed == ["d"]


def test_max_stamp_is_the_greatest_modstamp() -> None:
    frame = pd.DataFrame(
        {"SystemModstamp": ["2026-01-01T00:00:00Z", "2026-03-01T00:00:00.5Z", None]}
    )
    assert max_stamp(frame) == pd.Timestamp("2026-03-01T00:00:00.5Z")
    assert max_stamp(frame.iloc[0:0]) is None

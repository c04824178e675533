"""apply over HTTPS where the preview meets the writes: nulls cleared in DI, all-or-nothing
refusals of several transfers, a stale target refused, and the run files of a refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sandbox_world import LEADS_MAPPING, World, seed_di_contacts, seed_sf_contacts

from ditoolkit.api import connect_dialoginsight, connect_salesforce
from ditoolkit.core.summary import ERROR_FILE_COLUMNS, PLAN_FILE_COLUMNS, RESULT_FILE_COLUMNS
from ditoolkit.errors import ApplyError
from ditoolkit.workflow.apply_command import run_apply_command

PHONES_MAPPING = """\
version: 1
project: 1001
transfers:
  - name: phones
    direction: sf_to_di
    salesforce: {object: Contact}
    dialoginsight: {table: Contact}
    key: {salesforce: Id, dialoginsight: f_SalesforceId}
    fields:
      - {salesforce: LastName, dialoginsight: f_LastName}
      - {salesforce: Phone, dialoginsight: f_Phone}
    operations: [insert, update]
    nulls: clear
"""

#: Two transfers: the leads of ``LEADS_MAPPING`` are fine, the contacts' Salesforce filter is
#: refused when read.
TWO_MAPPING = (
    LEADS_MAPPING
    + """\
  - name: contacts
    direction: sf_to_di
    project: 1001
    salesforce: {object: Contact, where: "LastName = 'unclosed"}
    dialoginsight: {table: Contact}
    key: {salesforce: Id, dialoginsight: f_SalesforceId}
    fields:
      - {salesforce: LastName, dialoginsight: f_LastName}
    operations: [insert, update]
"""
)


def _di_phones() -> dict[str, object]:
    di = connect_dialoginsight(profile="sandbox")
    rows = di.read("Contact", columns=["f_SalesforceId", "f_Phone"], project=1001)
    di.close()
    return dict(zip(rows["f_SalesforceId"], rows["f_Phone"], strict=True))


def _refused_files(out: Path, expected: str) -> dict[str, object]:
    summary: dict[str, object] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert expected in str(summary["error"])
    assert summary["command"] == "apply" and summary["run_id"] is None
    assert set(summary["counts"].values()) == {0}  # type: ignore[attr-defined]
    for name, columns in (
        ("plan.csv", PLAN_FILE_COLUMNS),
        ("results.csv", RESULT_FILE_COLUMNS),
        ("errors.csv", ERROR_FILE_COLUMNS),
    ):
        frame = pd.read_csv(out / name)
        assert list(frame.columns) == columns and frame.empty
    return summary


def test_nulls_clear_empties_dialog_insight_fields(world: World, tmp_path: Path) -> None:
    mapping = tmp_path / "phones.yml"
    mapping.write_text(PHONES_MAPPING, encoding="utf-8")
    seed_sf_contacts(3)
    sf = connect_salesforce(profile="sandbox")
    ids = sf.read("Contact", columns=["Id"])["Id"].tolist()
    phones = pd.DataFrame({"Id": ids, "Phone": ["+1 514 555 0101"] * 3})
    sf.write("Contact", phones, operation="update").raise_for_errors()
    first = world.run("apply", str(mapping), "--profile", "sandbox")
    assert first.returncode == 0, first.stderr
    assert all(pd.notna(v) for v in _di_phones().values())

    cleared = pd.DataFrame({"Id": [ids[0]], "Phone": [None]})
    sf.write("Contact", cleared, operation="update", nulls="clear").raise_for_errors()
    second = world.run("apply", str(mapping), "--profile", "sandbox", "--full")
    assert second.returncode == 0, second.stderr  # verify agrees: the field is empty
    after = _di_phones()
    assert pd.isna(after[ids[0]]) or after[ids[0]] == ""
    assert all(pd.notna(after[i]) for i in ids[1:])


def test_a_refused_transfer_refuses_the_whole_mapping(world: World, tmp_path: Path) -> None:
    mapping = tmp_path / "two.yml"
    mapping.write_text(TWO_MAPPING, encoding="utf-8")
    seed_di_contacts(5)
    out = tmp_path / "out"
    done = world.run("apply", str(mapping), "--profile", "sandbox", "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""  # no run id: no run was started
    leads = connect_salesforce(profile="sandbox").read("Lead", columns=["Id"])
    assert leads.empty  # the first transfer was not written either
    assert world.journal_states() == {}
    _refused_files(out, "contacts")


def test_a_target_changed_between_preview_and_write_is_refused(
    world: World, tmp_path: Path
) -> None:
    seed_di_contacts(4)
    first = world.run("apply", str(world.leads), "--profile", "sandbox")
    assert first.returncode == 0, first.stderr
    di = connect_dialoginsight(profile="sandbox")
    renamed = pd.DataFrame({"f_EMail": ["person0@example.com"], "f_LastName": ["Renamed"]})
    di.write("Contact", renamed, operation="update", project=1002).raise_for_errors()
    di.close()
    sf = connect_salesforce(profile="sandbox")
    lead = sf.read("Lead", columns=["Id", "Email"], where={"Email": "person1@example.com"})

    def someone_edits_salesforce() -> None:
        edit = pd.DataFrame({"Id": lead["Id"], "LastName": ["Edited meanwhile"]})
        sf.write("Lead", edit, operation="update").raise_for_errors()

    out = tmp_path / "out"
    runs_before = world.journal_states()
    with pytest.raises(ApplyError, match="changed since the plan"):
        run_apply_command(
            str(world.leads),
            profile="sandbox",
            out=str(out),
            before_write=someone_edits_salesforce,
        )
    names = sf.read("Lead", columns=["Email", "LastName"])
    assert "Renamed" not in set(names["LastName"])  # the planned update was not sent
    assert world.journal_states() == runs_before
    _refused_files(out, "changed since the plan")

"""Incremental apply finds Salesforce deletes (``queryAll``) without reading everything again.

The Salesforce sandbox keeps a deleted record in its recycle bin (``IsDeleted = true``,
``SystemModstamp`` set when deleted), served only to ``queryAll``. It has no undelete (the
REST API has none), so a record coming back is shown by deleting one and creating another
with the same key.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from sandbox_world import BOTH_MAPPING, CONTACTS_MAPPING, World, last_names, seed_sf_contacts

from ditoolkit.api import connect_dialoginsight, connect_salesforce

N = 120

#: The contacts of DI project 1001, keyed by the Salesforce Id, deletes allowed (the side's
#: ``where`` is ANDed with ``IsDeleted = true`` when deleted records are read).
MIRRORED = (
    CONTACTS_MAPPING.replace("name: contacts", "name: mirrored")
    .replace("operations: [insert, update]", "operations: [insert, update, delete]")
    .replace(
        "salesforce: {object: Contact}", 'salesforce: {object: Contact, where: "Email != null"}'
    )
)
#: The same contacts into DI project 1002, keyed by email, deletes allowed.
BY_EMAIL = (
    MIRRORED.replace("name: mirrored", "name: by_email")
    .replace("project: 1001", "project: 1002")
    .replace(
        "key: {salesforce: Id, dialoginsight: f_SalesforceId}",
        "key: {salesforce: Email, dialoginsight: f_EMail}",
    )
    .replace("      - {salesforce: Email, dialoginsight: f_EMail}\n", "")
)


def _mapping(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mapping.yml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _seed_with_one_last_change(count: int) -> pd.DataFrame:
    """``count`` contacts, one of them edited afterwards, so that the first run's watermark
    (the greatest stamp read) is that one record's and few rows tie with it."""
    seed_sf_contacts(count)
    sf = connect_salesforce(profile="sandbox")
    contacts = sf.read("Contact", columns=["Id", "Email", "LastName"]).sort_values("Email")
    touched = pd.DataFrame({"Id": contacts["Id"].iloc[-1:], "LastName": ["Touched"]})
    sf.write("Contact", touched, operation="update").raise_for_errors()
    return contacts.reset_index(drop=True)


def _apply(world: World, mapping: str) -> str:
    done = world.run("apply", mapping, "--profile", "sandbox")
    assert done.returncode == 0, done.stderr
    return done.stderr


def _di_last_names(project: int, key: str) -> dict[str, str]:
    di = connect_dialoginsight(profile="sandbox")
    rows = di.read("Contact", columns=[key, "f_LastName"], project=project)
    di.close()
    return dict(zip(rows[key], rows["f_LastName"], strict=True))


def _query_all_calls(world: World) -> int:
    counts = world.sf_admin.counters()["by_endpoint"]
    return sum(n for endpoint, n in counts.items() if "/queryAll" in endpoint)


def test_an_incremental_run_deletes_what_salesforce_deleted(world: World, tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, MIRRORED)
    contacts = _seed_with_one_last_change(N)
    first = _apply(world, mapping)
    assert "full read" in first
    assert len(_di_last_names(1001, "f_SalesforceId")) == N

    sf = connect_salesforce(profile="sandbox")
    gone, renamed = contacts["Id"].iloc[:2].tolist(), contacts["Id"].iloc[2]
    sf.write("Contact", pd.DataFrame({"Id": gone}), operation="delete").raise_for_errors()
    renaming = pd.DataFrame({"Id": [renamed], "LastName": ["Renamed"]})
    sf.write("Contact", renaming, operation="update").raise_for_errors()

    world.sf_admin.reset(data=False)
    second = _apply(world, mapping)
    held = _di_last_names(1001, "f_SalesforceId")
    assert set(contacts["Id"]) - set(held) == set(gone)  # exactly those two
    assert len(held) == N - 2
    assert held[renamed] == "Renamed"
    assert re.search(r"deleted 2\b", second) and re.search(r"updated 1\b", second), second
    assert "2 deleted record(s)" in second and "apply --full" not in second
    # counted by the sandbox: the read stayed incremental (the renamed record, the touched
    # one at the inclusive watermark, and the two deleted ones), never the N contacts again
    served = int(world.sf_admin.counters()["rows_served"].get("Contact", 0))
    assert served <= 6 < N, served
    assert _query_all_calls(world) >= 1

    third = _apply(world, mapping)  # nothing new: the deleted ones are not deleted again
    assert "deleted" not in third.split("·", 1)[-1].split("\n")[0], third
    assert len(_di_last_names(1001, "f_SalesforceId")) == N - 2


def test_a_transfer_without_delete_deletes_nothing(world: World) -> None:
    contacts = _seed_with_one_last_change(N)
    _apply(world, str(world.contacts))
    sf = connect_salesforce(profile="sandbox")
    gone = contacts["Id"].iloc[:2].tolist()
    sf.write("Contact", pd.DataFrame({"Id": gone}), operation="delete").raise_for_errors()

    world.sf_admin.reset(data=False)
    second = _apply(world, str(world.contacts))
    held = _di_last_names(1001, "f_SalesforceId")
    assert len(held) == N and set(gone) <= set(held)
    assert _query_all_calls(world) == 0  # no delete allowed: deleted records are not read
    assert "deleted record" not in second


def test_a_record_deleted_and_created_again_with_its_key_is_kept(
    world: World, tmp_path: Path
) -> None:
    mapping = _mapping(tmp_path, BY_EMAIL)
    contacts = _seed_with_one_last_change(N)
    _apply(world, mapping)
    assert len(_di_last_names(1002, "f_EMail")) == N

    sf = connect_salesforce(profile="sandbox")
    back, gone = contacts.iloc[0], contacts.iloc[1]
    ids = pd.DataFrame({"Id": [back["Id"], gone["Id"]]})
    sf.write("Contact", ids, operation="delete").raise_for_errors()
    again = pd.DataFrame({"Email": [back["Email"]], "LastName": ["Back again"]})
    sf.write("Contact", again, operation="insert").raise_for_errors()

    second = _apply(world, mapping)
    held = _di_last_names(1002, "f_EMail")
    assert gone["Email"] not in held
    assert held[back["Email"]] == "Back again"  # live again: updated, not deleted
    assert len(held) == N - 1
    # the deleted twin of a live key is not even listed as deleted (its key is still live)
    assert "and 1 deleted record(s)" in second and "deleted 1 " in second, second


def test_a_both_transfer_deletes_in_di_what_salesforce_deleted_since_the_last_sync(
    world: World, tmp_path: Path
) -> None:
    both = BOTH_MAPPING.replace("operations: [update]", "operations: [update, delete]")
    mapping = _mapping(tmp_path, both)
    contacts = _seed_with_one_last_change(8)
    sf = connect_salesforce(profile="sandbox")
    now = sf.read("Contact", columns=["Id", "Email", "LastName"])
    same = pd.DataFrame(
        {"f_SalesforceId": now["Id"], "f_EMail": now["Email"], "f_LastName": now["LastName"]}
    )
    di = connect_dialoginsight(profile="sandbox")
    di.write("Contact", same, operation="upsert", project=1001).raise_for_errors()
    di.close()
    _apply(world, mapping)  # the first sync: the base snapshot
    gone = contacts["Id"].iloc[0]
    sf.write("Contact", pd.DataFrame({"Id": [gone]}), operation="delete").raise_for_errors()

    second = _apply(world, mapping)
    assert "1 deleted record(s)" in second and "apply --full" not in second, second
    sf_names, di_names = last_names()
    assert gone not in di_names and gone not in sf_names
    assert sf_names == di_names and len(di_names) == 7
    _apply(world, mapping)  # the next sync does not bring it back either way
    assert last_names() == (sf_names, di_names)


def _last_clean_run_back(world: World, days: int) -> None:
    """Move every recorded clean run ``days`` into the past (as if no run happened since)."""
    with sqlite3.connect(world.home / "journal.sqlite") as db:
        moved = db.execute(
            "UPDATE clean_runs SET at = ?",
            ((datetime.now(UTC) - timedelta(days=days)).isoformat(),),
        ).rowcount
    assert moved >= 1


def test_after_a_long_pause_a_transfer_that_deletes_reads_everything(
    world: World, tmp_path: Path
) -> None:
    """Past Salesforce's recycle-bin time a deleted record may be unreadable: a full read finds
    the delete anyway; a shorter pause stays incremental."""
    mapping = _mapping(tmp_path, MIRRORED)
    contacts = _seed_with_one_last_change(N)
    _apply(world, mapping)
    sf = connect_salesforce(profile="sandbox")
    gone = contacts["Id"].iloc[:1].tolist()
    sf.write("Contact", pd.DataFrame({"Id": gone}), operation="delete").raise_for_errors()

    _last_clean_run_back(world, days=10)
    world.sf_admin.reset(data=False)
    _apply(world, mapping)
    assert int(world.sf_admin.counters()["rows_served"].get("Contact", 0)) < N

    sf.write("Contact", pd.DataFrame({"Id": contacts["Id"].iloc[1:2]}), operation="delete")
    _last_clean_run_back(world, days=20)
    world.sf_admin.reset(data=False)
    late = _apply(world, mapping)
    assert "full read" in late and "recycle bin" in late, late
    assert int(world.sf_admin.counters()["rows_served"].get("Contact", 0)) >= N - 2
    assert set(contacts["Id"]) - set(_di_last_names(1001, "f_SalesforceId")) == set(
        contacts["Id"].iloc[:2]
    )

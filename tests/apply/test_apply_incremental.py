"""Incremental apply: a re-run reads only the Salesforce records changed since the watermark."""

from __future__ import annotations

import re

import pandas as pd
from sandbox_world import World, seed_sf_contacts

from ditoolkit.api import connect_dialoginsight, connect_salesforce
from ditoolkit.core.sync_state import SyncState

N = 300


def _rows_read(stderr: str) -> int:
    found = re.search(r"read (\d+) changed source row", stderr)
    assert found, stderr
    return int(found.group(1))


def _merge_calls(world: World) -> int:
    counts = world.di_admin.counters()["by_endpoint"]
    return sum(n for endpoint, n in counts.items() if "Merge" in endpoint)


def test_a_rerun_reads_only_the_changed_records(world: World) -> None:
    seed_sf_contacts(N)
    first = world.run("apply", str(world.contacts), "--profile", "sandbox")
    assert first.returncode == 0, first.stderr
    assert _rows_read(first.stderr) == N
    sf = connect_salesforce(profile="sandbox")
    stamps = sf.read("Contact", columns=["Id", "SystemModstamp"])
    mark = SyncState.in_home(world.home).load_watermark(
        _transfer(world), "sf_to_di"
    )  # the greatest stamp read
    assert mark == stamps["SystemModstamp"].max()
    at_mark = int((stamps["SystemModstamp"] == mark).sum())  # re-read: the watermark is inclusive

    changed = stamps["Id"].iloc[:3].tolist()
    sf.write(
        "Contact", pd.DataFrame({"Id": changed, "LastName": ["Changed"] * 3}), operation="update"
    ).raise_for_errors()
    merges = _merge_calls(world)
    second = world.run("apply", str(world.contacts), "--profile", "sandbox")
    assert second.returncode == 0, second.stderr
    assert _rows_read(second.stderr) == 3 + at_mark < N
    assert _merge_calls(world) == merges + 1  # one merge call for the three updates
    di = connect_dialoginsight(profile="sandbox")
    contacts = di.read("Contact", columns=["f_SalesforceId", "f_LastName"], project=1001)
    di.close()
    assert sorted(contacts.loc[contacts["f_LastName"] == "Changed", "f_SalesforceId"]) == sorted(
        changed
    )

    third = world.run("apply", str(world.contacts), "--profile", "sandbox")
    assert third.returncode == 0 and _rows_read(third.stderr) <= 3
    assert _merge_calls(world) == merges + 1  # nothing changed: no write call

    full = world.run("apply", str(world.contacts), "--profile", "sandbox", "--full")
    assert full.returncode == 0 and _rows_read(full.stderr) == N


def _transfer(world: World):  # type: ignore[no-untyped-def]
    from ditoolkit.core.mapping import Mapping

    return Mapping.load(world.contacts).transfer("contacts")

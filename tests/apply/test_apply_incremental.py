"""Incremental apply: a re-run reads only the Salesforce records changed since the watermark."""

from __future__ import annotations

import re

import pandas as pd
import pytest
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


def _contacts_served(world: World) -> int:
    """Contact records the Salesforce sandbox served to reads (REST pages and Bulk results)."""
    return int(world.sf_admin.counters()["rows_served"].get("Contact", 0))


def _salesforce_reads(world: World) -> tuple[int, int]:
    """(REST query calls, Bulk 2.0 query-job calls) counted by the sandbox."""
    counts = world.sf_admin.counters()["by_endpoint"]
    bulk = sum(n for endpoint, n in counts.items() if "/jobs/query" in endpoint)
    rest = sum(n for endpoint, n in counts.items() if "/query" in endpoint) - bulk
    return rest, bulk


@pytest.mark.parametrize(
    ("total", "changed_count"),
    [(N, 3), pytest.param(100_000, 100, marks=pytest.mark.slow, id="100k")],
)
def test_a_rerun_reads_only_the_changed_records(
    world: World, total: int, changed_count: int
) -> None:
    seed_sf_contacts(total)
    first = world.run("apply", str(world.contacts), "--profile", "sandbox")
    assert first.returncode == 0, first.stderr
    assert _rows_read(first.stderr) == total
    sf = connect_salesforce(profile="sandbox")
    stamps = sf.read("Contact", columns=["Id", "SystemModstamp"])
    mark = SyncState.in_home(world.home).load_watermark(
        _transfer(world), "sf_to_di"
    )  # the greatest stamp read
    assert mark == stamps["SystemModstamp"].max()
    at_mark = int((stamps["SystemModstamp"] == mark).sum())  # re-read: the watermark is inclusive

    changed = stamps["Id"].iloc[:changed_count].tolist()
    sf.write(
        "Contact",
        pd.DataFrame({"Id": changed, "LastName": ["Changed"] * changed_count}),
        operation="update",
    ).raise_for_errors()
    merges = _merge_calls(world)
    rest_before, bulk_before = _salesforce_reads(world)
    served_before = _contacts_served(world)
    second = world.run("apply", str(world.contacts), "--profile", "sandbox")
    assert second.returncode == 0, second.stderr
    assert _rows_read(second.stderr) == changed_count + at_mark < total
    assert _merge_calls(world) == merges + 1  # one merge call for the updates
    # counted by the sandbox: reading the changed rows (and the ties at the inclusive watermark,
    # which one bulk batch stamps alike) takes a handful of query calls, never a page per 2,000
    rest_after, bulk_after = _salesforce_reads(world)
    assert (rest_after - rest_before) + (bulk_after - bulk_before) <= 6, second.stderr[-2000:]
    assert _contacts_served(world) - served_before == changed_count + at_mark
    di = connect_dialoginsight(profile="sandbox")
    contacts = di.read("Contact", columns=["f_SalesforceId", "f_LastName"], project=1001)
    di.close()
    assert sorted(contacts.loc[contacts["f_LastName"] == "Changed", "f_SalesforceId"]) == sorted(
        changed
    )

    third = world.run("apply", str(world.contacts), "--profile", "sandbox")
    assert third.returncode == 0 and _rows_read(third.stderr) <= changed_count + at_mark
    assert _merge_calls(world) == merges + 1  # nothing changed: no write call

    full = world.run("apply", str(world.contacts), "--profile", "sandbox", "--full")
    assert full.returncode == 0 and _rows_read(full.stderr) == total


def _transfer(world: World):  # type: ignore[no-untyped-def]
    from ditoolkit.core.mapping import Mapping

    return Mapping.load(world.contacts).transfer("contacts")

"""A plan with no row to write is not re-read before the (absent) writes.

A re-run with nothing to change reads each target once, counted by the Salesforce sandbox;
a change made to a target between the preview and the apply of such a plan is not refused,
writes nothing, and is found by the next run (watermarks and the base snapshot saved after
the empty run come from the preview's reads).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sandbox_world import (
    World,
    last_names,
    seed_both_sides,
    seed_di_contacts,
    set_last_name,
)

from ditoolkit.api import connect_dialoginsight, connect_salesforce
from ditoolkit.workflow.apply_command import run_apply_command

N = 300


def _lead_reads(world: World) -> tuple[int, int]:
    """(Lead records served, REST query calls) since the last counter reset."""
    counted = world.sf_admin.counters()
    queries = sum(n for e, n in counted["by_endpoint"].items() if e.endswith("/query"))
    return int(counted["rows_served"].get("Lead", 0)), queries


def _counted_apply(world: World) -> tuple[int, int]:
    """Apply the leads mapping with fresh counters; what it read of the Leads."""
    world.sf_admin.reset(data=False)
    world.di_admin.reset(data=False)
    done = world.run("apply", str(world.leads), "--profile", "sandbox")
    assert done.returncode == 0, done.stderr
    return _lead_reads(world)


def _leads() -> dict[str, str]:
    rows = connect_salesforce(profile="sandbox").read("Lead", columns=["Email", "LastName"])
    return dict(zip(rows["Email"], rows["LastName"], strict=True))


def test_a_rerun_with_nothing_to_change_reads_the_target_once(world: World) -> None:
    seed_di_contacts(N)
    first = world.run("apply", str(world.leads), "--profile", "sandbox")
    assert first.returncode == 0, first.stderr
    assert len(_leads()) == N

    served, queries = _counted_apply(world)  # nothing changed: the preview's read only
    assert served == N

    di = connect_dialoginsight(profile="sandbox")
    renamed = pd.DataFrame({"f_EMail": ["person0@example.com"], "f_LastName": ["Renamed"]})
    di.write("Contact", renamed, operation="update", project=1002).raise_for_errors()
    di.close()
    changed_served, changed_queries = _counted_apply(world)  # preview + freshness re-read
    assert changed_served >= 2 * N  # the Leads were read twice when there was a row to write
    assert changed_queries >= queries + 1
    assert _leads()["person0@example.com"] == "Renamed"


def test_a_target_changed_after_the_preview_of_an_empty_plan_is_found_next_run(
    world: World,
) -> None:
    seed_di_contacts(4)
    first = world.run("apply", str(world.leads), "--profile", "sandbox")
    assert first.returncode == 0, first.stderr
    sf = connect_salesforce(profile="sandbox")
    lead = sf.read("Lead", columns=["Id"], where={"Email": "person1@example.com"})

    def someone_edits_salesforce() -> None:
        edit = pd.DataFrame({"Id": lead["Id"], "LastName": ["Edited meanwhile"]})
        sf.write("Lead", edit, operation="update").raise_for_errors()

    code = run_apply_command(
        str(world.leads), profile="sandbox", before_write=someone_edits_salesforce
    )
    assert code == 0  # nothing planned, nothing written: not refused
    assert _leads()["person1@example.com"] == "Edited meanwhile"

    again = world.run("apply", str(world.leads), "--profile", "sandbox")
    assert again.returncode == 0, again.stderr
    assert "updated 1" in again.stderr  # the edit was found and the source's value restored
    assert _leads()["person1@example.com"] == "Person1"


def test_both_ways_changes_after_an_empty_preview_flow_on_the_next_run(
    world: World, tmp_path: Path
) -> None:
    mapping = tmp_path / "both.yml"
    sf = seed_both_sides(world, mapping, 6)
    a, b = sorted(sf["Id"])[:2]

    def both_sides_edited_meanwhile() -> None:
        set_last_name(a, di="DiMeanwhile")  # the sf_to_di target (base snapshot)
        set_last_name(b, sf="SfMeanwhile")  # the di_to_sf target (Salesforce watermark)

    code = run_apply_command(
        str(mapping), profile="sandbox", before_write=both_sides_edited_meanwhile
    )
    assert code == 0  # both plans empty: saved state, nothing written
    sf_names, di_names = last_names()
    assert (sf_names[a], di_names[b]) != ("DiMeanwhile", "SfMeanwhile")

    again = world.run("apply", str(mapping), "--profile", "sandbox")
    assert again.returncode == 0, again.stderr  # no conflict: each edit is one side's change
    sf_names, di_names = last_names()
    assert sf_names == di_names
    assert (sf_names[a], di_names[b]) == ("DiMeanwhile", "SfMeanwhile")

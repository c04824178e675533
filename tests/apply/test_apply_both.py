"""A ``both`` transfer over HTTPS: changes flow each way, conflicts are reported or settled."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from sandbox_world import BOTH_MAPPING, World, last_names, seed_sf_contacts, set_last_name

from ditoolkit.api import connect_dialoginsight, connect_salesforce


def _errors(folder: Path) -> list[dict[str, str]]:
    with (folder / "errors.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_both_ways_with_conflicts_reported_then_settled(world: World, tmp_path: Path) -> None:
    mapping = tmp_path / "both.yml"
    mapping.write_text(BOTH_MAPPING, encoding="utf-8")
    seed_sf_contacts(10)
    sf = connect_salesforce(profile="sandbox").read("Contact", columns=["Id", "Email", "LastName"])
    same = pd.DataFrame(
        {"f_SalesforceId": sf["Id"], "f_EMail": sf["Email"], "f_LastName": sf["LastName"]}
    )
    di = connect_dialoginsight(profile="sandbox")
    di.write("Contact", same, operation="upsert", project=1001).raise_for_errors()
    di.close()
    first = world.run("apply", str(mapping), "--profile", "sandbox")
    assert first.returncode == 0, first.stderr
    sf_names, di_names = last_names()
    assert di_names == sf_names
    a, b, c = sorted(sf_names)[:3]

    set_last_name(a, sf="SfSide")
    set_last_name(b, di="DiSide")
    set_last_name(c, sf="SfWins", di="DiLoses")
    out = tmp_path / "out"
    second = world.run("apply", str(mapping), "--profile", "sandbox", "--out", str(out))
    assert second.returncode == 1, second.stderr  # a conflict is left unresolved
    sf_names, di_names = last_names()
    assert di_names[a] == "SfSide" and sf_names[b] == "DiSide"
    assert (sf_names[c], di_names[c]) == ("SfWins", "DiLoses")  # neither side overwritten
    conflicts = [e for e in _errors(out) if e["reason"] == "CONFLICT"]
    assert {e["key"].lower() for e in conflicts} == {c.lower()}

    third = world.run(
        "apply", str(mapping), "--profile", "sandbox", "--resolve", "prefer_salesforce"
    )
    assert third.returncode == 0, third.stderr
    sf_names, di_names = last_names()
    assert sf_names == di_names and di_names[c] == "SfWins"

    fourth = world.run("apply", str(mapping), "--profile", "sandbox")
    assert fourth.returncode == 0, fourth.stderr
    assert "created" not in fourth.stderr and "updated" not in fourth.stderr

"""A ``both`` transfer over HTTPS: changes flow each way, conflicts are reported or settled."""

from __future__ import annotations

import csv
from pathlib import Path

from sandbox_world import World, last_names, seed_both_sides, set_last_name


def _errors(folder: Path) -> list[dict[str, str]]:
    with (folder / "errors.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_both_ways_with_conflicts_reported_then_settled(world: World, tmp_path: Path) -> None:
    mapping = tmp_path / "both.yml"
    seed_both_sides(world, mapping, 10)
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

"""A first load from a CSV file: Data Loader-shaped success and error files beside the input."""

from __future__ import annotations

import csv
from pathlib import Path

from sandbox_world import World

from ditoolkit.api import connect_dialoginsight

CSV_MAPPING = """\
version: 1
project: 1002
transfers:
  - name: badges
    direction: sf_to_di
    csv: {path: badges.csv}
    dialoginsight: {table: Contact}
    key: {csv: Email, dialoginsight: f_EMail, transform: [trim, lower]}
    fields:
      - {csv: Name, dialoginsight: f_LastName}
    operations: [insert, update]
"""
BADGES = "Email,Name\nann@example.com,Ann\nbob@example.com,Bob\n,Nobody\nann@example.com,Twice\n"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_a_csv_load_writes_success_and_error_files(world: World, tmp_path: Path) -> None:
    (tmp_path / "badges.csv").write_text(BADGES, encoding="utf-8")
    mapping = tmp_path / "badges.yml"
    mapping.write_text(CSV_MAPPING, encoding="utf-8")
    done = world.run("apply", str(mapping), "--profile", "sandbox")
    assert done.returncode == 1, done.stderr  # rows were held back
    success = _read(tmp_path / "badges.success.csv")
    errors = _read(tmp_path / "badges.error.csv")
    assert [(r["Email"], r["STATUS"]) for r in success] == [("bob@example.com", "Item Created")]
    assert success[0]["ID"]
    assert sorted(r["Name"] for r in errors) == ["Ann", "Nobody", "Twice"]
    assert all(r["ERROR"] for r in errors)
    di = connect_dialoginsight(profile="sandbox")
    emails = di.read("Contact", columns=["f_EMail"], project=1002)["f_EMail"].tolist()
    di.close()
    assert emails == ["bob@example.com"]

    out = tmp_path / "out"
    again = world.run("apply", str(mapping), "--profile", "sandbox", "--out", str(out))
    assert again.returncode == 1
    assert _read(out / "badges.success.csv")[0]["STATUS"] == "Item Unchanged"
    assert (out / "summary.json").is_file() and (out / "results.csv").is_file()

"""The success and error files of a CSV load, as Salesforce Data Loader users expect them.

Loads go through ``python -m ditoolkit apply`` (in process) into DI project 1002 of a sandbox
of this module, over HTTPS. Expected rows are computed from the input file as the CSV reader
reads it (lines, values) and from what the sandbox holds, never written down.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from ditoolkit.api import connect_dialoginsight
from ditoolkit.cli import main
from ditoolkit.sandbox.admin import SandboxAdmin
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from ditoolkit.systems.csvfile import read_csv_file

MAPPING = """\
version: 1
project: 1002
transfers:
  - name: badges
    direction: sf_to_di
    csv: {{path: data/badges.csv}}
    dialoginsight: {{table: Contact}}
    key: {{csv: Email, dialoginsight: f_EMail, transform: [trim, lower]}}
    fields:
      - {{csv: Name, dialoginsight: f_LastName}}
    operations: [{operations}]
{filters}"""

FORMULA = '=HYPERLINK("http://x","y")'
#: Unmapped columns around the mapped ones; a repeated key (spelt two ways), an empty key, an
#: address the DI sandbox refuses, a quoted line break, and a formula in an unmapped column.
ROWS = [
    ("first", "ann@example.com", "Ann", FORMULA),
    ("second", "bob@example.com", "Bob", "B2"),
    ("third", "", "Nobody", "B3"),
    ("fourth", "  ANN@example.com ", "Twice", "B4"),
    ("fifth", "not-an-email", "Bad", "B5"),
    ("multi\nline", "cy@example.com", "Cy", "B6"),
    ("last", "dee@example.com", "Dee", "@SUM(1)"),
]
HEADER = ("Note", "Email", "Name", "Booth")
SUCCESS_ADDED = ["ID", "STATUS", "LINE"]
ERROR_ADDED = ["ERROR", "LINE"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass
class Load:
    """A project folder whose mapping loads ``data/badges.csv`` into DI."""

    root: Path
    capsys: pytest.CaptureFixture[str]

    @property
    def input(self) -> Path:
        return self.root / "data" / "badges.csv"

    def write_input(self, rows: list[tuple[str, ...]], header: tuple[str, ...] = HEADER) -> None:
        with self.input.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)

    def mapping(self, *, operations: str = "insert, update", filters: str = "") -> Path:
        path = self.root / "badges.yml"
        path.write_text(MAPPING.format(operations=operations, filters=filters), encoding="utf-8")
        return path

    def apply(self, *args: str, mapping: Path | None = None) -> int:
        self.capsys.readouterr()
        chosen = mapping or self.mapping()
        return main(["apply", str(chosen), "--profile", "sandbox", *args])


@pytest.fixture(scope="module")
def load_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """Both sandboxes (empty seed) of this module; each test resets their records."""
    with start_sandbox(tmp_path_factory.mktemp("result-files-sandbox"), seed="empty") as running:
        yield running


@pytest.fixture
def load(
    load_sandbox: SandboxProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Load:
    for section in (load_sandbox.salesforce, load_sandbox.dialoginsight):
        SandboxAdmin.of(section).reset()
    for name in [n for n in os.environ if n.startswith("DITOOLKIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(load_sandbox.data_dir))
    monkeypatch.setenv("DITOOLKIT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    return Load(tmp_path, capsys)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _dangerous(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            cell
            for row in csv.reader(handle)
            for cell in row
            if cell.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(cell)
        ]


def _di_ids() -> dict[str, str]:
    """DI project 1002: email → idContact."""
    di = connect_dialoginsight(profile="sandbox")
    try:
        frame = di.read("Contact", columns=["idContact", "f_EMail"], project=1002)
    finally:
        di.close()
    return dict(zip(frame["f_EMail"].str.lower(), frame["idContact"].astype(str), strict=True))


def _results(folder: Path, stem: str = "badges") -> tuple[pd.DataFrame, pd.DataFrame]:
    return _read(folder / f"{stem}.success.csv"), _read(folder / f"{stem}.error.csv")


def _by_line(frame: pd.DataFrame) -> dict[int, dict[str, str]]:
    return {int(r["LINE"]): r for r in frame.to_dict("records")}


def test_every_input_row_lands_once_with_all_its_columns(load: Load) -> None:
    load.write_input(ROWS)
    source = read_csv_file(load.input)  # the lines and values as the CSV reader numbers them
    assert load.apply() == 1  # rows were held back or refused
    success, errors = _results(load.root / "data")

    assert list(success.columns) == [*HEADER, *SUCCESS_ADDED]
    assert list(errors.columns) == [*HEADER, *ERROR_ADDED]
    lines = [int(v) for v in [*success["LINE"], *errors["LINE"]]]
    assert sorted(lines) == list(source.index) and len(set(lines)) == len(source)
    for frame in (success, errors):
        assert frame["LINE"].astype(int).is_monotonic_increasing  # the file's order
    for line, row in {**_by_line(success), **_by_line(errors)}.items():
        expected = source.loc[line].fillna("")
        for column in ("Note", "Email", "Name"):
            assert row[column] == expected[column], (line, column)

    ids = _di_ids()
    loaded = {r["Email"].strip().lower(): r for r in success.to_dict("records")}
    assert set(loaded) == set(ids)  # the success file lists exactly what DI now holds
    for email, row in loaded.items():
        assert row["STATUS"] == "Item Created" and row["ID"] == ids[email]


def test_repeated_keys_each_get_their_own_line_and_reason(load: Load) -> None:
    load.write_input(ROWS)
    source = read_csv_file(load.input)
    assert load.apply() == 1
    _, errors = _results(load.root / "data")
    folded = source["Email"].fillna("").str.strip().str.lower()
    repeated = [int(line) for line in source.index[folded.duplicated(keep=False) & (folded != "")]]
    assert len(repeated) == 2
    by_line = _by_line(errors)
    for line in repeated:
        assert by_line[line]["ERROR"].startswith("DUPLICATE_KEY: "), by_line[line]
        assert by_line[line]["Name"] == source.loc[line, "Name"]
    empty = int(source.index[folded == ""][0])
    assert by_line[empty]["ERROR"].startswith("MISSING_KEY: ")


def test_a_row_refused_by_dialog_insight_is_in_the_error_file_with_its_reason(
    load: Load,
) -> None:
    load.write_input(ROWS)
    source = read_csv_file(load.input)
    out = load.root / "out"
    assert load.apply("--out", str(out)) == 1
    results = _read(out / "results.csv")
    refused = results[results["status"] == "failed"]
    assert refused["key"].tolist() == ["not-an-email"]  # the quality check let it through
    _, errors = _results(out)
    line = int(source.index[source["Email"] == "not-an-email"][0])
    row = _by_line(errors)[line]
    assert row["ERROR"] == f"{refused['error_code'].iloc[0]}: {refused['message'].iloc[0]}"
    assert "InvalidEmail" in row["ERROR"] and row["Booth"] == source.loc[line, "Booth"]
    assert "not-an-email" not in _di_ids()


def test_a_formula_in_an_unmapped_column_is_neutralised(load: Load) -> None:
    load.write_input(ROWS)
    assert load.apply() == 1
    success_path = load.root / "data" / "badges.success.csv"
    error_path = load.root / "data" / "badges.error.csv"
    for path in (success_path, error_path):
        assert _dangerous(path) == [], path
    booths = [*_read(success_path)["Booth"], *_read(error_path)["Booth"]]
    assert "'" + FORMULA in booths and "'@SUM(1)" in booths


def test_a_second_load_reports_updated_and_unchanged_rows(load: Load) -> None:
    load.write_input(ROWS)
    assert load.apply() == 1
    changed = [(n, e, "Robert" if e == "bob@example.com" else name, b) for n, e, name, b in ROWS]
    load.write_input(changed)
    out = load.root / "out"
    assert load.apply("--out", str(out)) == 1
    success, errors = _results(out)
    statuses = dict(zip(success["Email"], success["STATUS"], strict=True))
    assert statuses.pop("bob@example.com") == "Item Updated"
    assert set(statuses.values()) == {"Item Unchanged"} and statuses
    assert len(success) + len(errors) == len(changed)
    ids = _di_ids()
    assert success.set_index("Email").loc["bob@example.com", "ID"] == ids["bob@example.com"]


def test_a_dry_run_leaves_the_last_load_files_as_they_were(load: Load) -> None:
    load.write_input(ROWS)
    folder = load.root / "data"
    assert load.apply("--dry-run") == 1  # rows would be held back; nothing is loaded
    assert not list(folder.glob("badges.*.csv")) and not _di_ids()
    assert load.apply() == 1
    files = {p.name: p.read_bytes() for p in folder.glob("badges.*.csv")}
    assert set(files) == {"badges.success.csv", "badges.error.csv"}
    assert load.apply("--dry-run", "--out", str(load.root / "preview")) in (0, 1)
    assert {p.name: p.read_bytes() for p in folder.glob("badges.*.csv")} == files
    assert (load.root / "preview" / "summary.json").is_file()
    assert not list((load.root / "preview").glob("badges.*.csv"))


def test_filtered_and_disallowed_rows_are_reported_not_dropped(load: Load) -> None:
    load.write_input(ROWS[:2])
    assert load.apply() == 0  # ann and bob created
    rows = [
        ("a", "ann@example.com", "Ann changed", "B1"),  # an update: not allowed below
        ("b", "eve@example.com", "Eve", "SKIP"),  # left out by the filter
        ("c", "fay@example.com", "Fay", "B3"),
    ]
    load.write_input(rows)
    filters = "    filters:\n      - {csv: Booth, op: ne, value: SKIP}\n"
    mapping = load.mapping(operations="insert", filters=filters)
    assert load.apply(mapping=mapping) == 0
    success, errors = _results(load.root / "data")
    assert success["Email"].tolist() == ["fay@example.com"]
    assert success["STATUS"].tolist() == ["Item Created"]
    reasons = dict(zip(errors["Email"], errors["ERROR"], strict=True))
    assert list(reasons) == ["ann@example.com", "eve@example.com"]  # the file's order
    assert reasons["ann@example.com"].startswith("SKIPPED: update is not among")
    assert reasons["eve@example.com"].startswith("FILTERED: ")


def test_an_error_file_loads_again_with_its_result_columns_kept(load: Load) -> None:
    load.write_input(ROWS)
    assert load.apply() == 1
    errors = _read(load.root / "data" / "badges.error.csv")
    fixed = errors.assign(Email=[f"fixed{i}@example.com" for i in range(len(errors))])
    fixed.to_csv(load.input, index=False)
    assert load.apply() == 0
    lines = [int(line) for line in read_csv_file(load.input).index]
    success, again = _results(load.root / "data")
    assert again.empty and list(again.columns) == [*errors.columns, "ERROR_RESULT", "LINE_RESULT"]
    assert list(success.columns) == [*errors.columns, "ID", "STATUS", "LINE_RESULT"]
    assert success["ERROR"].tolist() == errors["ERROR"].tolist()  # the old reasons, kept
    assert success["LINE_RESULT"].astype(int).tolist() == lines
    assert (success["STATUS"] == "Item Created").all()

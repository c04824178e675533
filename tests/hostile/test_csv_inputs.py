"""Hostile CSV files fed to a mapping, and formula cells in every CSV file the toolkit writes.

Refused files go through ``python -m ditoolkit apply`` (in process) against a sandbox of this
suite: the run must stop with a clear error naming the file, the line and the fix, and the
sandboxes' write endpoints must not have been called. Formula-like values (``=HYPERLINK(...)``)
must come out of every writer with a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import FORMULAS, Project, counters, dangerous_cells, write_calls

from ditoolkit.core.diff import diff_frames
from ditoolkit.core.plan import build_plan
from ditoolkit.core.quality import check_quality
from ditoolkit.core.summary import write_out_files
from ditoolkit.errors import InputFileError
from ditoolkit.port import FieldSchema, FieldType, RowResult, RowStatus, TableSchema, WriteResult
from ditoolkit.systems.csvfile import CsvSystem, read_csv_file, write_result_csvs

CORPUS = Path(__file__).parents[1] / "data" / "csv"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load(
    (CORPUS / "expected.yml").read_text(encoding="utf-8")
)
REFUSED = sorted(name for name, spec in EXPECTED.items() if "error" in spec)
HEADER = "Courriel,Prenom,Nom\n"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("contacts.csv", HEADER + "a@x.com,Ann,Lee\n")
    return buffer.getvalue()


def _png_bytes() -> bytes:
    return (CORPUS / "binary_png.csv").read_bytes() + bytes(range(256)) * 4


#: Generated hostile files: name → (bytes, line the error must name).
GENERATED: dict[str, tuple[bytes, int]] = {
    "ten_megabyte_cell": ((HEADER + "a@x.com,Ann," + "x" * 10_000_000 + "\n").encode(), 2),
    "ten_megabyte_quoted_cell": (
        (HEADER + 'a@x.com,Ann,"' + "x" * 10_000_000 + '"\n').encode(),
        2,
    ),
    "unclosed_quote_at_end": ((HEADER + 'a@x.com,"Ann,Lee\nb@x.com,Bo,Ng\n').encode(), 2),
    "binary_junk": (bytes(range(256)) * 64, 1),
    "nul_bytes_mid_file": (HEADER.encode() + b"a@x.com,A\x00nn,Lee\n", 2),
    "mixed_encodings": (
        HEADER.encode() + "z@x.com,Zoë,Lefèvre\n".encode() + "b@x.com,Chloé,Roy\n".encode("cp1252"),
        3,
    ),
    "zip_renamed_csv": (_zip_bytes(), 1),
    "png_renamed_csv": (_png_bytes(), 3),
    "control_character": (HEADER.encode() + b"a@x.com,Ann\x07,Lee\n", 2),
    "ragged_row": ((HEADER + "a@x.com,Ann,Lee\nb@x.com,Bo\n").encode(), 3),
}


def _refused_by_apply(project: Project, *, line: int | None) -> str:
    """Run apply on the project's mapping; check the refusal and that nothing was written."""
    mapping = project.mapping()
    before = counters(project.sandbox)
    run = project.run("apply", str(mapping), "--profile", "sandbox", "--out", "out")
    after = counters(project.sandbox)
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    assert "input.csv" in run.stderr, run.stderr
    if line is not None:
        assert f"line {line}" in run.stderr, run.stderr
    assert " — " in run.stderr, f"no next step in: {run.stderr}"
    assert write_calls(before, after) == {}
    assert not list((project.root / "home").rglob("*.csv"))
    return run.stderr


@pytest.mark.parametrize("name", REFUSED)
def test_corpus_file_refused_through_the_port(tmp_path: Path, name: str) -> None:
    shutil.copyfile(CORPUS / name, tmp_path / name)
    system = CsvSystem(tmp_path)
    with pytest.raises(InputFileError) as info:
        system.read(name)
    text = str(info.value)
    assert name in text and EXPECTED[name]["message"] in text
    assert info.value.line == EXPECTED[name].get("line")
    assert info.value.hint, "no next step"


@pytest.mark.parametrize("name", REFUSED)
def test_corpus_file_refused_by_apply_nothing_written(project: Project, name: str) -> None:
    """The corpus files have other columns: the refusal may come from the mapping check or
    the file itself, but it comes, names the file, and nothing is written."""
    shutil.copyfile(CORPUS / name, project.csv)
    _refused_by_apply(project, line=None)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_file_refused_by_apply_nothing_written(project: Project, name: str) -> None:
    data, line = GENERATED[name]
    project.csv.write_bytes(data)
    _refused_by_apply(project, line=line)


def test_huge_cell_is_not_called_an_unclosed_quote(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text('A,B\n1,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_csv_file(path)
    assert info.value.line == 2
    assert "characters" in str(info.value), str(info.value)


def test_ten_thousand_columns_read_and_mapped_columns_found(tmp_path: Path) -> None:
    names = ["Courriel", *(f"c{i}" for i in range(9_997)), "Prenom", "Nom"]
    path = tmp_path / "wide.csv"
    path.write_text(
        ",".join(names) + "\n" + ",".join(["a@x.com", *("v" * 9_997), "Ann", "Lee"]) + "\n",
        encoding="utf-8",
    )
    frame = read_csv_file(path)
    assert frame.shape == (1, 10_000)
    assert frame.loc[2, "Nom"] == "Lee"


def test_missing_mapped_column_refused_nothing_written(project: Project) -> None:
    project.csv.write_text("Email,Prenom,Nom\na@x.com,Ann,Lee\n", encoding="utf-8")
    stderr = _refused_by_apply(project, line=None)
    assert "Courriel" in stderr


# --- formula cells in every CSV the toolkit writes --------------------------------------------


def _formula_input() -> str:
    """A CSV whose names and one key are formulas (the key is held back: not an email)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Courriel", "Prenom", "Nom"])
    for i, cell in enumerate(FORMULAS):
        writer.writerow([f"f{i}@x.com", cell, cell])
    writer.writerow([FORMULAS[0], "A", "B"])
    return buffer.getvalue()


def _all_neutral(folder: Path) -> list[Path]:
    files = sorted(folder.rglob("*.csv"))
    assert files, f"no CSV written under {folder}"
    for path in files:
        assert dangerous_cells(path) == [], path
    return files


def test_plan_files_neutralise_formulas(project: Project) -> None:
    project.csv.write_text(_formula_input(), encoding="utf-8")
    run = project.run("plan", str(project.mapping()), "--profile", "sandbox", "--out", "out")
    assert run.code in (0, 1), run.stderr
    files = _all_neutral(project.root / "out")
    text = "".join(p.read_text(encoding="utf-8") for p in files)
    assert "'=hyperlink(" in text and "@SUM(1)" in text, "the formula rows reached the files"


def test_apply_files_neutralise_formulas(project: Project) -> None:
    project.csv.write_text(_formula_input(), encoding="utf-8")
    run = project.run("apply", str(project.mapping()), "--profile", "sandbox", "--out", "out")
    assert run.code in (0, 1), run.stderr
    files = _all_neutral(project.root / "out")
    loads = [p for p in (project.root / "data").rglob("*.csv") if p.name != "input.csv"]
    for path in loads:
        assert dangerous_cells(path) == [], path
    text = "".join(p.read_text(encoding="utf-8") for p in files)
    assert "'@SUM(1)" in text, "the formula rows reached the files"


def _result(rows: int) -> WriteResult:
    return WriteResult.from_rows(
        "memory",
        "=T",
        [
            RowResult(
                row=i,
                key=FORMULAS[i % len(FORMULAS)],
                operation="insert",
                status=RowStatus.FAILED if i % 2 else RowStatus.CREATED,
                id=FORMULAS[(i + 1) % len(FORMULAS)],
                error_code="=ERR()",
                message=FORMULAS[(i + 2) % len(FORMULAS)],
            )
            for i in range(rows)
        ],
    )


def _formula_frame() -> pd.DataFrame:
    return pd.DataFrame({"=Name": list(FORMULAS), "Other": list(reversed(FORMULAS))})


def test_write_result_csvs_neutralise(tmp_path: Path) -> None:
    frame = _formula_frame()
    write_result_csvs(
        frame,
        _result(len(frame)),
        success_path=tmp_path / "success.csv",
        error_path=tmp_path / "error.csv",
    )
    _all_neutral(tmp_path)


def test_write_result_to_csv_neutralises(tmp_path: Path) -> None:
    _result(len(FORMULAS)).to_csv(tmp_path / "result.csv")
    _all_neutral(tmp_path)


def test_csv_system_writes_neutralise(tmp_path: Path) -> None:
    system = CsvSystem(tmp_path)
    result = system.write("out.csv", _formula_frame(), operation="insert")
    assert result.ok
    _all_neutral(tmp_path)
    assert system.read("out.csv")["Other"].str.startswith("'").sum() == len(FORMULAS)


def test_out_files_and_plan_csv_neutralise(tmp_path: Path) -> None:
    schema = TableSchema(
        "memory", "T", (FieldSchema("Key", FieldType.STRING), FieldSchema("Name", FieldType.STRING))
    )
    source = pd.DataFrame({"Key": list(FORMULAS), "Name": list(FORMULAS)})
    target = pd.DataFrame({"Key": list(FORMULAS[:3]), "Name": ["old"] * 3})
    diff = diff_frames(source, target, key="Key", schema=schema)
    plan = build_plan(
        diff,
        check_quality(source, key="Key", schema=schema),
        operations=["insert", "update"],
        transfer_name="=t",
        direction="sf_to_di",
        mapping_fingerprint="m",
    )
    plan.to_csv(tmp_path / "plan_only.csv")
    errors = pd.DataFrame({"key": list(FORMULAS), "reason": list(FORMULAS)})
    results = _result(len(FORMULAS)).frame
    write_out_files(
        tmp_path / "out",
        summary={"command": "plan"},
        plan_rows=plan.rows.assign(transfer="=t", direction="sf_to_di"),
        error_rows=errors,
        result_rows=results,
    )
    files = _all_neutral(tmp_path)
    assert len(files) == 4
    assert "'=HYPERLINK" in (tmp_path / "out" / "plan.csv").read_text(encoding="utf-8")

"""CSV files: the corpus of awkward files, typing with a schema, and the CSV system."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from ditoolkit import errors
from ditoolkit.errors import InputFileError, NotFoundError, RejectedError
from ditoolkit.port import FieldSchema, FieldType, RowResult, RowStatus, TableSchema, WriteResult
from ditoolkit.systems.csvfile import CsvSystem, neutralize, read_csv_file, write_result_csvs

CORPUS = Path(__file__).parents[1] / "data" / "csv"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yml").read_text("utf-8"))


def test_corpus_is_large_and_every_file_has_an_expectation() -> None:
    files = {p.name for p in CORPUS.glob("*.csv")}
    assert len(files) >= 25
    assert files == set(EXPECTED)


def test_corpus_files_match_their_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.write_corpus(tmp_path):
        assert path.read_bytes() == (CORPUS / path.name).read_bytes(), path.name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str) -> None:
    expected = EXPECTED[name]
    path = CORPUS / name
    if "error" in expected:
        with pytest.raises(getattr(errors, expected["error"])) as info:
            read_csv_file(path)
        assert expected["message"] in str(info.value)
        assert info.value.line == expected["line"]
        assert str(path) in str(info.value)  # the message names the file
        assert info.value.hint  # and what to do
        return
    frame = read_csv_file(path)
    assert len(frame) == expected["rows"]
    assert list(frame.columns) == expected["columns"]
    assert all(str(dtype) == "string" for dtype in frame.dtypes)
    for attr in ("encoding", "delimiter", "blank_lines"):
        if attr in expected:
            assert frame.attrs[attr] == expected[attr], attr
    if "lines" in expected:
        assert list(frame.index) == expected["lines"]
    for position, values in expected.get("values", {}).items():
        for column, value in values.items():
            cell = frame[column].iloc[int(position)]
            assert pd.isna(cell) if value is None else cell == value, (position, column, cell)


def test_explicit_delimiter_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("A;B\nÉ;2\n".encode("cp1252"))
    frame = read_csv_file(path, delimiter=";", encoding="cp1252")
    assert frame["A"].tolist() == ["É"]
    assert list(read_csv_file(path, delimiter=",", encoding="latin-1").columns) == ["A;B"]
    with pytest.raises(InputFileError, match="byte 0xc9 is not valid utf-8") as info:
        read_csv_file(path, encoding="utf-8")
    assert info.value.line == 2
    with pytest.raises(InputFileError, match="unknown encoding 'klingon'"):
        read_csv_file(path, encoding="klingon")
    with pytest.raises(InputFileError, match="cannot be a delimiter"):
        read_csv_file(path, delimiter=";;")


def test_missing_file() -> None:
    with pytest.raises(InputFileError, match="file not found"):
        read_csv_file("no/such/file.csv")


SCHEMA = TableSchema(
    "csv",
    "people.csv",
    (
        FieldSchema("Ref", FieldType.STRING, length=10, required=True, external_id=True),
        FieldSchema("Name", FieldType.STRING, required=True, length=12),
        FieldSchema("Age", FieldType.INTEGER),
        FieldSchema("Score", FieldType.DECIMAL),
        FieldSchema("Member", FieldType.BOOLEAN),
        FieldSchema("Born", FieldType.DATE),
        FieldSchema("Seen", FieldType.DATETIME),
    ),
    key="Ref",
)


def test_schema_types_values(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "ref,Name,Age,Score,Member,Born,Seen,Extra\n"
        "r1,Ann, 42 ,3.5,Yes,1990-05-01,2024-03-01T12:00:00+02:00,x\n"
        "r2,Bob,,,0,,2024-03-01,\n",
        encoding="utf-8",
    )
    frame = read_csv_file(path, schema=SCHEMA)
    assert {f.name: str(frame[f.name].dtype) for f in SCHEMA} == {f.name: f.dtype for f in SCHEMA}
    assert str(frame["Extra"].dtype) == "string"
    assert frame["Age"].tolist()[0] == 42 and pd.isna(frame["Age"].iloc[1])
    assert frame["Member"].tolist() == [True, False]
    assert frame["Seen"].iloc[0] == pd.Timestamp("2024-03-01T10:00:00Z")
    assert frame["Seen"].iloc[1] == pd.Timestamp("2024-03-01T00:00:00Z")


@pytest.mark.parametrize(
    ("column", "bad", "fragment"),
    [
        ("Age", "4.5", "column Age: 1 value(s) are not a whole number"),
        ("Score", "1,5", "column Score: 1 value(s) are not a number with a point"),
        ("Member", "maybe", "true/false"),
        ("Born", "01/05/1990", "a date as YYYY-MM-DD (line 3: '01/05/1990')"),
        ("Seen", "yesterday", "ISO 8601"),
    ],
)
def test_conversion_failures_name_line_and_column(
    tmp_path: Path, column: str, bad: str, fragment: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(f'Ref,Name,{column}\nr1,Ann,\nr2,Bob,"{bad}"\n', encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_csv_file(path, schema=SCHEMA)
    assert fragment in str(info.value)
    assert info.value.line == 3


def test_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Ref\nr1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="has no column 'Name', which is required"):
        read_csv_file(path, schema=SCHEMA)


def test_neutralize() -> None:
    assert neutralize("=SUM(A1)") == "'=SUM(A1)"
    assert neutralize("@cmd") == "'@cmd"
    assert neutralize("-2+3") == "'-2+3"
    assert neutralize("\tx") == "'\tx"
    assert neutralize("\rx") == "'\rx"
    assert neutralize("+15145550123") == "+15145550123"
    assert neutralize("-5") == "-5"
    assert neutralize("a=b") == "a=b"


def test_csv_system_untyped_round_trip_and_formula_safety(tmp_path: Path) -> None:
    system = CsvSystem(tmp_path)
    frame = pd.DataFrame({"Name": ["Ann", '=HYPERLINK("x")'], "Note": ["a, b", None]})
    result = system.write("new.csv", frame, operation="insert")
    assert result.ok and len(result) == 2 and result.system == "csv"
    assert system.tables() == ["new.csv"]
    assert system.describe("new.csv").names == ["Name", "Note"]
    text = (tmp_path / "new.csv").read_text("utf-8")
    assert "'=HYPERLINK" in text
    back = system.read("new.csv")
    assert back["Name"].tolist() == ["Ann", '\'=HYPERLINK("x")']
    assert back["Note"].iloc[0] == "a, b" and pd.isna(back["Note"].iloc[1])
    system.write("new.csv", pd.DataFrame({"Name": ["Bob"]}), operation="insert")
    assert system.read("new.csv", columns=["name"])["Name"].tolist()[-1] == "Bob"
    assert system.read("new.csv", where="Name == 'Bob'").index.tolist() == [4]
    with pytest.raises(RejectedError, match="no field 'Email'"):
        system.write("new.csv", pd.DataFrame({"Email": ["x"]}), operation="insert")
    with pytest.raises(RejectedError, match="no modification stamps"):
        system.read("new.csv", since="2024-01-01")
    with pytest.raises(NotFoundError, match="no file"):
        system.describe("absent.csv")


def test_csv_system_keeps_the_file_delimiter(tmp_path: Path) -> None:
    (tmp_path / "fr.csv").write_bytes(b"Ref;Montant\r\na;1,5\r\n")
    system = CsvSystem(tmp_path)
    result = system.write(
        "fr.csv", pd.DataFrame({"Ref": ["a"], "Montant": ["2,5"]}), operation="upsert", key="Ref"
    )
    assert result.frame["status"].tolist() == ["updated"]
    assert (tmp_path / "fr.csv").read_bytes() == b"Ref;Montant\r\na;2,5\r\n"


def test_csv_system_typed_writes(tmp_path: Path) -> None:
    system = CsvSystem(tmp_path, schemas={"people.csv": SCHEMA})
    assert system.describe("people.csv").names == SCHEMA.names
    assert system.read("people.csv").empty
    rows = pd.DataFrame(
        {"Ref": ["r1", "r2", "r3"], "Name": ["Ann", "B" * 13, "Cy"], "Age": [30, 40, None]}
    )
    result = system.write("people.csv", rows, operation="upsert")
    assert result.frame["status"].tolist() == ["created", "failed", "created"]
    assert result.failed()["error_code"].tolist() == ["STRING_TOO_LONG"]
    assert result.frame["id"].isna().all()
    deleted = system.write("people.csv", pd.DataFrame({"Ref": ["r1", "zz"]}), operation="delete")
    assert deleted.frame["status"].tolist() == ["deleted", "failed"]
    back = system.read("people.csv")
    assert back["Ref"].tolist() == ["r3"] and str(back["Age"].dtype) == "Int64"


def test_write_result_csvs(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Email": ["a@x.com", "=bad", "c@x.com"], "ID": ["1", "2", "3"]})
    result = WriteResult.from_rows(
        "salesforce",
        "Contact",
        [
            RowResult(0, "a@x.com", "insert", RowStatus.CREATED, id="003A"),
            RowResult(
                1,
                "=bad",
                "insert",
                RowStatus.FAILED,
                error_code="INVALID_EMAIL_ADDRESS",
                message="bad email",
            ),
            RowResult(2, "c@x.com", "insert", RowStatus.CREATED, id="003C"),
        ],
    )
    success, failed = write_result_csvs(
        frame, result, success_path=tmp_path / "ok.csv", error_path=tmp_path / "err.csv"
    )
    ok = read_csv_file(success)
    assert list(ok.columns) == ["Email", "ID", "ID_RESULT", "STATUS"]
    assert ok["ID_RESULT"].tolist() == ["003A", "003C"]
    err = read_csv_file(failed)
    assert list(err.columns) == ["Email", "ID", "ERROR"]
    assert err["Email"].tolist() == ["'=bad"]
    assert err["ERROR"].tolist() == ["INVALID_EMAIL_ADDRESS: bad email"]
    empty = WriteResult.from_rows("x", "t", [RowResult(0, None, "insert", RowStatus.CREATED)])
    _, none_failed = write_result_csvs(
        frame.head(1), empty, success_path=tmp_path / "s.csv", error_path=tmp_path / "e.csv"
    )
    assert read_csv_file(none_failed).empty
    with pytest.raises(errors.DitoolkitError, match="has 1 rows for 3 input rows"):
        write_result_csvs(
            frame, empty, success_path=tmp_path / "s.csv", error_path=tmp_path / "e.csv"
        )


@pytest.mark.slow
def test_large_file_keeps_every_row_and_its_line(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    lines = ["Ref;Note"]
    for i in range(100_000):
        lines.append(f'r{i};"two\nlines"' if i % 1000 == 0 else f"r{i};note {i}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
    frame = read_csv_file(path)
    assert len(frame) == 100_000 and frame.attrs["delimiter"] == ";"
    # 100 values span two lines, so the last row starts 100 lines later than its position
    assert frame.index[-1] == 100_000 + 1 + 100
    assert frame["Ref"].iloc[-1] == "r99999"

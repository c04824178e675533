"""Hostile mapping files: every one refused with a MappingError naming the line and key path.

Each case is the demo mapping with one part broken (or a file that is not a mapping at all),
loaded with :meth:`Mapping.load` from a project folder of its own.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ditoolkit.core.findings import MappingFileError
from ditoolkit.core.mapping import Mapping
from ditoolkit.core.mapping_yaml import MAX_MAPPING_BYTES
from ditoolkit.errors import MappingError

DEMO = (Path(__file__).parents[2] / "mappings" / "demo.yml").read_text(encoding="utf-8")
CSV_PATH = "data/tradeshow.csv"


def _project(tmp_path: Path, text: str | bytes) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / CSV_PATH).write_text("Courriel;Prénom\n", encoding="cp1252")
    path = tmp_path / "mapping.yml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def _refused(path: Path, tmp_path: Path) -> MappingFileError:
    with pytest.raises(MappingFileError) as info:
        Mapping.load(path, project_dir=tmp_path)
    error = info.value
    assert str(path) in str(error)
    assert error.hint and error.findings
    return error


#: name → (mapping text, key path the finding must name, text on the line it must name)
SHAPES = {
    "unknown top key": (DEMO.replace("version: 1", "version: 1\nbogus: 2"), "bogus", "bogus"),
    "unknown transfer key": (
        DEMO.replace("    nulls: leave\n", "    nulls: leave\n    colour: red\n", 1),
        "transfers[0].colour",
        "colour: red",
    ),
    "fields not a list": (
        DEMO.replace(
            "    fields:\n      - {dialoginsight: f_EMail",
            "    fields: 5\n    z:\n      - {a: b",
            1,
        ),
        "transfers[0].fields",
        "fields: 5",
    ),
    "version a string": (DEMO.replace("version: 1", "version: one"), "version", "version: one"),
    "project a list": (
        DEMO.replace("project: 1001 ", "project: [1, 2] "),
        "project",
        "project: [1",
    ),
    "operations a dict": (
        DEMO.replace("operations: [insert, update]", "operations: {insert: yes}", 1),
        "transfers[0].operations",
        "operations: {insert",
    ),
    "transform unknown": (
        DEMO.replace("transform: [trim, lower]}", "transform: [rm -rf]}", 1),
        "transfers[0].fields[0]",
        "transform: [rm -rf]",
    ),
    "duplicate key": (
        DEMO.replace("    nulls: leave\n", "    nulls: leave\n    nulls: overwrite\n", 1),
        "transfers[0].nulls",
        "nulls: overwrite",
    ),
    "path escapes with ..": (
        DEMO.replace(CSV_PATH, "../../etc/passwd"),
        "transfers[2].csv.path",
        "../../etc/passwd",
    ),
    "absolute path": (
        DEMO.replace(CSV_PATH, "/etc/passwd"),
        "transfers[2].csv.path",
        "/etc/passwd",
    ),
    "tag python object": (
        DEMO.replace("project: 1001 ", "project: !!python/object/apply:os.system ['true'] "),
        None,
        "!!python/object",
    ),
    "tag python name": (
        DEMO.replace("version: 1", "version: !!python/name:os.system"),
        None,
        "version",
    ),
    "custom tag": (DEMO.replace("nulls: leave", "nulls: !shell leave", 1), None, "!shell"),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_malformed_mapping_refused_with_line_and_key_path(tmp_path: Path, name: str) -> None:
    text, key_path, line_text = SHAPES[name]
    error = _refused(_project(tmp_path, text), tmp_path)
    line = _line_of(text, line_text)
    assert any(f.line == line for f in error.findings), (line, [str(f) for f in error.findings])
    if key_path is not None:
        assert any(key_path in (f.field or "") for f in error.findings), str(error)
    assert f"line {line}" in str(error)


def test_symlink_out_of_the_project_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("a\n1\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    text = DEMO.replace(CSV_PATH, "data/link.csv")
    path = _project(project, text)
    os.symlink(outside / "secret.csv", project / "data" / "link.csv")
    error = _refused(path, project)
    assert any(f.field == "transfers[2].csv.path" for f in error.findings)
    assert f"line {_line_of(text, 'data/link.csv')}" in str(error)


def test_billion_laughs_refused_fast(tmp_path: Path) -> None:
    lol = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i, name in enumerate("bcdefghij"):
        previous = "abcdefghij"[i]
        lol.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    text = "version: 1\n" + "\n".join(lol) + "\n"
    started = time.process_time()
    error = _refused(_project(tmp_path, text), tmp_path)
    assert time.process_time() - started < 5, "the aliases were expanded"
    assert error.findings[0].code == "yaml_alias" and error.findings[0].line == 2


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_deep_nesting_refused(tmp_path: Path, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = "version: 1\nx: " + opener * 20_000 + closer * 20_000 + "\n"
    started = time.process_time()
    error = _refused(_project(tmp_path, text), tmp_path)
    assert time.process_time() - started < 5, "the nesting was parsed (quadratic in depth)"
    assert error.findings[0].code == "too_deep" and error.findings[0].line == 2


def test_deep_block_nesting_is_shape_checked(tmp_path: Path) -> None:
    text = "version: 1\nx:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(300))
    error = _refused(_project(tmp_path, text), tmp_path)
    assert any(f.field == "x" and f.line == 2 for f in error.findings), str(error)


def test_huge_file_refused_before_reading(tmp_path: Path) -> None:
    path = _project(tmp_path, "")
    with path.open("wb") as handle:
        handle.truncate(50 * MAX_MAPPING_BYTES)  # sparse: 50 MB of NULs
    error = _refused(path, tmp_path)
    assert error.findings[0].code == "too_large"


def test_non_utf8_bytes_name_the_line(tmp_path: Path) -> None:
    data = DEMO.replace("description: Contacts acquired", "description: Caf\x00 acquired").encode()
    data = data.replace(b"Caf\x00", b"Caf\xe9")
    error = _refused(_project(tmp_path, data), tmp_path)
    line = _line_of(DEMO, "description: Contacts acquired")
    assert error.findings[0].line == line and f"line {line}" in str(error)
    assert "UTF-8" in str(error)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "got nothing"),
        ("# only a comment\n", "got nothing"),
        ("- a\n- b\n", "got a list"),
        ("just a string\n", "got"),
        ("42\n", "got"),
    ],
)
def test_not_a_mapping_at_the_top(tmp_path: Path, text: str, expected: str) -> None:
    error = _refused(_project(tmp_path, text), tmp_path)
    assert expected in str(error)


def test_missing_file_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as info:
        Mapping.load(tmp_path / "nope.yml")
    assert "nope.yml" in str(info.value) and info.value.hint


def test_not_yaml_at_all_names_the_line(tmp_path: Path) -> None:
    text = DEMO.replace("    nulls: leave\n", "    nulls: [leave\n", 1)
    error = _refused(_project(tmp_path, text), tmp_path)
    assert error.findings[0].code == "yaml_syntax" and error.findings[0].line is not None

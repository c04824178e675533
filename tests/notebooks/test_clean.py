"""Committed notebooks are clean, generated, and parameterised by literals only."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


def _generator():
    spec = importlib.util.spec_from_file_location(
        "build_notebooks", NOTEBOOKS / "build_notebooks.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_generated_notebook_is_committed():
    assert {p.stem for p in FILES} == set(_generator().NOTEBOOKS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_no_outputs_or_execution_counts(path: Path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a cell has an execution count"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_one_parameters_cell_of_literals(path: Path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse(tagged[0].source)
    names = []
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1
        names.append(node.targets[0].id)  # type: ignore[attr-defined]
        ast.literal_eval(node.value)  # raises for anything but a literal
    assert {"profile", "output_dir", "interactive"} <= set(names)
    assert not {"password", "token", "key", "secret"} & {n.lower() for n in names}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_committed_notebook_matches_its_generator(path: Path):
    built = _generator().build(path.stem)
    committed = nbformat.read(path, as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in built.cells]
    nbformat.validate(committed)

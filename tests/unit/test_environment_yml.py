"""environment.yml (conda users) stays in step with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[2]
EDITABLE = re.compile(r"^-e\s+\.(?:\[(?P<extras>[\w,\s-]+)\])?$")


def _load() -> tuple[dict[str, Any], dict[str, Any]]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return environment, pyproject["project"]


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pip_section(environment: dict[str, Any]) -> list[str]:
    sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, "environment.yml needs exactly one pip: section"
    return [str(line) for line in sections[0]]


def test_name_python_and_pip() -> None:
    environment, project = _load()
    assert environment["name"] == "ditoolkit"
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    assert "pip" in conda
    python = next(d for d in conda if d.startswith("python"))
    version = python.split("=", 1)[1]
    minimum = project["requires-python"].removeprefix(">=")
    assert tuple(map(int, version.split("."))) >= tuple(map(int, minimum.split(".")))


def test_pip_section_installs_what_pyproject_declares() -> None:
    environment, project = _load()
    lines = _pip_section(environment)
    editable = [m for line in lines if (m := EDITABLE.match(line.strip()))]
    if editable:
        # the package itself from pyproject.toml: only the extras can be wrong
        assert len(lines) == 1, "with -e . the dependencies come from pyproject.toml alone"
        extras = {e.strip() for e in (editable[0]["extras"] or "").split(",") if e.strip()}
        assert extras <= set(project["optional-dependencies"]), extras
        assert {"dev", "lab"} <= extras
        return
    listed = {_name(line) for line in lines}
    declared = {_name(r) for r in project["dependencies"]}
    for extra in ("dev", "lab"):
        declared |= {_name(r) for r in project["optional-dependencies"][extra]}
    assert listed == declared, (
        f"only in environment.yml: {sorted(listed - declared)}; "
        f"only in pyproject.toml: {sorted(declared - listed)}"
    )


def test_requirement_names_parse() -> None:
    assert _name("simple-salesforce>=1.12.6,<1.13") == "simple-salesforce"
    assert _name("types_PyYAML>=6.0") == "types-pyyaml"
    assert EDITABLE.match("-e .[dev,lab]")["extras"] == "dev,lab"  # type: ignore[index]
    assert EDITABLE.match("-e .") is not None

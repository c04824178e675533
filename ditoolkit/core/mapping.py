"""The mapping file (version 1): which Salesforce object feeds which Dialog Insight table, how.

A :class:`Mapping` names a DI project and a list of :class:`Transfer` s. Each transfer joins two
*sides* — ``salesforce`` (an object), ``dialoginsight`` (a project's ``Contact`` table or a
relational table) or ``csv`` (a file that takes the place of the side it is read from) — with a
``direction`` (``sf_to_di``, ``di_to_sf`` or ``both``), the key pair first, field pairs, opt-ins
(DI → Salesforce only), the allowed ``operations`` (``insert``, ``update``, ``delete``; delete is
never on by default), a null policy (``leave`` | ``clear``) and filters.

What the rest of ``core`` uses:

- ``Mapping.load(path)``, ``Mapping.from_yaml(text)``, ``Mapping.from_dict(data)``,
  ``Mapping.to_yaml()``, ``Mapping.transfer(name)``;
- ``Transfer.flows`` (one direction, or two for ``both``), ``Transfer.source_side(direction)``,
  ``Transfer.target_side(direction)``, ``Transfer.pairs_for(direction)`` → :class:`FieldRoute`
  (source field or constant, target field, ordered transform recipe; key first),
  ``Transfer.fingerprint()`` (stable hash of the definition);
- :class:`Finding`, the one shape of a problem found in a mapping, a schema or a value, and
  :func:`findings_frame` to see many as a DataFrame.

Loading checks the file's own shape (unknown keys with "did you mean", wrong types, a missing
key pair, duplicate names, sides that do not fit the direction) and reports every problem with
its file, line and key path (``transfers[1].fields[2].salesforce``) in one
:class:`MappingFileError`. Checks against live schemas live in :mod:`ditoolkit.core.compatibility`;
the transforms in :mod:`ditoolkit.core.transforms`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ditoolkit.core.findings import FINDING_COLUMNS, Finding, MappingFileError, findings_frame
from ditoolkit.errors import MappingError

__all__ = [
    "FINDING_COLUMNS",
    "CsvSide",
    "DiSide",
    "FieldPair",
    "FieldRoute",
    "FilterRule",
    "Finding",
    "Mapping",
    "MappingFileError",
    "SalesforceSide",
    "Transfer",
    "findings_frame",
]

DIRECTIONS = ("sf_to_di", "di_to_sf", "both")
SIDES = ("salesforce", "dialoginsight", "csv")
OPERATIONS = ("insert", "update", "delete")
DEFAULT_OPERATIONS = frozenset({"insert", "update"})
NULL_POLICIES = ("leave", "clear")
#: Transforms that take no argument; ``date:<fmt>`` and ``datetime:<fmt>`` take a format.
SIMPLE_TRANSFORMS = ("trim", "lower", "upper", "title", "digits")
FORMAT_TRANSFORMS = ("date", "datetime")
FILTER_OPS = ("eq", "ne", "in", "not_in", "is_null", "not_null", "gt", "ge", "lt", "le")
#: strftime directives that carry a time of day: a ``format`` with one parses datetimes.
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%p", "%f", "%z", "%X", "%c", "%T")


@dataclass(frozen=True)
class SalesforceSide:
    """A Salesforce object, optionally narrowed by a SOQL ``where`` clause."""

    object: str
    where: str | None = None


@dataclass(frozen=True)
class DiSide:
    """A Dialog Insight table: ``Contact`` (the project's contacts) or a relational table code."""

    table: str = "Contact"
    project: int | None = None


@dataclass(frozen=True)
class CsvSide:
    """A CSV file read in place of one side; ``path`` as written, ``resolved`` absolute."""

    path: str
    delimiter: str = "auto"
    encoding: str = "auto"
    resolved: Path | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class FieldPair:
    """One field on each side, or a constant for one target field.

    Attributes:
        salesforce / dialoginsight / csv: the field's name on each side it names.
        transform: transform specs applied in order (``trim``, ``lower``, ``date:%d/%m/%Y``...).
        value: a constant written to the one field the pair names (no source field).
        default: written when the source value is empty.
        value_map: source value (as text) → target value.
        unmapped: what happens to values the map lacks: ``keep`` them or ``flag`` them.
        format: strftime format of source date (or datetime) text.
        line: the line of the pair in its file, when loaded from one.
    """

    salesforce: str | None = None
    dialoginsight: str | None = None
    csv: str | None = None
    transform: tuple[str, ...] = ()
    value: Any = None
    default: Any = None
    value_map: tuple[tuple[str, Any], ...] | None = None
    unmapped: str = "keep"
    format: str | None = None
    line: int | None = field(default=None, compare=False, repr=False)

    @property
    def constant(self) -> bool:
        """True when the pair writes a constant instead of reading a source field."""
        return self.value is not None

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides this pair names, in :data:`SIDES` order."""
        return tuple(side for side in SIDES if getattr(self, side) is not None)

    def name(self, side: str) -> str | None:
        """The field's name on ``side`` (``salesforce``, ``dialoginsight`` or ``csv``)."""
        result: str | None = getattr(self, side)
        return result

    def recipe(self) -> tuple[str, ...]:
        """The ordered steps: transforms, then ``value_map``, ``default``, the date format."""
        steps = list(self.transform)
        if self.value_map is not None:
            steps.append("value_map")
        if self.default is not None:
            steps.append("default")
        if self.format:
            kind = "datetime" if any(d in self.format for d in _TIME_DIRECTIVES) else "date"
            steps.append(f"{kind}:{self.format}")
        return tuple(steps)

    def to_dict(self) -> dict[str, Any]:
        """The pair as the mapping file writes it."""
        out: dict[str, Any] = {side: getattr(self, side) for side in self.sides}
        if self.transform:
            out["transform"] = (
                self.transform[0] if len(self.transform) == 1 else list(self.transform)
            )
        for name in ("value", "default"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.value_map is not None:
            out["value_map"] = dict(self.value_map)
        if self.unmapped != "keep":
            out["unmapped"] = self.unmapped
        if self.format:
            out["format"] = self.format
        return out


@dataclass(frozen=True)
class FilterRule:
    """Keep only source rows whose ``field`` (on ``side``) satisfies ``op`` ``value``."""

    side: str
    field: str
    op: str
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        """The filter as the mapping file writes it."""
        out: dict[str, Any] = {self.side: self.field, "op": self.op}
        if self.value is not None:
            out["value"] = list(self.value) if isinstance(self.value, tuple) else self.value
        return out


@dataclass(frozen=True)
class FieldRoute:
    """One column of a flow: where it comes from, where it goes, and how it is transformed.

    Attributes:
        source: the source field, or ``None`` for a constant (see ``value``).
        target: the target field.
        transforms: the ordered recipe (:meth:`FieldPair.recipe`).
        role: ``key``, ``field`` or ``optin``.
        pair: the pair it comes from.
    """

    source: str | None
    target: str
    transforms: tuple[str, ...]
    role: str
    pair: FieldPair

    @property
    def constant(self) -> bool:
        """True when the route writes ``value`` rather than a source field."""
        return self.source is None

    @property
    def value(self) -> Any:
        """The constant, for a constant route."""
        return self.pair.value


@dataclass(frozen=True)
class Transfer:
    """One Salesforce object ↔ one DI table (or a CSV file), in one or both directions."""

    name: str
    direction: str
    key: FieldPair
    project: int | None = None
    salesforce: SalesforceSide | None = None
    dialoginsight: DiSide | None = None
    csv: CsvSide | None = None
    fields: tuple[FieldPair, ...] = ()
    optins: tuple[FieldPair, ...] = ()
    operations: frozenset[str] = DEFAULT_OPERATIONS
    nulls: str = "leave"
    filters: tuple[FilterRule, ...] = ()
    description: str | None = None
    line: int | None = field(default=None, compare=False, repr=False)

    @property
    def flows(self) -> tuple[str, ...]:
        """The one-way directions this transfer runs: one, or both for ``both``."""
        return ("sf_to_di", "di_to_sf") if self.direction == "both" else (self.direction,)

    def _flow(self, direction: str | None) -> str:
        if direction is None:
            if self.direction == "both":
                raise MappingError(
                    f"transfer {self.name!r} runs both ways: name the direction",
                    hint="pass direction='sf_to_di' or 'di_to_sf' (see Transfer.flows)",
                )
            return self.direction
        if direction not in self.flows:
            raise MappingError(
                f"transfer {self.name!r} does not run {direction!r}",
                hint=f"use one of {', '.join(self.flows)}",
            )
        return direction

    def source_side(self, direction: str | None = None) -> str:
        """The side read from in ``direction`` (``salesforce``, ``dialoginsight`` or ``csv``)."""
        flow = self._flow(direction)
        if self.csv is not None:
            return "csv"
        return "salesforce" if flow == "sf_to_di" else "dialoginsight"

    def target_side(self, direction: str | None = None) -> str:
        """The side written to in ``direction``."""
        return "dialoginsight" if self._flow(direction) == "sf_to_di" else "salesforce"

    def pairs_for(self, direction: str | None = None) -> list[FieldRoute]:
        """The routes of ``direction``: key first, then fields, then opt-ins."""
        flow = self._flow(direction)
        source, target = self.source_side(flow), self.target_side(flow)
        routes: list[FieldRoute] = []
        groups = (("key", (self.key,)), ("field", self.fields), ("optin", self.optins))
        for role, pairs in groups:
            for pair in pairs:
                target_name = pair.name(target)
                if target_name is None:
                    continue
                source_name = None if pair.constant else pair.name(source)
                if source_name is None and not pair.constant:
                    continue
                routes.append(FieldRoute(source_name, target_name, pair.recipe(), role, pair))
        return routes

    def to_dict(self, *, mapping_project: int | None = None) -> dict[str, Any]:
        """The transfer as the mapping file writes it (``project`` only when it differs)."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        if self.project is not None and self.project != mapping_project:
            out["project"] = self.project
        out["direction"] = self.direction
        if self.salesforce is not None:
            sf: dict[str, Any] = {"object": self.salesforce.object}
            if self.salesforce.where:
                sf["where"] = self.salesforce.where
            out["salesforce"] = sf
        if self.dialoginsight is not None:
            out["dialoginsight"] = {"table": self.dialoginsight.table}
        if self.csv is not None:
            out["csv"] = {
                "path": self.csv.path,
                "delimiter": self.csv.delimiter,
                "encoding": self.csv.encoding,
            }
        out["key"] = self.key.to_dict()
        if self.fields:
            out["fields"] = [p.to_dict() for p in self.fields]
        if self.optins:
            out["optins"] = [p.to_dict() for p in self.optins]
        out["operations"] = [op for op in OPERATIONS if op in self.operations]
        out["nulls"] = self.nulls
        if self.filters:
            out["filters"] = [f.to_dict() for f in self.filters]
        return out

    def fingerprint(self) -> str:
        """A stable hash of the definition: equal definitions, equal fingerprints."""
        body = self.to_dict()
        body["project"] = self.project
        text = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Mapping:
    """A mapping file: version, the default DI project, the transfers.

    Attributes:
        version: the file format's version (1).
        project: the DI project transfers use unless they name their own.
        transfers: the transfers, in file order.
        source: the file it was loaded from, if any.
        warnings: what loading noticed without refusing (e.g. deletes allowed).
    """

    version: int
    project: int | None
    transfers: tuple[Transfer, ...]
    source: Path | None = field(default=None, compare=False)
    warnings: tuple[Finding, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def load(cls, path: str | Path, *, project_dir: str | Path | None = None) -> Mapping:
        """Read and check a mapping file.

        Args:
            path: the YAML file.
            project_dir: CSV paths may not leave this folder; by default the working
                directory when the file lies inside it, else the file's own folder.

        Raises:
            MappingFileError: every problem, with its line and key path.
            MappingError: the file cannot be read.
        """
        from ditoolkit.core.mapping_yaml import read_yaml_file

        file = Path(path)
        return cls.from_yaml(read_yaml_file(file), source=file, project_dir=project_dir)

    @classmethod
    def from_yaml(
        cls, text: str, *, source: str | Path | None = None, project_dir: str | Path | None = None
    ) -> Mapping:
        """Parse mapping YAML (safe loader, no anchors or aliases) and check its shape."""
        from ditoolkit.core.mapping_yaml import compose_yaml

        label = str(source) if source is not None else "<mapping>"
        data, lines = compose_yaml(text, source=label)
        return cls._build(data, lines=lines, source=source, project_dir=project_dir)

    @classmethod
    def from_dict(
        cls,
        data: Any,
        *,
        source: str | Path | None = None,
        project_dir: str | Path | None = None,
    ) -> Mapping:
        """Build a mapping from plain data (as ``yaml.safe_load`` gives), checking its shape."""
        return cls._build(data, lines={}, source=source, project_dir=project_dir)

    @classmethod
    def _build(
        cls,
        data: Any,
        *,
        lines: dict[str, int],
        source: str | Path | None,
        project_dir: str | Path | None,
    ) -> Mapping:
        from ditoolkit.core.mapping_reader import read_mapping_dict

        path = Path(source) if source is not None else None
        fields = read_mapping_dict(data, lines=lines, source=path, project_dir=project_dir)
        return cls(**fields, source=path)

    def transfer(self, name: str) -> Transfer:
        """The transfer called ``name``.

        Raises:
            MappingError: no such transfer; the message lists the names.
        """
        for transfer in self.transfers:
            if transfer.name == name:
                return transfer
        names = ", ".join(t.name for t in self.transfers) or "(none)"
        where = f" in {self.source}" if self.source else ""
        raise MappingError(f"no transfer named {name!r}{where}", hint=f"use one of: {names}")

    @property
    def names(self) -> list[str]:
        """The transfers' names, in order."""
        return [t.name for t in self.transfers]

    def to_dict(self) -> dict[str, Any]:
        """The mapping as plain data, in the file's layout."""
        out: dict[str, Any] = {"version": self.version}
        if self.project is not None:
            out["project"] = self.project
        out["transfers"] = [t.to_dict(mapping_project=self.project) for t in self.transfers]
        return out

    def to_yaml(self) -> str:
        """The mapping as YAML text, pairs on one line each."""
        return yaml.safe_dump(
            self.to_dict(), sort_keys=False, default_flow_style=None, width=100, allow_unicode=True
        )

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_yaml` to ``path``."""
        target = Path(path)
        target.write_text(self.to_yaml(), encoding="utf-8")
        return target

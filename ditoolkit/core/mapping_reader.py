"""Reading a mapping file's data into the model: the mapping, its transfers and their sides.

Private to :mod:`ditoolkit.core.mapping`. Every shape problem becomes a
:class:`~ditoolkit.core.findings.Finding`; all of them are raised together in one
:class:`~ditoolkit.core.findings.MappingFileError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ditoolkit.core import mapping as model
from ditoolkit.core.findings import MappingFileError
from ditoolkit.core.mapping_pairs import ShapeReader

_TOP_KEYS = ("version", "project", "transfers", "description")
_TRANSFER_KEYS = (
    "name",
    "description",
    "project",
    "direction",
    "salesforce",
    "dialoginsight",
    "csv",
    "key",
    "fields",
    "optins",
    "operations",
    "nulls",
    "filters",
)
_SIDE_KEYS = {
    "salesforce": ("object", "where"),
    "dialoginsight": ("table", "project"),
    "csv": ("path", "delimiter", "encoding"),
}


def read_mapping_dict(
    data: Any,
    *,
    lines: dict[str, int],
    source: Path | None,
    project_dir: str | Path | None,
) -> dict[str, Any]:
    """Check ``data``'s shape; return the :class:`Mapping` constructor's keyword arguments.

    Raises:
        MappingFileError: every problem found.
    """
    reader = _Reader(lines=lines, source=source, project_dir=project_dir)
    result = reader.mapping(data)
    if reader.errors:
        raise MappingFileError(str(source) if source else "<mapping>", reader.errors)
    return result


class _Reader(ShapeReader):
    """Reads the mapping and its transfers."""

    def mapping(self, data: Any) -> dict[str, Any]:
        top = self.table(data, "", _TOP_KEYS)
        if top is None:
            return {}
        version = top.get("version")
        if version != 1:
            self.fail(
                "version",
                "bad_version",
                f"version must be 1, got {version!r}",
                "write `version: 1`",
            )
        project = self.project(top, "")
        raw = top.get("transfers")
        transfers: list[model.Transfer] = []
        if not isinstance(raw, list) or not raw:
            self.fail(
                "transfers",
                "missing_key",
                "`transfers` must be a non-empty list",
                "add `transfers:` with at least one transfer",
            )
        else:
            for i, item in enumerate(raw):
                found = self.read_transfer(item, f"transfers[{i}]", default_project=project)
                if found is not None:
                    transfers.append(found)
        self.transfer = None
        seen: dict[str, int] = {}
        for i, transfer in enumerate(transfers):
            if transfer.name in seen:
                self.fail(
                    f"transfers[{i}].name",
                    "duplicate_name",
                    f"two transfers are named {transfer.name!r}",
                    "give each transfer its own name",
                )
            seen[transfer.name] = i
        return {
            "version": 1,
            "project": project,
            "transfers": tuple(transfers),
            "warnings": tuple(self.warnings),
        }

    def read_transfer(
        self, data: Any, path: str, *, default_project: int | None
    ) -> model.Transfer | None:
        block = self.table(data, path, _TRANSFER_KEYS)
        if block is None:
            return None
        before = len(self.errors)
        name = self.text(block, "name", path, required=True)
        self.transfer = name
        direction = self.choice(block, "direction", path, model.DIRECTIONS)
        if "direction" not in block:
            self.fail(
                f"{path}.direction",
                "missing_key",
                "`direction` is required",
                "add `direction: sf_to_di`, `di_to_sf` or `both`",
            )
        sides = self.sides(block, path, direction)
        project = self.transfer_project(block, path, sides, default_project)
        present = tuple(s for s in model.SIDES if s in sides)
        targets = _targets(direction, present)
        key = self.pairs(
            [block.get("key")], f"{path}.key", present=present, targets=targets, role="key"
        )
        fields = self.pairs(
            block.get("fields", []),
            f"{path}.fields",
            present=present,
            targets=targets,
            role="field",
        )
        optins = self.pairs(
            block.get("optins", []),
            f"{path}.optins",
            present=present,
            targets=targets,
            role="optin",
        )
        if block.get("optins") and direction not in (None, "di_to_sf"):
            self.fail(
                f"{path}.optins",
                "optin_direction",
                f"opt-ins go from Dialog Insight to Salesforce only, not {direction}",
                "move the opt-ins to a di_to_sf transfer (DI guide, step 4.3)",
            )
        self.unique_targets([*key, *fields, *optins], path, targets)
        operations = self.operations(block, path)
        nulls = self.choice(block, "nulls", path, model.NULL_POLICIES) or "leave"
        filters = self.filters(block.get("filters", []), f"{path}.filters", present)
        if len(self.errors) > before or name is None or direction is None or not key:
            return None
        return model.Transfer(
            name=name,
            direction=direction,
            key=key[0],
            project=project,
            salesforce=sides.get("salesforce"),
            dialoginsight=sides.get("dialoginsight"),
            csv=sides.get("csv"),
            fields=tuple(fields),
            optins=tuple(optins),
            operations=operations,
            nulls=nulls,
            filters=filters,
            description=self.text(block, "description", path),
            line=self.line(path),
        )

    def sides(self, block: dict[str, Any], path: str, direction: str | None) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for side in model.SIDES:
            if side in block:
                part = self.table(block[side], f"{path}.{side}", _SIDE_KEYS[side])
                if part is not None:
                    found[side] = self.side(side, part, f"{path}.{side}")
        names = set(block) & set(model.SIDES)
        if len(names) != 2:
            self.fail(
                path,
                "sides",
                f"a transfer joins two sides, found {len(names)}: {sorted(names)}",
                "give `salesforce:` and `dialoginsight:`, or `csv:` in place of the side it reads from",
            )
        elif "csv" in names and direction is not None:
            expected = {"sf_to_di": {"csv", "dialoginsight"}, "di_to_sf": {"csv", "salesforce"}}
            if direction == "both":
                self.fail(
                    f"{path}.csv",
                    "csv_pairing",
                    "a CSV file cannot be synced both ways",
                    "use direction sf_to_di (file → DI) or di_to_sf (file → Salesforce)",
                )
            elif names != expected[direction]:
                target = "dialoginsight" if direction == "sf_to_di" else "salesforce"
                self.fail(
                    f"{path}.csv",
                    "csv_pairing",
                    f"with direction {direction} the file is the source and `{target}:` the target",
                    f"pair `csv:` with `{target}:`, or change the direction",
                )
        return found

    def side(self, side: str, part: dict[str, Any], path: str) -> Any:
        if side == "salesforce":
            obj = self.text(part, "object", path, required=True) or "?"
            return model.SalesforceSide(obj, self.text(part, "where", path))
        if side == "dialoginsight":
            table = self.text(part, "table", path) or "Contact"
            return model.DiSide(table, self.project(part, path))
        return self.csv_side(part, path)

    def csv_side(self, part: dict[str, Any], path: str) -> model.CsvSide:
        raw = self.text(part, "path", path, required=True) or "?"
        delimiter = part.get("delimiter", "auto")
        if not isinstance(delimiter, str) or (delimiter != "auto" and len(delimiter) != 1):
            self.fail(
                f"{path}.delimiter",
                "bad_value",
                f"delimiter {delimiter!r} is not one character",
                "write `auto`, or one character such as `;`",
            )
            delimiter = "auto"
        encoding = part.get("encoding", "auto")
        if not isinstance(encoding, str) or (encoding != "auto" and not _codec_exists(encoding)):
            self.fail(
                f"{path}.encoding",
                "bad_value",
                f"unknown encoding {encoding!r}",
                "write `auto`, `utf-8`, `cp1252` or another Python codec name",
            )
            encoding = "auto"
        return model.CsvSide(raw, delimiter, encoding, resolved=self.resolve(raw, f"{path}.path"))

    def resolve(self, raw: str, path: str) -> Path | None:
        base = self.source.parent if self.source else Path.cwd()
        resolved = (base / raw).resolve()
        root = _project_root(self.source, self.project_dir)
        if not resolved.is_relative_to(root):
            self.fail(
                path,
                "path_escapes",
                f"{raw!r} leads outside the project folder {root}",
                "keep CSV files inside the project folder (or set project_dir)",
            )
            return None
        return resolved

    def transfer_project(
        self, block: dict[str, Any], path: str, sides: dict[str, Any], default: int | None
    ) -> int | None:
        own = self.project(block, path)
        di = sides.get("dialoginsight")
        di_project = di.project if isinstance(di, model.DiSide) else None
        if own is not None and di_project is not None and own != di_project:
            self.fail(
                f"{path}.dialoginsight.project",
                "project_conflict",
                f"the transfer says project {own}, its dialoginsight block {di_project}",
                "name the project once",
            )
        project = di_project or own or default
        if project is None and "dialoginsight" in block:
            self.fail(
                path,
                "missing_project",
                "no DI project for this transfer",
                "add `project: <id>` at the top of the file or in the transfer",
            )
        if isinstance(di, model.DiSide) and project is not None:
            sides["dialoginsight"] = model.DiSide(di.table, project)
        return project


def _targets(direction: str | None, present: tuple[str, ...]) -> tuple[str, ...]:
    if direction == "sf_to_di":
        return ("dialoginsight",)
    if direction == "di_to_sf":
        return ("salesforce",)
    return tuple(s for s in ("salesforce", "dialoginsight") if s in present)


def _codec_exists(name: str) -> bool:
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _project_root(source: Path | None, project_dir: str | Path | None) -> Path:
    if project_dir is not None:
        return Path(project_dir).resolve()
    cwd = Path.cwd().resolve()
    if source is None:
        return cwd
    folder = source.resolve().parent
    return cwd if folder.is_relative_to(cwd) else folder

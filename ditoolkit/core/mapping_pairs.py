"""Reading the parts of a mapping file: generic shape checks, field pairs, operations, filters.

Private to :mod:`ditoolkit.core.mapping`; :class:`ShapeReader` collects every problem as a
:class:`~ditoolkit.core.findings.Finding` with its line instead of stopping at the first.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from ditoolkit.core import mapping as model
from ditoolkit.core.findings import Finding

_PAIR_KEYS = (*model.SIDES, "transform", "value", "default", "value_map", "unmapped", "format")
_FILTER_KEYS = (*model.SIDES, "op", "value")


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"allowed: {', '.join(choices)}"


class ShapeReader:
    """Walks plain data, collecting findings with lines, building model objects."""

    def __init__(
        self, *, lines: dict[str, int], source: Path | None, project_dir: str | Path | None
    ) -> None:
        self.lines = lines
        self.source = source
        self.project_dir = project_dir
        self.errors: list[Finding] = []
        self.warnings: list[Finding] = []
        self.transfer: str | None = None

    def line(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None

    def fail(self, path: str, code: str, message: str, hint: str | None = None) -> None:
        self.errors.append(
            Finding("error", self.transfer, path, code, message, hint, self.line(path))
        )

    def warn(self, path: str, code: str, message: str, hint: str | None = None) -> None:
        self.warnings.append(
            Finding("warning", self.transfer, path, code, message, hint, self.line(path))
        )

    def table(self, data: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        """``data`` as a dict with only ``allowed`` keys, or None (with a finding)."""
        if not isinstance(data, dict):
            self.fail(path, "wrong_type", f"expected keys ({', '.join(allowed)}), got {kind(data)}")
            return None
        for key in data:
            if key not in allowed:
                sub = f"{path}.{key}" if path else str(key)
                self.fail(sub, "unknown_key", f"unknown key {key!r}", suggest(str(key), allowed))
        return data

    def text(
        self, data: dict[str, Any], key: str, path: str, *, required: bool = False
    ) -> str | None:
        value = data.get(key)
        sub = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.fail(sub, "missing_key", f"{key!r} is required", f"add `{key}:`")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(sub, "wrong_type", f"{key!r} must be a non-empty text, got {kind(value)}")
            return None
        return value.strip()

    def choice(
        self, data: dict[str, Any], key: str, path: str, choices: tuple[str, ...]
    ) -> str | None:
        value = self.text(data, key, path)
        if value is not None and value not in choices:
            self.fail(
                f"{path}.{key}",
                "bad_value",
                f"{key} {value!r} is not allowed",
                suggest(value, choices),
            )
            return None
        return value

    def project(self, data: dict[str, Any], path: str) -> int | None:
        value = data.get("project")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(
                f"{path}.project" if path else "project",
                "wrong_type",
                f"project must be a DI project id (a positive number), got {value!r}",
            )
            return None
        return value

    def pairs(
        self, raw: Any, path: str, *, present: tuple[str, ...], targets: tuple[str, ...], role: str
    ) -> list[model.FieldPair]:
        if role == "key":
            if raw == [None]:
                self.fail(
                    path,
                    "missing_key",
                    "the key pair is missing",
                    "add `key: {salesforce: <field>, dialoginsight: <field>}`, the key first",
                )
                return []
            items, paths = raw, [path]
        elif not isinstance(raw, list):
            self.fail(path, "wrong_type", f"expected a list of pairs, got {kind(raw)}")
            return []
        else:
            items, paths = raw, [f"{path}[{i}]" for i in range(len(raw))]
        out = []
        for item, sub in zip(items, paths, strict=True):
            pair = self.pair(item, sub)
            if pair is not None and self.pair_sides(pair, sub, present, targets, role):
                out.append(pair)
        return out

    def pair(self, data: Any, path: str) -> model.FieldPair | None:
        block = self.table(data, path, _PAIR_KEYS)
        if block is None:
            return None
        before = len(self.errors)
        names = {side: self.text(block, side, path) for side in model.SIDES}
        transforms = self.transforms(block.get("transform"), f"{path}.transform")
        value, default = (self.scalar(block, k, path) for k in ("value", "default"))
        value_map = self.value_map(block.get("value_map"), f"{path}.value_map")
        unmapped = self.choice(block, "unmapped", path, ("keep", "flag")) or "keep"
        fmt = self.text(block, "format", path)
        if fmt is not None and "%" not in fmt:
            self.fail(
                f"{path}.format",
                "bad_value",
                f"format {fmt!r} has no % directive",
                "write a strftime format such as `%d/%m/%Y`",
            )
        if len(self.errors) > before:
            return None
        return model.FieldPair(
            salesforce=names["salesforce"],
            dialoginsight=names["dialoginsight"],
            csv=names["csv"],
            transform=transforms,
            value=value,
            default=default,
            value_map=value_map,
            unmapped=unmapped,
            format=fmt,
            line=self.line(path),
        )

    def pair_sides(
        self,
        pair: model.FieldPair,
        path: str,
        present: tuple[str, ...],
        targets: tuple[str, ...],
        role: str,
    ) -> bool:
        before = len(self.errors)
        named = pair.sides
        for side in named:
            if side not in present:
                self.fail(
                    f"{path}.{side}",
                    "no_such_side",
                    f"this transfer has no `{side}:` side",
                    f"name the field on {' and '.join(present)}",
                )
        if pair.constant:
            if role != "field":
                self.fail(
                    f"{path}.value",
                    "bad_constant",
                    f"a {role} cannot be a constant",
                    "name a field on both sides",
                )
            elif len(named) != 1:
                self.fail(
                    path,
                    "bad_constant",
                    "a constant fills one target field",
                    "name only the target side's field beside `value:`",
                )
            elif named[0] in present and named[0] not in targets:
                self.fail(
                    f"{path}.{named[0]}",
                    "constant_on_source",
                    f"a constant replaces the source field, but {named[0]} is the source side",
                    f"name the target field ({' or '.join(targets)}) beside `value:`",
                )
        else:
            for side in present:
                if side not in named:
                    what = "the key pair" if role == "key" else "this pair"
                    self.fail(
                        path,
                        "missing_side",
                        f"{what} names no `{side}:` field",
                        f"add `{side}: <field>`"
                        + (" (the key comes first, as in the DI guide)" if role == "key" else ""),
                    )
        return len(self.errors) == before

    def unique_targets(
        self, pairs: list[model.FieldPair], path: str, targets: tuple[str, ...]
    ) -> None:
        for side in targets:
            names = [p.name(side) for p in pairs if p.name(side) is not None]
            for dup in sorted({n for n in names if names.count(n) > 1}):  # type: ignore[type-var]
                self.fail(
                    path,
                    "duplicate_target",
                    f"two pairs write {side} field {dup!r}",
                    "keep one pair per target field",
                )

    def transforms(self, raw: Any, path: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        specs = [raw] if isinstance(raw, str) else raw
        if not isinstance(specs, list) or not all(isinstance(s, str) for s in specs):
            self.fail(path, "wrong_type", "transform must be a name or a list of names")
            return ()
        out = []
        for spec in specs:
            name, _, arg = spec.partition(":")
            name = name.strip()
            if name in model.FORMAT_TRANSFORMS and "%" in arg:
                out.append(f"{name}:{arg}")
            elif name in model.SIMPLE_TRANSFORMS and not arg:
                out.append(name)
            else:
                known = (*model.SIMPLE_TRANSFORMS, "date:<format>", "datetime:<format>")
                self.fail(
                    path, "unknown_transform", f"unknown transform {spec!r}", suggest(spec, known)
                )
        return tuple(out)

    def scalar(self, block: dict[str, Any], key: str, path: str) -> Any:
        value = block.get(key)
        if isinstance(value, (dict, list)):
            self.fail(
                f"{path}.{key}", "wrong_type", f"{key} must be a single value, got {kind(value)}"
            )
            return None
        return value

    def value_map(self, raw: Any, path: str) -> tuple[tuple[str, Any], ...] | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not raw:
            self.fail(
                path, "wrong_type", f"value_map must be source: target pairs, got {kind(raw)}"
            )
            return None
        if any(isinstance(v, (dict, list)) for v in raw.values()):
            self.fail(path, "wrong_type", "value_map targets must be single values")
            return None
        return tuple((str(k), v) for k, v in raw.items())

    def operations(self, block: dict[str, Any], path: str) -> frozenset[str]:
        raw = block.get("operations")
        if raw is None:
            return model.DEFAULT_OPERATIONS
        sub = f"{path}.operations"
        if not isinstance(raw, list) or not raw or not all(isinstance(o, str) for o in raw):
            self.fail(
                sub,
                "wrong_type",
                "operations must be a non-empty list",
                "write e.g. `operations: [insert, update]`",
            )
            return model.DEFAULT_OPERATIONS
        for op in raw:
            if op not in model.OPERATIONS:
                self.fail(
                    sub, "bad_value", f"unknown operation {op!r}", suggest(op, model.OPERATIONS)
                )
        if "delete" in raw:
            self.warn(
                sub,
                "delete_allowed",
                "deletes are allowed: target rows the source lacks are deleted",
                "check the deletes in the preview before applying",
            )
        return frozenset(o for o in raw if o in model.OPERATIONS)

    def filters(
        self, raw: Any, path: str, present: tuple[str, ...]
    ) -> tuple[model.FilterRule, ...]:
        if not isinstance(raw, list):
            self.fail(path, "wrong_type", f"filters must be a list, got {kind(raw)}")
            return ()
        out = []
        for i, item in enumerate(raw):
            sub = f"{path}[{i}]"
            block = self.table(item, sub, _FILTER_KEYS)
            if block is None:
                continue
            named = [s for s in model.SIDES if s in block]
            op = self.choice(block, "op", sub, model.FILTER_OPS)
            value = block.get("value")
            if len(named) != 1 or named[0] not in present:
                self.fail(
                    sub,
                    "bad_filter",
                    "a filter names one field on one side of the transfer",
                    "write e.g. `{salesforce: Email, op: not_null}`",
                )
            elif op is None:
                self.fail(
                    f"{sub}.op", "missing_key", "`op` is required", suggest("", model.FILTER_OPS)
                )
            elif op in ("in", "not_in") and not isinstance(value, list):
                self.fail(f"{sub}.value", "wrong_type", f"op {op} needs a list value")
            elif op not in ("is_null", "not_null", "in", "not_in") and (
                value is None or isinstance(value, (dict, list))
            ):
                self.fail(f"{sub}.value", "wrong_type", f"op {op} needs a single value")
            else:
                field_name = str(block[named[0]])
                val = tuple(value) if isinstance(value, list) else value
                out.append(model.FilterRule(named[0], field_name, op, val))
        return tuple(out)


def kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a block of keys"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"

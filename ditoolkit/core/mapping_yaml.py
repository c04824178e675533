"""Mapping YAML with line numbers: composed safely, anchors and aliases refused.

YAML is composed with ``yaml.SafeLoader`` into nodes whose marks give each key path
(``transfers[1].fields[2].salesforce``) its line. Anchors and aliases are refused outright: they
serve no purpose in a mapping file and allow "billion laughs" expansion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ditoolkit.core.findings import Finding, MappingFileError
from ditoolkit.errors import MappingError

#: Mapping files larger than this are refused before parsing.
MAX_MAPPING_BYTES = 1_000_000
#: Flow collections (``[...]``, ``{...}``) nested deeper than this are refused before parsing.
MAX_FLOW_DEPTH = 64
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)


def read_yaml_file(file: Path) -> str:
    """The text of a mapping file: UTF-8, at most :data:`MAX_MAPPING_BYTES` (checked before
    reading).

    Raises:
        MappingError: the file cannot be read, is too large, or is not UTF-8 (naming the line).
    """
    try:
        if file.stat().st_size > MAX_MAPPING_BYTES:
            raise _one(str(file), None, "too_large", f"the file is over {MAX_MAPPING_BYTES} bytes")
        data = file.read_bytes()
    except OSError as exc:
        raise MappingError(
            f"cannot read mapping file {file}: {exc.strerror or exc}",
            hint="check the path and the working directory",
        ) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _one(
            str(file),
            line,
            "not_utf8",
            f"byte 0x{data[exc.start : exc.start + 1].hex()} is not UTF-8",
            hint="save the file as UTF-8",
        ) from None


def compose_yaml(text: str, *, source: str) -> tuple[Any, dict[str, int]]:
    """Parse ``text`` safely into plain data and a key path → line table.

    Raises:
        MappingFileError: not YAML, anchors or aliases, duplicate keys, too large.
    """
    if len(text.encode("utf-8")) > MAX_MAPPING_BYTES:
        raise _one(source, None, "too_large", f"the file is over {MAX_MAPPING_BYTES} bytes")
    _refuse_deep_flow(text, source)
    loader = yaml.SafeLoader(text)
    try:
        _refuse_aliases(text, source)
        node = loader.get_single_node()
        problems: list[Finding] = []
        lines: dict[str, int] = {}
        data = _to_python(node, "", lines=lines, loader=loader, problems=problems)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise _one(source, line, "yaml_syntax", f"not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise _one(source, None, "yaml_syntax", f"not valid YAML: {exc}") from exc
    except RecursionError:
        # the composer is recursive: thousands of nested [ or { exhaust the stack
        raise _one(source, None, "too_deep", "the file nests lists or keys too deeply") from None
    finally:
        loader.dispose()
    if problems:
        raise MappingFileError(source, problems)
    return data, lines


def _one(
    source: str, line: int | None, code: str, message: str, *, hint: str | None = None
) -> MappingFileError:
    hint = hint or "write plain YAML: keys, lists and values, without &anchors, *aliases or tags"
    return MappingFileError(source, [Finding("error", None, None, code, message, hint, line)])


def _refuse_deep_flow(text: str, source: str) -> None:
    """Refuse ``[[[[...`` or ``{{{{...`` nested past :data:`MAX_FLOW_DEPTH`.

    PyYAML's scanner is quadratic in the depth of flow collections (a 40 kB file of ``[``
    takes minutes), so the depth is measured first, in one pass that skips quoted text and
    comments.
    """
    depth, quote, line = 0, "", 1
    previous = "\n"
    for char in text:
        if char == "\n":
            line += 1
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and previous in " \t\n":
            quote = "\n"  # a comment runs to the end of the line
        elif char in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                raise _one(
                    source,
                    line,
                    "too_deep",
                    f"lists or keys are nested more than {MAX_FLOW_DEPTH} deep",
                )
        elif char in "]}":
            depth = max(0, depth - 1)
        previous = char


def _refuse_aliases(text: str, source: str) -> None:
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor is not None:
            line = event.start_mark.line + 1 if event.start_mark else None
            raise _one(
                source, line, "yaml_alias", f"anchors and aliases are not allowed (&/*{anchor})"
            )


def _to_python(
    node: yaml.Node | None,
    path: str,
    *,
    lines: dict[str, int],
    loader: yaml.SafeLoader,
    problems: list[Finding],
) -> Any:
    if node is None:
        return None
    lines.setdefault(path, node.start_mark.line + 1)
    if node.tag not in _PLAIN_TAGS:
        raise yaml.MarkedYAMLError(
            problem=f"the tag {node.tag} is not allowed", problem_mark=node.start_mark
        )
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(item, f"{path}[{i}]", lines=lines, loader=loader, problems=problems)
            for i, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            raw = path.endswith("value_map") and isinstance(key_node, yaml.ScalarNode)
            key = key_node.value if raw else loader.construct_object(key_node, deep=True)
            sub = f"{path}.{key}" if path else str(key)
            line = key_node.start_mark.line + 1
            if key in out:
                problems.append(
                    Finding(
                        "error",
                        None,
                        sub,
                        "duplicate_key",
                        f"{key!r} appears twice",
                        "keep one of them",
                        line,
                    )
                )
            lines[sub] = line
            out[key] = _to_python(value_node, sub, lines=lines, loader=loader, problems=problems)
        return out
    return loader.construct_object(node, deep=True)

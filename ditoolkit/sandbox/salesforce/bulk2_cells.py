"""Bulk API 2.0 query result lines built a column at a time with string operations in C.

The result CSV quotes every value (inner quotes doubled) and leaves null as an empty unquoted
cell. Instead of one csv-module row at a time, each column is quoted as one joined string
(cells separated by NUL, which no stored value carries; a column holding one is quoted cell
by cell), and lines are the columns' cells joined by the delimiter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Converter = Callable[[Any], Any] | None
Source = tuple[int, tuple[int, ...], Converter]

NULL = "\ue000null\ue000"  # a private-use marker no record value carries
_SEP = "\x00"
_DATETIME_TAIL = "+0000"


def result_lines(
    rows: list[tuple[Any, ...]],
    *,
    sources: list[Source],
    types: list[str | None],
    delimiter: str,
    ending: str,
) -> list[str]:
    """One CSV line per row: every value quoted, null empty, ``true``/``false``, ``...Z``.

    Args:
        rows: a compiled query's rows.
        sources: per column, its row index, its parents' ``Id`` indexes and its converter
            (:func:`.soql_shape.field_sources`).
        types: per column, the field's type.
        delimiter: the cell separator.
        ending: the line ending.
    """
    if not rows:
        return []
    last = len(sources) - 1
    by_index = list(zip(*rows, strict=True))
    columns = [
        quoted_cells(column_values(by_index, source, kind=kind), suffix=ending if i == last else "")
        for i, (source, kind) in enumerate(zip(sources, types, strict=True))
    ]
    return list(map(delimiter.join, zip(*columns, strict=True)))


def column_values(
    by_index: list[tuple[Any, ...]], source: Source, *, kind: str | None
) -> list[Any]:
    """One column's values as written: converted, ``true``/``false``, datetimes ending in Z.

    Args:
        by_index: the rows' values by row index (the rows transposed).
        source: where the column is in a row (see :func:`result_lines`).
        kind: the field's type.
    """
    index, parents, convert = source
    values = list(by_index[index])
    for parent in parents:
        ids = by_index[parent]
        if None in ids:
            values = [None if i is None else v for i, v in zip(ids, values, strict=True)]
    if convert is not None:
        values = [None if v is None else convert(v) for v in values]
    if kind == "boolean":
        return [None if v is None else ("true" if v else "false") for v in values]
    if kind == "datetime":
        return _zulu(values)
    return values


def _zulu(values: list[Any]) -> list[Any]:
    """Datetimes stored as ``...+0000`` written as ``...Z``."""
    texts = [NULL if v is None else v for v in values] if None in values else values
    joined = _SEP.join(texts) + _SEP if set(map(type, texts)) <= {str} else ""
    if joined.count(_SEP) != len(texts):  # not all text, or a value holds NUL: one by one
        tail = len(_DATETIME_TAIL)
        return [
            v[:-tail] + "Z" if isinstance(v, str) and v.endswith(_DATETIME_TAIL) else v
            for v in values
        ]
    out: list[Any] = joined.replace(_DATETIME_TAIL + _SEP, "Z" + _SEP).split(_SEP)[:-1]
    return [None if v == NULL else v for v in out] if None in values else out


def quoted_cells(values: Sequence[Any], *, suffix: str = "") -> list[str]:
    """Each value as one CSV cell (quoted, inner quotes doubled; null empty), then ``suffix``."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        texts: Sequence[str] = values
    elif kinds <= {str, type(None)}:
        texts = [NULL if v is None else v for v in values]
    else:
        texts = [NULL if v is None else v if type(v) is str else str(v) for v in values]
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:  # a value holds NUL: cell by cell
        return [
            ("" if v is None else '"' + t.replace('"', '""') + '"') + suffix
            for v, t in zip(values, texts, strict=True)
        ]
    if '"' in joined:
        joined = joined.replace('"', '""')
    body = '"' + joined.replace(_SEP, '"' + _SEP + '"') + '"' + _SEP
    if NULL in joined:
        body = body.replace(f'"{NULL}"{_SEP}', _SEP)
    if suffix:
        body = body.replace(_SEP, suffix + _SEP)
    return body.split(_SEP)[:-1]

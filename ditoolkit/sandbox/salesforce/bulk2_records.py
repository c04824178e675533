"""Records of a Bulk API 2.0 upload built a column at a time (the fast path of record building).

Each typed column is converted once per distinct cell text, and records are assembled from
the converted columns. A row holding a cell that does not fit its field's type gets no
record here (``None``): the per-row path in :mod:`.bulk2_ingest` reports its error, exactly
as it does for every row when the fast path does not apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ditoolkit.sandbox.salesforce.bulk2_csv import NULL_MARKER, ValueProblem
from ditoolkit.sandbox.salesforce.dict_rows import dict_builder

_BAD = object()  # a cell whose text does not fit its field


def fast_records(
    names: list[str],
    rows: list[list[str]],
    *,
    typed: list[tuple[int, Callable[[str], Any]]],
) -> list[dict[str, Any] | None]:
    """One record per row of cells (each as wide as ``names``), ``None`` for a row to redo.

    As the per-row path builds them: an empty cell leaves its field out, ``#N/A`` sets it to
    null, a typed column's cells go through its converter.

    Args:
        names: the field name of each column.
        rows: the cells of each row.
        typed: (column index, converter) of the columns whose cells are not kept as text.
    """
    if not rows:
        return []
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    bad: set[int] = set()
    converters = dict(typed)
    for index, cells in enumerate(columns):
        convert = converters.get(index)
        if convert is not None:
            columns[index] = _typed_column(cells, convert, bad=bad)
        elif NULL_MARKER in cells:
            columns[index] = [None if c == NULL_MARKER else c for c in cells]
    built = dict_builder(tuple(names))(zip(*columns, strict=True))
    for name, cells in zip(names, columns, strict=True):
        if "" in cells:  # an empty cell leaves its field out of the record
            for position in [i for i, value in enumerate(cells) if value == ""]:
                del built[position][name]
    records: list[dict[str, Any] | None] = list(built)
    for position in bad:
        records[position] = None
    return records


def _typed_column(
    cells: Sequence[str], convert: Callable[[str], Any], *, bad: set[int]
) -> list[Any]:
    """The column's values, each distinct text converted once; refused rows go to ``bad``."""
    values: dict[str, Any] = {"": "", NULL_MARKER: None}
    refused = False
    for text in set(cells).difference(values):
        try:
            values[text] = convert(text)
        except ValueProblem:
            values[text] = _BAD
            refused = True
    out = list(map(values.__getitem__, cells))
    if refused:
        bad.update(i for i, value in enumerate(out) if value is _BAD)
    return out

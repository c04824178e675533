"""Read an analyst's CSV file into a DataFrame, and write frames as safe CSV files."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ditoolkit.core.spreadsheet import neutralize
from ditoolkit.errors import InputFileError
from ditoolkit.port import TableSchema
from ditoolkit.systems.csvfile.convert import apply_schema
from ditoolkit.systems.csvfile.decode import read_text
from ditoolkit.systems.csvfile.parse import (
    DELIMITERS,
    parse_records,
    records_frame,
    sniff_delimiter,
)
from ditoolkit.systems.memory import is_missing


def read_csv_file(
    path: str | Path,
    *,
    delimiter: str = "auto",
    encoding: str = "auto",
    schema: TableSchema | None = None,
) -> pd.DataFrame:
    """Read ``path`` strictly: every malformed input is an :class:`InputFileError`.

    Args:
        path: the CSV file.
        delimiter: ``"auto"`` (sniffed among comma, semicolon, tab, pipe) or the delimiter.
        encoding: ``"auto"`` (BOM, strict UTF-8, Windows-1252, then a guess) or a codec name.
        schema: when given, columns it knows are typed from it; otherwise every value is a
            string.

    Returns:
        The rows, indexed by the physical line each starts on (index name ``line``), with
        ``attrs`` ``encoding``, ``delimiter``, ``blank_lines`` and ``path``.
    """
    target = Path(path)
    text, used = read_text(target, encoding=encoding)
    chosen = sniff_delimiter(text) if delimiter == "auto" else _check_delimiter(delimiter, target)
    frame = records_frame(parse_records(text, delimiter=chosen, path=target))
    if schema is not None:
        frame = apply_schema(frame, schema, path=target)
    frame.attrs.update(
        {"encoding": used, "delimiter": chosen, "path": str(target)}
        | {"blank_lines": frame.attrs.get("blank_lines", [])}
    )
    return frame


def _check_delimiter(delimiter: str, path: Path) -> str:
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise InputFileError(
            f"{delimiter!r} cannot be a delimiter",
            path=str(path),
            hint="use 'auto' or one character such as " + " ".join(map(repr, DELIMITERS)),
        )
    return delimiter


def format_cell(value: object) -> str:
    """One value as CSV text: empty for missing, ISO for dates, ``true``/``false``."""
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            return value.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        if value == value.normalize():
            return value.strftime("%Y-%m-%d")
        return value.isoformat()
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    return neutralize(str(value))


def write_csv_file(
    path: str | Path,
    frame: pd.DataFrame,
    *,
    delimiter: str = ",",
    columns: Sequence[str] | None = None,
) -> Path:
    """Write ``frame`` to ``path`` atomically as UTF-8, neutralising formula-like cells."""
    target = Path(path)
    names = list(columns) if columns is not None else [str(c) for c in frame.columns]
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
            writer.writerow([neutralize(n) for n in names])
            for values in frame[names].itertuples(index=False, name=None):
                writer.writerow([format_cell(v) for v in values])
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target

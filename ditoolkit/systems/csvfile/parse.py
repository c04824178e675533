"""Parse CSV text into a DataFrame of strings, keeping each row's physical line number.

Decisions, so that nothing is dropped or changed silently:

- every value is a string; an empty cell is ``<NA>``; ``NA``, ``null``, ``N/A`` stay text;
- header names are stripped of surrounding spaces; an empty name or a duplicate name (ignoring
  case) is an error naming the columns' positions;
- a row with more or fewer fields than the header is an error naming its line;
- blank lines (and lines of delimiters only) at the end of the file are ignored; in the middle
  they are skipped and their line numbers kept in ``frame.attrs["blank_lines"]``;
- the frame's index, named ``line``, is the physical line where each row starts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ditoolkit.errors import InputFileError

DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_RECORDS = 50
_SNIFF_CHARS = 256 * 1024


def sniff_delimiter(text: str) -> str:
    """The candidate delimiter that splits the first rows most consistently (comma on a tie)."""
    best, best_score = ",", (False, False, 0)
    for candidate in DELIMITERS:
        widths = _widths(text[:_SNIFF_CHARS], candidate)
        if not widths:
            continue
        header = widths[0]
        consistent = all(w == header for w in widths)
        score = (header > 1 and consistent, header > 1, header)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _widths(sample: str, delimiter: str) -> list[int]:
    widths: list[int] = []
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=True)
    try:
        for record in reader:
            if any(value.strip() for value in record):
                widths.append(len(record))
            if len(widths) >= _SNIFF_RECORDS:
                break
    except csv.Error:
        pass  # a cut-off sample or a malformed row: judge on the rows read so far
    return widths[:-1] if len(widths) > 1 and len(sample) == _SNIFF_CHARS else widths


@dataclass
class Records:
    """The parsed rows of one file."""

    header: list[str]
    header_line: int
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    blank_lines: list[int] = field(default_factory=list)


def parse_records(text: str, *, delimiter: str, path: Path) -> Records:
    """Split ``text`` into a checked header and rows with their starting lines.

    Raises:
        InputFileError: no header, an empty or duplicate column name, a malformed quote, a
            ragged row.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: Records | None = None
    pending_blank: list[int] = []
    previous = 0
    try:
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if not "".join(record).strip():
                pending_blank.append(start)
            elif records is None:
                records = Records(_check_header(record, line=start, path=path), start)
            else:
                records.blank_lines.extend(pending_blank)
                records.rows.append(record)
                records.lines.append(start)
                pending_blank = []
    except csv.Error as exc:
        raise _malformed(exc, line=previous + 1, path=path, delimiter=delimiter) from None
    if records is None:
        raise InputFileError(
            "has no header row (only blank lines)",
            path=str(path),
            hint="put the column names on the first line",
        )
    _check_widths(records, path=path, delimiter=delimiter)
    return records


def _malformed(exc: csv.Error, *, line: int, path: Path, delimiter: str) -> InputFileError:
    reason = str(exc)
    if "field larger than field limit" in reason:
        return InputFileError(
            f"a value starting here is longer than {csv.field_size_limit():,} characters, the "
            "most a cell may hold (or a quoted value starts here and is never closed)",
            path=str(path),
            line=line,
            hint="check the quotes on this line; shorten the value or leave it out of the file",
        )
    if "unexpected end of data" in reason:
        reason = "a quoted value starts here and its closing quote is missing"
    return InputFileError(
        f"malformed CSV ({reason})",
        path=str(path),
        line=line,
        hint=f'close the quote, or write a quote inside a value as two quotes (""); '
        f"the delimiter is the {_NAMES.get(delimiter, repr(delimiter))}",
    )


def _check_header(record: list[str], *, line: int, path: Path) -> list[str]:
    names = [value.strip().removeprefix("\ufeff").strip() for value in record]
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            raise InputFileError(
                f"column {position} of {len(names)} has no name in the header",
                path=str(path),
                line=line,
                hint="name every column on the header line, or delete the empty column "
                "(a delimiter at the end of the header makes one)",
            )
        first = seen.setdefault(name.lower(), position)
        if first != position:
            raise InputFileError(
                f"columns {first} ({names[first - 1]!r}) and {position} ({name!r}) have the "
                "same name",
                path=str(path),
                line=line,
                hint="rename one of them so that every column name is unique",
            )
    return names


def _check_widths(records: Records, *, path: Path, delimiter: str) -> None:
    width = len(records.header)
    bad = [
        (line, len(row))
        for line, row in zip(records.lines, records.rows, strict=True)
        if len(row) != width
    ]
    if not bad:
        return
    first_line, count = bad[0]
    others = ", ".join(f"line {line} has {n}" for line, n in bad[1:5])
    more = f" (also {others}{' and more' if len(bad) > 5 else ''})" if others else ""
    raise InputFileError(
        f"{count} fields where the header (line {records.header_line}) has {width}{more}",
        path=str(path),
        line=first_line,
        hint=f"{len(bad)} row(s) do not fit the header: quote values that contain the "
        f"{_NAMES.get(delimiter, repr(delimiter))} or a line break, and give every row "
        f"{width} fields; nothing was read",
    )


def records_frame(records: Records) -> pd.DataFrame:
    """The rows as a DataFrame of strings (``<NA>`` for empty cells), indexed by line."""
    columns = {
        name: pd.array([row[i] if row[i] != "" else None for row in records.rows], dtype="string")
        for i, name in enumerate(records.header)
    }
    frame = pd.DataFrame(columns, index=pd.Index(records.lines, name="line", dtype="int64"))
    frame.attrs["blank_lines"] = list(records.blank_lines)
    return frame

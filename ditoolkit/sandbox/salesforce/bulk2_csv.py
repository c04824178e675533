"""Bulk API 2.0 CSV on the wire: reading uploads, typing their cells, writing result files.

Upload rules (Salesforce's data-file rules for Bulk API 2.0): the first row names the fields;
cells are separated by the job's ``columnDelimiter`` and rows end with its ``lineEnding``; an
empty cell leaves a field as it is and ``#N/A`` sets it to null; values are typed by the
field's describe type (``true``/``false``/``1``/``0`` for booleans, ISO 8601 dates and
datetimes). Result files are comma-separated with LF line endings and every value quoted.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

DELIMITERS = {
    "BACKQUOTE": "`",
    "CARET": "^",
    "COMMA": ",",
    "PIPE": "|",
    "SEMICOLON": ";",
    "TAB": "\t",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
NULL_MARKER = "#N/A"

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
_NUMBER_TYPES = frozenset({"double", "currency", "percent"})


class UploadError(Exception):
    """The upload as a whole cannot be read: the job fails with this ``errorMessage``."""


def read_upload(
    body: bytes, *, delimiter: str, line_ending: str | None
) -> tuple[list[str], Iterator[list[str]]]:
    """Decode an upload and split it into its header and an iterator over its rows.

    Args:
        body: the CSV bytes as uploaded (UTF-8, an initial byte-order mark is ignored).
        delimiter: the job's ``columnDelimiter`` name (``COMMA``...).
        line_ending: the job's ``lineEnding`` name (``LF`` or ``CRLF``); ``None`` accepts
            either.

    Raises:
        UploadError: the bytes are not UTF-8, the line ending differs from the job's, or
            there is no header row.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(
            f"ClientInputError : the data is not valid UTF-8 (byte {exc.start})"
        ) from exc
    first_newline = text.find("\n")
    if first_newline >= 0 and line_ending is not None:
        has_cr = first_newline > 0 and text[first_newline - 1] == "\r"
        if has_cr != (line_ending == "CRLF"):
            raise UploadError(
                "ClientInputError : LineEnding is invalid on user data. "
                f"Current LineEnding setting is {line_ending}"
            )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[delimiter])
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise UploadError("ClientInputError : the data has no header row of field names")
    return header, (row for row in reader if row)


def quote(value: str) -> str:
    """``value`` as one double-quoted CSV cell."""
    return '"' + value.replace('"', '""') + '"'


def header_cell(name: str, delimiter: str = ",") -> str:
    """A header cell as Salesforce echoes the uploaded column names: quoted only when needed."""
    if any(ch in name for ch in (delimiter, '"', "\n", "\r")):
        return quote(name)
    return name


def result_file(head: list[str], rows: list[list[str]], *, columns: list[str]) -> str:
    """One ingest result file: quoted ``head`` cells, the uploaded header, quoted rows."""
    out = io.StringIO()
    out.write(",".join([*(quote(h) for h in head), *(header_cell(c) for c in columns)]) + "\n")
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return out.getvalue()


class ValueProblem(ValueError):
    """A cell's text does not fit its field's type."""


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueProblem(text)


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        number = _double(text)
        if not number.is_integer():
            raise ValueProblem(text) from None
        return int(number)


def _double(text: str) -> float:
    try:
        number = float(text.strip())
    except ValueError:
        raise ValueProblem(text) from None
    if math.isnan(number) or math.isinf(number):
        raise ValueProblem(text)
    return number


def _date(text: str) -> str:
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # the usual YYYY-MM-DD
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueProblem(text) from None
    match = _DATE.match(text.strip())
    if not match:
        raise ValueProblem(text)
    rest = text.strip()[match.end() :]
    if rest and not _DATETIME.fullmatch(text.strip()):
        raise ValueProblem(text)
    try:
        return date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        raise ValueProblem(text) from None


def _datetime(text: str) -> str:
    stripped = text.strip()
    if _DATE.fullmatch(stripped):
        return _date(stripped) + "T00:00:00.000+0000"
    match = _DATETIME.fullmatch(stripped)
    if not match:
        raise ValueProblem(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")[:6]),
            tzinfo=_zone(zone),
        ).astimezone(UTC)
    except ValueError:
        raise ValueProblem(text) from None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _zone(text: str | None) -> timezone:
    if text is None or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def text_converter(text: str) -> str:
    """The converter of text fields: the cell as it is."""
    return text


def converter(field_type: str) -> Callable[[str], Any]:
    """The function turning a CSV cell into the JSON-typed value of a ``field_type`` field.

    It raises :class:`ValueProblem` for text that does not fit the type.
    """
    if field_type == "boolean":
        return _boolean
    if field_type == "int":
        return _int
    if field_type in _NUMBER_TYPES:
        return _double
    if field_type == "date":
        return _date
    if field_type == "datetime":
        return _datetime
    return text_converter


def row_error(code: str, message: str, *, fields: list[str] | None = None) -> str:
    """An ``sf__Error`` cell: ``CODE:message:Field1,Field2 --`` (``CODE:message:--`` unfielded)."""
    if fields:
        return f"{code}:{message}:{','.join(fields)} --"
    return f"{code}:{message}:--"

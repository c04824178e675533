"""Turn a CSV file's bytes into text: byte-order mark, strict UTF-8, Windows-1252, then a guess.

The order is deterministic so the same file always reads the same way: a byte-order mark
decides; otherwise strict UTF-8; otherwise Windows-1252 (what Excel writes on most Western
machines); only then charset-normalizer's best guess. NUL bytes and control characters are
refused: they mean a binary file, a damaged export or UTF-16 without its byte-order mark.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ditoolkit.errors import InputFileError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")
# a well-formed two-byte UTF-8 letter (Latin-1 supplement, Latin Extended-A): in a file that
# is not valid UTF-8 as a whole, it means pieces in two encodings, which no single codec reads
_UTF8_SEQUENCE = re.compile(rb"[\xc3\xc5][\x80-\xbf]")
_NEWLINE_TEXT = re.compile(r"\r\n|\r|\n")
_NEWLINE_BYTES = re.compile(rb"\r\n|\r|\n")
RESAVE = "open it in Excel or LibreOffice and save it again as 'CSV UTF-8'"


def line_of_text(text: str, position: int) -> int:
    """The 1-based physical line of ``position`` in ``text`` (CRLF, LF or CR endings)."""
    return len(_NEWLINE_TEXT.findall(text, 0, position)) + 1


def _line_of_bytes(data: bytes, position: int) -> int:
    return len(_NEWLINE_BYTES.findall(data, 0, position)) + 1


def read_text(path: Path, *, encoding: str = "auto") -> tuple[str, str]:
    """The file's text and the encoding it was read with.

    Args:
        path: the CSV file.
        encoding: ``"auto"`` (detect) or a Python codec name to use strictly.

    Raises:
        InputFileError: the file is missing, empty, binary, or not in the given encoding.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(
            "file not found", path=str(path), hint="check the path and the working directory"
        ) from None
    if not data:
        raise InputFileError(
            "the file is empty (0 bytes)",
            path=str(path),
            hint="export the data again: a CSV file needs at least a header row",
        )
    text, used = _decode(data, path=path, encoding=encoding)
    _refuse_control_characters(text, path=path)
    return text, used


def _decode(data: bytes, *, path: Path, encoding: str) -> tuple[str, str]:
    if encoding.lower() != "auto":
        return _strict(data, encoding, path=path), encoding
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec, path=path)
            return text.removeprefix("\ufeff"), codec
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputFileError(
            "contains NUL bytes: this is a binary file, or UTF-16 text without a byte-order mark",
            path=str(path),
            line=_line_of_bytes(data, nul),
            hint=RESAVE,
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):
            raise InputFileError(
                f"mixes encodings: byte 0x{data[exc.start : exc.start + 1].hex()} is not UTF-8 "
                "while other accented letters in the file are",
                path=str(path),
                line=_line_of_bytes(data, exc.start),
                hint="the file was pieced together from exports in different encodings; " + RESAVE,
            ) from None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return _guess(data, path=path)


def _strict(data: bytes, codec: str, *, path: Path) -> str:
    try:
        return data.decode(codec)
    except LookupError:
        raise InputFileError(
            f"unknown encoding {codec!r}",
            path=str(path),
            hint="use 'auto' or a Python codec name such as 'utf-8' or 'cp1252'",
        ) from None
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise InputFileError(
            f"byte 0x{bad} is not valid {codec}",
            path=str(path),
            line=_line_of_bytes(data, exc.start),
            hint="give the file's real encoding, use encoding='auto', or " + RESAVE,
        ) from None


def _guess(data: bytes, *, path: Path) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = _line_of_bytes(data, exc.start)
        raise InputFileError(
            "the encoding cannot be recognised (not UTF-8, not Windows-1252)",
            path=str(path),
            line=line,
            hint="pass encoding='...' with the file's encoding, or " + RESAVE,
        )
    return str(best), best.encoding


def _refuse_control_characters(text: str, *, path: Path) -> None:
    found = _CONTROL.search(text)
    if found is None:
        return
    line = line_of_text(text, found.start())
    raise InputFileError(
        f"contains the control character U+{ord(found.group()):04X}, which text files do not",
        path=str(path),
        line=line,
        hint="the file is binary or damaged; export it again as CSV, or " + RESAVE,
    )

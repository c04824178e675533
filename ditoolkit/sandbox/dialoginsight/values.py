"""Field values on the wire and in storage: validation per DataType, and their output form.

Storage forms: text as ``str``; ``Integer`` as ``int``; ``Decimal`` as ``float``; ``Boolean`` and
opt-ins as ``0``/``1``; ``Date`` as ``YYYY-MM-DD`` and ``DateTime`` as ``YYYY-MM-DD HH:MM:SS``
(so that SQLite orders them). On output dates take DI's dotted form ``YYYY.MM.DD``.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

from ditoolkit.sandbox.dialoginsight.world import FieldSpec

_DATE_FORMATS = ("%Y.%m.%d", "%Y-%m-%d", "%Y.%m.%d %H:%M:%S")
_DATETIME_FORMATS = (
    "%Y.%m.%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y.%m.%d",
    "%Y-%m-%d",
)
#: SQL Server's ``datetime`` range, which a .NET service backed by it accepts.
_MIN_YEAR = 1753
_INT32 = 2**31
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ASCII_EMAIL = re.compile(
    rf"^(?=.{{1,64}}@){_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]+)$"
)
#: digits, spaces and + ( ) . - /, an optional extension, and at least four digits
_PHONE = re.compile(r"^(?=(?:\D*\d){4})\+?[\d ().\-/]+(?:\s*(?:x|ext\.?)\s*\d+)?$", re.IGNORECASE)
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_TRUE = ("1", "true")
_FALSE = ("0", "false")


class ValueProblem(ValueError):
    """A value a field refuses; ``code`` becomes the record's ``ValidationResult``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_email(text: str) -> bool:
    """Email syntax as DI checks it on merge (no DNS look-up)."""
    if len(text) > 254:
        return False
    if text.isascii():
        return _ASCII_EMAIL.match(text) is not None
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def parse_boolean(raw: Any, name: str) -> int | None:
    """``"1"``/``"0"``, ``1``/``0``, ``true``/``false`` → 1/0; ``null``/``""`` → ``None``."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, int) and raw in (0, 1):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE + _FALSE:
        return 1 if raw.strip().lower() in _TRUE else 0
    raise ValueProblem("InvalidBoolean", f'{name}: {raw!r} is not a boolean (send "1" or "0")')


def _parse_moment(raw: Any, name: str, *, with_time: bool) -> str:
    kind = "DateTime" if with_time else "Date"
    if isinstance(raw, str):
        for fmt in _DATETIME_FORMATS if with_time else _DATE_FORMATS:
            try:
                moment = datetime.strptime(raw.strip(), fmt)
            except ValueError:
                continue
            if moment.year < _MIN_YEAR:
                break
            return moment.strftime("%Y-%m-%d %H:%M:%S" if with_time else "%Y-%m-%d")
    raise ValueProblem(
        f"Invalid{kind}",
        f"{name}: {raw!r} is not a valid {kind.lower()} "
        f"(use YYYY.MM.DD{' HH:MM:SS' if with_time else ''}, year {_MIN_YEAR} or later)",
    )


def _parse_integer(raw: Any, name: str) -> int:
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and _INTEGER.match(raw.strip()):
        value = int(raw.strip())
    if value is None or not -_INT32 <= value < _INT32:
        raise ValueProblem("InvalidInteger", f"{name}: {raw!r} is not an integer")
    return value


def _parse_decimal(raw: Any, name: str) -> float:
    value: float | None = None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str) and _DECIMAL.match(raw.strip()):
        value = float(raw.strip())
    if value is None or not math.isfinite(value):
        raise ValueProblem("InvalidDecimal", f"{name}: {raw!r} is not a decimal number")
    return value


def _parse_text(spec: FieldSpec, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise ValueProblem("InvalidText", f"{spec.name}: {raw!r} is not text")
    text = raw if isinstance(raw, str) else str(raw)
    if spec.length is not None and len(text) > spec.length:
        raise ValueProblem(
            "TooLong", f"{spec.name}: {len(text)} characters, the field holds {spec.length}"
        )
    if spec.data_type == "Email" and not is_email(text):
        raise ValueProblem("InvalidEmail", f"{spec.name}: {text!r} is not a valid email address")
    if spec.data_type == "Phone" and not _PHONE.match(text):
        raise ValueProblem("InvalidPhone", f"{spec.name}: {text!r} is not a phone number")
    return text


def parse_value(spec: FieldSpec, raw: Any) -> Any:
    """Validate ``raw`` for ``spec`` and return its storage form (``None`` clears the field).

    Raises:
        ValueProblem: the value does not fit the field's type or length.
    """
    if raw is None or raw == "":
        return None
    kind = spec.data_type
    if kind == "Integer":
        return _parse_integer(raw, spec.name)
    if kind == "Decimal":
        return _parse_decimal(raw, spec.name)
    if kind == "Boolean":
        return parse_boolean(raw, spec.name)
    if kind in ("Date", "DateTime"):
        return _parse_moment(raw, spec.name, with_time=kind == "DateTime")
    return _parse_text(spec, raw)


def key_form(spec: FieldSpec, value: Any) -> str:
    """The form a key value is compared in: emails without case, others as stored."""
    text = str(value)
    return text.lower() if spec.data_type == "Email" else text


def output_value(spec: FieldSpec, value: Any) -> Any:
    """The wire form of a stored value."""
    if value is None:
        return None
    if spec.data_type == "Boolean":
        return bool(value)
    if spec.data_type in ("Date", "DateTime"):
        return str(value).replace("-", ".")
    return value

"""Salesforce record ids: 15-character case-sensitive ids and their 18-character case-safe form.

An id is the object's 3-character key prefix, a 2-character instance part, a reserved ``0`` and
a 9-character base-62 sequence number; the 18-character form appends a 3-character suffix that
encodes which of the first 15 characters are upper case, five at a time.
"""

from __future__ import annotations

import re

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SHAPE = re.compile(r"[A-Za-z0-9]{15}(?:[A-Z0-5]{3})?")
INSTANCE = "5g"


def case_suffix(id15: str) -> str:
    """The 3-character case-safe suffix of a 15-character id."""
    out = []
    for start in (0, 5, 10):
        bits = 0
        for position, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        out.append(_SUFFIX_ALPHABET[bits])
    return "".join(out)


def to_18(value: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or ``None`` when it is malformed.

    An 18-character id whose suffix does not match its first 15 characters is malformed.
    """
    if not isinstance(value, str) or not _SHAPE.fullmatch(value):
        return None
    head = value[:15]
    suffix = case_suffix(head)
    if len(value) == 18 and value[15:].upper() != suffix:
        return None
    return head + suffix


def make_id(prefix: str, number: int) -> str:
    """The 18-character id number ``number`` of the object with key ``prefix``."""
    digits = []
    for _ in range(9):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    head = f"{prefix}{INSTANCE}0{''.join(reversed(digits))}"
    return head + case_suffix(head)

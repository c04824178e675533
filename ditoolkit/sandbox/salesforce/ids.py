"""Salesforce record ids: 15-character case-sensitive ids and their 18-character case-safe form.

An id is the object's 3-character key prefix, a 2-character instance part, a reserved ``0`` and
a 9-character base-62 sequence number; the 18-character form appends a 3-character suffix that
encodes which of the first 15 characters are upper case, five at a time.
"""

from __future__ import annotations

import re
from functools import cache

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


def make_ids(prefix: str, first: int, count: int) -> list[str]:
    """Ids number ``first`` to ``first + count - 1`` of ``prefix`` (fast path of :func:`make_id`).

    Numbers sharing all but their last base-62 digit form a block: its ids are one common head
    plus one of 62 precomputed tails (last digit and the three suffix characters).
    """
    pairs, pair_bits = _pairs()
    head_char = case_suffix(f"{prefix}{INSTANCE}0" + "0" * 9)[0]
    out: list[str] = []
    number, end = first, first + count
    middle_number, middle, tails_by_bits = -1, "", [[""]]
    while number < end:
        high, low = divmod(number, 916132832)  # 62 ** 5
        if high != middle_number:
            middle_number, middle = high, "0" + _base62(high, 4)
            tails_by_bits = _tails(head_char + _SUFFIX_ALPHABET[_bits(middle)])
        a, rest = divmod(low, 238328)  # 62 ** 3
        b, c = divmod(rest, 62)
        stop = min(62, c + end - number)
        head = f"{prefix}{INSTANCE}{middle}{pairs[a]}{pairs[b]}"
        tails = tails_by_bits[pair_bits[a] | pair_bits[b] << 2]
        out.extend([head + tail for tail in tails[c:stop]])
        number += stop - c
    return out


def _tails(suffix_head: str) -> list[list[str]]:
    """Per upper-case bits of the 4th and 5th last digits, the 62 tails of a block."""
    return [
        [_BASE62[c] + suffix_head + _SUFFIX_ALPHABET[bits | (10 <= c < 36) << 4] for c in range(62)]
        for bits in range(16)
    ]


@cache
def _pairs() -> tuple[list[str], list[int]]:
    pairs = [x + y for x in _BASE62 for y in _BASE62]
    return pairs, [_bits(p) for p in pairs]


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return "".join(reversed(digits))


def _bits(chunk: str) -> int:
    return sum(1 << i for i, c in enumerate(chunk) if "A" <= c <= "Z")

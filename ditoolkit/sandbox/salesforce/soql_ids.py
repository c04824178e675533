"""Salesforce record ids in SOQL filters: 15-character ids match their 18-character form."""

from __future__ import annotations

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def normalize_id(text: str) -> str:
    """The 18-character form of a record id (an empty string stays empty).

    Raises:
        ValueError: ``text`` is not a 15- or 18-character alphanumeric id.
    """
    if text == "":
        return text
    if not (text.isascii() and text.isalnum() and len(text) in (15, 18)):
        raise ValueError(f"invalid ID field: {text}")
    if len(text) == 18:
        return text
    return text + id_suffix(text)


def id_suffix(id15: str) -> str:
    """The three checksum characters that make a 15-character id case-insensitive."""
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, char in enumerate(id15[start : start + 5]) if "A" <= char <= "Z")
        suffix += _SUFFIX_ALPHABET[bits]
    return suffix

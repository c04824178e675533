"""Fast paths of validation: a whole column of one field checked at once.

A column converter takes every value a batch sends for one field and returns their storage
values, exactly as the field's cell converter (:func:`.validation.converter`) would one by
one. It first tries checks that run over the whole column in C (one type check, the longest
length, one pattern over all values); when the column is not plainly valid it falls back to
the cell converter, value by value, so that every error is the one the cell converter raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ditoolkit.sandbox.salesforce.schema import FieldDef

Cell = Callable[[Any], Any]
Column = Callable[[Sequence[Any]], list[Any]]
Fast = Callable[[Sequence[Any]], list[Any] | None]

_STR = frozenset({str})
_STR_OR_NONE = frozenset({str, type(None)})
_BOOL = frozenset({bool})
_INT = frozenset({int})
_NUMBERS = frozenset({int, float})
_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class FieldConverter:
    """A field's converters: of one value (``cell``) and of a whole column (``column``).

    ``column`` raises the :class:`.validation.FieldProblem` of the first refused value.
    """

    cell: Cell
    column: Column


def field_converter(f: FieldDef, cell: Cell, *, email: re.Pattern[str]) -> FieldConverter:
    """The converters of ``f`` whose cell converter is ``cell``.

    Args:
        f: the field.
        cell: its converter of one value (the reference for every result and error).
        email: the pattern an email address must match in full.
    """
    fast = _fast(f, email=email)

    def column(values: Sequence[Any]) -> list[Any]:
        done = fast(values) if fast is not None else None
        return [cell(v) for v in values] if done is None else done

    return FieldConverter(cell, column)


def _fast(f: FieldDef, *, email: re.Pattern[str]) -> Fast | None:
    if f.type in ("id", "reference", "datetime"):
        return None
    if f.type == "boolean":
        return _booleans
    if f.type == "int":
        return _ints
    if f.type in ("double", "currency", "percent"):
        return _doubles
    if f.type == "date":
        return _dates
    return _texts(f, email=email)


def _types(values: Sequence[Any]) -> set[type]:
    return set(map(type, values))


def _booleans(values: Sequence[Any]) -> list[Any] | None:
    return list(map(int, values)) if _types(values) <= _BOOL else None


def _ints(values: Sequence[Any]) -> list[Any] | None:
    return list(values) if _types(values) <= _INT else None


def _doubles(values: Sequence[Any]) -> list[Any] | None:
    return list(map(float, values)) if _types(values) <= _NUMBERS else None


def _dates(values: Sequence[Any]) -> list[Any] | None:
    """Plain ``YYYY-MM-DD`` strings are their own storage value once they name a real day."""
    if not _types(values) <= _STR or set(map(len, values)) - {10}:
        return None
    if not all(map(str.isascii, values)) or not all(map(_DATE_SHAPE.fullmatch, values)):
        return None
    try:
        for _ in map(date.fromisoformat, values):
            pass
    except ValueError:
        return None
    return list(values)


def _texts(f: FieldDef, *, email: re.Pattern[str]) -> Fast:
    limit = f.length
    restricted = frozenset(f.picklist_values) if f.restricted_picklist else None
    is_email = f.type == "email"

    def fast(values: Sequence[Any]) -> list[Any] | None:
        if not _types(values) <= _STR_OR_NONE:
            return None
        present = list(filter(None, values))
        if present and max(map(len, present)) > limit:
            return None
        if is_email and not all(map(email.fullmatch, present)):
            return None
        if restricted is not None and not restricted.issuperset(present):
            return None
        if len(present) == len(values):
            return list(values)
        return [v or None for v in values]

    return fast

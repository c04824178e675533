"""Filters (``where``) as OFC4 clauses, and whole-table reads paged by key (§4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ditoolkit.errors import ConfigError, RejectedError
from ditoolkit.port import FieldType, TableSchema
from ditoolkit.systems.dialoginsight.values import to_wire

Json = dict[str, Any]
Fetch = Callable[[Any, int], list[Json]]

#: The ``TypeOperator`` values the client sends (§4 "reading a whole table").
OPERATORS = {
    "equal": "Equal",
    "=": "Equal",
    "==": "Equal",
    "notequal": "NotEqual",
    "!=": "NotEqual",
    "greaterthan": "GreaterThan",
    ">": "GreaterThan",
    "lessthan": "LessThan",
    "<": "LessThan",
    "isnull": "IsNull",
    "isnotnull": "IsNotNull",
    "in": "In",
}
_NO_VALUE = {"IsNull", "IsNotNull"}


def field_clause(name: str, operator: str, value: Any = None) -> Json:
    """One ``FieldClause``."""
    clause: Json = {"$type": "FieldClause", "Field": {"Name": name}, "TypeOperator": operator}
    if operator not in _NO_VALUE:
        clause["ComparisonValue"] = value
    return clause


def build_clauses(where: Any, schema: TableSchema) -> list[Json]:
    """``where`` as a list of clauses (combined with AND).

    ``where`` may be ``None``; a mapping ``{field: value}`` (a list value means ``In``, ``None``
    means ``IsNull``); a sequence of ``(field, operator[, value])`` tuples; or clause dicts
    (``{"$type": "FieldClause", ...}``) passed through unchanged.

    Raises:
        ConfigError: an unknown field or operator, or a ``where`` of another shape.
    """
    if where is None:
        return []
    if isinstance(where, Mapping) and "$type" in where:
        return [dict(where)]
    if isinstance(where, Mapping):
        items = [_from_pair(name, value) for name, value in where.items()]
        return [_clause(schema, *item) for item in items]
    if isinstance(where, Sequence) and not isinstance(where, str):
        out = []
        for item in where:
            if isinstance(item, Mapping):
                out.append(dict(item))
            elif isinstance(item, Sequence) and not isinstance(item, str) and 2 <= len(item) <= 3:
                out.append(_clause(schema, item[0], item[1], item[2] if len(item) > 2 else None))
            else:
                raise _bad_where(schema, item)
        return out
    raise _bad_where(schema, where)


def _from_pair(name: str, value: Any) -> tuple[str, str, Any]:
    if value is None:
        return name, "IsNull", None
    if isinstance(value, list | tuple | set | frozenset):
        return name, "In", list(value)
    return name, "Equal", value


def _clause(schema: TableSchema, name: Any, operator: Any, value: Any) -> Json:
    spec = schema.get(str(name))
    if spec is None:
        raise ConfigError(
            f"Dialog Insight table {schema.name!r} has no field {name!r} to filter on",
            hint=f"filter on one of {schema.names}",
        )
    op = OPERATORS.get(str(operator).replace(" ", "").lower())
    if op is None:
        raise ConfigError(
            f"unknown operator {operator!r} in the filter on {schema.name}.{spec.name}",
            hint=f"use one of {sorted(set(OPERATORS.values()))}",
        )
    kind = FieldType.STRING if spec.type is FieldType.BOOLEAN else spec.type
    if spec.type is FieldType.BOOLEAN:
        value = _bool_filter(value)
    elif op == "In":
        value = [to_wire(v, kind) for v in value]
    elif op not in _NO_VALUE:
        value = to_wire(value, kind)
    return field_clause(spec.name, op, value)


def _bool_filter(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_bool_filter(v) for v in value]
    return to_wire(value, FieldType.BOOLEAN)


def _bad_where(schema: TableSchema, where: Any) -> ConfigError:
    return ConfigError(
        f"cannot read {where!r} as a filter on Dialog Insight table {schema.name!r}",
        hint='write where={"f_EMail": "a@b.c"} or where=[("idContact", ">", 100)]',
    )


def as_clause(clauses: list[Json], *, single_as_object: bool) -> Any:
    """The ``Clause`` value: ``None``, one clause object, or an array (AND)."""
    if not clauses:
        return None
    if len(clauses) == 1 and single_as_object:
        return clauses[0]
    return clauses


def paged(
    fetch: Fetch,
    *,
    clauses: list[Json],
    key: str,
    page_size: int,
    single_as_object: bool,
) -> Iterator[list[Json]]:
    """Pages of a whole read: ``key GreaterThan`` the last key seen, ``page_size`` rows each.

    A page shorter than ``page_size`` ends the read (the service fills pages up to MaxRows).

    Raises:
        RejectedError: a page does not move past the previous one (the service ignored the
            paging clause), which would otherwise loop forever.
    """
    last: Any = None
    while True:
        page_clauses = (
            clauses if last is None else [*clauses, field_clause(key, "GreaterThan", last)]
        )
        records = fetch(as_clause(page_clauses, single_as_object=single_as_object), page_size)
        yield records
        if len(records) < page_size or not records:
            return
        new_last = records[-1].get(key)
        if new_last is None or new_last == last:
            raise RejectedError(
                f"paging {key} GreaterThan {last!r} returned no later rows",
                system="dialoginsight",
                code="PagingStalled",
                hint="the service may not honour GreaterThan paging; set page_size to its cap",
            )
        last = new_last

"""WHERE conditions to SQLite, with the literal type checks Salesforce makes.

Every literal travels as a bound parameter. SOQL differs from SQL in ways kept here: text
comparisons ignore case, ``!=`` and ``NOT IN`` also match nulls, and a relative date literal
stands for a range of days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from ditoolkit.sandbox.salesforce.soql_dates import (
    date_range,
    date_text,
    datetime_text,
    day_start_text,
    parse_date,
    parse_datetime,
)
from ditoolkit.sandbox.salesforce.soql_ids import normalize_id
from ditoolkit.sandbox.salesforce.soql_lexer import query_error, unexpected
from ditoolkit.sandbox.salesforce.soql_model import (
    ID_TYPES,
    NUMBER_TYPES,
    STRING_TYPES,
    SoqlError,
    SoqlField,
)
from ditoolkit.sandbox.salesforce.soql_parser import (
    Comparison,
    Condition,
    Junction,
    Literal,
    Negation,
    Path,
)

_TYPE_LABELS = {"int": "integer", "datetime": "dateTime", "reference": "id"}
_RANGE_TESTS = {
    "=": "({c} >= ? AND {c} < ?)",
    "!=": "({c} IS NULL OR {c} < ? OR {c} >= ?)",
    "<": "{c} < ?",
    "<=": "{c} < ?",
    ">": "{c} >= ?",
    ">=": "{c} >= ?",
}


@dataclass
class FilterContext:
    """What translating a condition needs from the compiler.

    Attributes:
        soql: the query text, for positioned errors.
        now: the instant relative date literals are computed from.
        params: the statement's parameters; translated literals are appended.
        resolve: maps a path to its SQL column expression and its field.
    """

    soql: str
    now: datetime
    params: list[object]
    resolve: Callable[[Path], tuple[str, SoqlField]]


def compile_condition(condition: Condition, ctx: FilterContext) -> str:
    """SQL for ``condition``; its literals are appended to ``ctx.params`` in order."""
    if isinstance(condition, Junction):
        parts = [compile_condition(item, ctx) for item in condition.items]
        return "(" + f" {condition.op} ".join(parts) + ")"
    if isinstance(condition, Negation):
        # SQL's NOT of an unknown is unknown; in SOQL a failed test on a null is simply false.
        return f"(NOT IFNULL({compile_condition(condition.item, ctx)}, 0))"
    return _comparison(condition, ctx)


def _comparison(comparison: Comparison, ctx: FilterContext) -> str:
    column, field = ctx.resolve(comparison.path)
    if field.type not in STRING_TYPES | ID_TYPES | NUMBER_TYPES | {"boolean", "date", "datetime"}:
        reason = f"field '{field.name}' can not be filtered in query call"
        raise query_error("INVALID_FIELD", ctx.soql, comparison.path.pos, reason)
    if field.type in STRING_TYPES:
        column = f"{column} COLLATE NOCASE"
    op = "!=" if comparison.op == "<>" else comparison.op
    if op == "LIKE":
        return _like(comparison, column, field, ctx)
    if op in ("IN", "NOTIN"):
        return _membership(comparison, column, field, ctx)
    literal = comparison.values[0]
    _check_operator(op, field, comparison, ctx)
    if literal.kind == "null":
        if op not in ("=", "!="):
            raise unexpected(ctx.soql, literal.token)
        return f"{column} IS {'NOT ' if op == '!=' else ''}NULL"
    if literal.kind == "range":
        return _range_test(op, column, field, literal, ctx)
    ctx.params.append(_value(literal, field, ctx))
    if op == "!=":
        return f"({column} IS NULL OR {column} <> ?)"
    return f"{column} {op} ?"


def _check_operator(op: str, field: SoqlField, comparison: Comparison, ctx: FilterContext) -> None:
    allowed = field.type != "boolean" or op in ("=", "!=", "IN", "NOTIN")
    if op == "LIKE":
        allowed = field.type in STRING_TYPES
    if not allowed:
        reason = f"invalid operator on {_label(field)} field"
        raise query_error("INVALID_QUERY_FILTER_OPERATOR", ctx.soql, comparison.path.pos, reason)


def _like(comparison: Comparison, column: str, field: SoqlField, ctx: FilterContext) -> str:
    _check_operator("LIKE", field, comparison, ctx)
    ctx.params.append(comparison.values[0].token.like)
    return f"{column} LIKE ? ESCAPE '\\'"


def _membership(comparison: Comparison, column: str, field: SoqlField, ctx: FilterContext) -> str:
    _check_operator(comparison.op, field, comparison, ctx)
    tests: list[str] = []
    values: list[object] = []
    for literal in comparison.values:
        if literal.kind == "null":
            tests.append(f"{column} IS NULL")
        elif literal.kind == "range":
            tests.append(_range_test("=", column, field, literal, ctx))
        else:
            values.append(_value(literal, field, ctx))
    if values:
        ctx.params.extend(values)
        tests.append(f"{column} IN ({', '.join('?' * len(values))})")
    either = "(" + " OR ".join(tests) + ")"
    if comparison.op == "IN":
        return either
    return f"(NOT IFNULL({either}, 0))"


def _range_test(
    op: str, column: str, field: SoqlField, literal: Literal, ctx: FilterContext
) -> str:
    if field.type not in ("date", "datetime"):
        raise _type_error(field, literal, ctx)
    name, count = cast(tuple[str, int | None], literal.value)
    start, end = date_range(name, count, now=ctx.now)
    text = date_text if field.type == "date" else day_start_text
    if op in ("=", "!="):
        ctx.params.extend([text(start), text(end)])
    else:
        ctx.params.append(text(end) if op in ("<=", ">") else text(start))
    return _RANGE_TESTS[op].format(c=column)


def _value(literal: Literal, field: SoqlField, ctx: FilterContext) -> object:
    """The literal as stored for ``field``, or the error Salesforce gives for the mismatch."""
    kind, kind_ok = literal.kind, False
    if field.type in STRING_TYPES | ID_TYPES:
        kind_ok = kind == "string"
    elif field.type == "boolean":
        kind_ok = kind == "boolean"
    elif field.type in NUMBER_TYPES:
        kind_ok = kind == "number"
    elif field.type in ("date", "datetime"):
        kind_ok = kind == field.type
    if not kind_ok:
        raise _type_error(field, literal, ctx)
    if field.type in ID_TYPES:
        try:
            return normalize_id(str(literal.value))
        except ValueError as exc:
            code = "INVALID_QUERY_FILTER_OPERATOR"
            raise query_error(code, ctx.soql, literal.token.pos, str(exc)) from None
    try:
        return _convert(literal, field)
    except ValueError as exc:
        raise query_error("MALFORMED_QUERY", ctx.soql, literal.token.pos, str(exc)) from None


def _convert(literal: Literal, field: SoqlField) -> object:
    if field.type == "boolean":
        return 1 if literal.value else 0
    if field.type == "date":
        try:
            return date_text(parse_date(literal.token.text))
        except ValueError:
            raise ValueError(f"invalid date: {literal.token.text}") from None
    if field.type == "datetime":
        try:
            return datetime_text(parse_datetime(literal.token.text))
        except ValueError:
            raise ValueError(f"invalid dateTime: {literal.token.text}") from None
    return literal.value


def _label(field: SoqlField) -> str:
    if field.type in STRING_TYPES:
        return "string"
    return _TYPE_LABELS.get(field.type, field.type)


def _type_error(field: SoqlField, literal: Literal, ctx: FilterContext) -> SoqlError:
    quoted = field.type in STRING_TYPES | ID_TYPES
    reason = (
        f"value of filter criterion for field '{field.name}' must be of type {_label(field)} "
        f"and should {'' if quoted else 'not '}be enclosed in quotes"
    )
    return query_error("INVALID_FIELD", ctx.soql, literal.token.pos, reason)

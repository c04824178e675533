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
FILTERABLE_TYPES = STRING_TYPES | ID_TYPES | NUMBER_TYPES | {"boolean", "date", "datetime"}
_LITERAL_KIND = {
    **dict.fromkeys(STRING_TYPES | ID_TYPES, "string"),
    **dict.fromkeys(NUMBER_TYPES, "number"),
}
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
    return _Test(condition, ctx).sql()


class _Test:
    """One comparison, its resolved column and field, and the context it adds parameters to."""

    def __init__(self, comparison: Comparison, ctx: FilterContext) -> None:
        self.comparison, self.ctx = comparison, ctx
        self.column, self.field = ctx.resolve(comparison.path)
        self.op = "!=" if comparison.op == "<>" else comparison.op

    def error(self, code: str, reason: str, *, at: int | None = None) -> SoqlError:
        pos = self.comparison.path.pos if at is None else at
        return query_error(code, self.ctx.soql, pos=pos, reason=reason)

    def sql(self) -> str:
        if self.field.type not in FILTERABLE_TYPES:
            reason = f"field '{self.field.name}' can not be filtered in query call"
            raise self.error("INVALID_FIELD", reason)
        self.check_operator()
        if self.field.type in STRING_TYPES:
            self.column = f"{self.column} COLLATE NOCASE"
        if self.op == "LIKE":
            self.ctx.params.append(self.comparison.values[0].token.like)
            return f"{self.column} LIKE ? ESCAPE '\\'"
        if self.op in ("IN", "NOTIN"):
            return self.membership()
        return self.single(self.comparison.values[0])

    def check_operator(self) -> None:
        allowed = self.field.type != "boolean" or self.op in ("=", "!=", "IN", "NOTIN")
        if self.op == "LIKE":
            allowed = self.field.type in STRING_TYPES
        if not allowed:
            reason = f"invalid operator on {_label(self.field)} field"
            raise self.error("INVALID_QUERY_FILTER_OPERATOR", reason)

    def single(self, literal: Literal) -> str:
        column, op = self.column, self.op
        if self.is_null(literal):
            if op not in ("=", "!="):
                raise unexpected(self.ctx.soql, literal.token)
            return f"{column} IS {'NOT ' if op == '!=' else ''}NULL"
        if literal.kind == "range":
            return self.range_test(literal, op=op)
        self.ctx.params.append(self.value(literal))
        if op == "!=":
            return f"({column} IS NULL OR {column} <> ?)"
        return f"{column} {op} ?"

    def is_null(self, literal: Literal) -> bool:
        """Null, or a blank string for a text field: Salesforce stores blank text as null."""
        if literal.kind == "null":
            return True
        return literal.kind == "string" and literal.value == "" and self.field.type in STRING_TYPES

    def membership(self) -> str:
        tests: list[str] = []
        values: list[object] = []
        for literal in self.comparison.values:
            if self.is_null(literal):
                tests.append(f"{self.column} IS NULL")
            elif literal.kind == "range":
                tests.append(self.range_test(literal, op="="))
            else:
                values.append(self.value(literal))
        if values:
            self.ctx.params.extend(values)
            tests.append(f"{self.column} IN ({', '.join('?' * len(values))})")
        either = "(" + " OR ".join(tests) + ")"
        return either if self.op == "IN" else f"(NOT IFNULL({either}, 0))"

    def range_test(self, literal: Literal, *, op: str) -> str:
        if self.field.type not in ("date", "datetime"):
            raise self.type_error(literal)
        name, count = cast(tuple[str, int | None], literal.value)
        start, end = date_range(name, count, now=self.ctx.now)
        text = date_text if self.field.type == "date" else day_start_text
        if op in ("=", "!="):
            self.ctx.params.extend([text(start), text(end)])
        else:
            self.ctx.params.append(text(end) if op in ("<=", ">") else text(start))
        return _RANGE_TESTS[op].format(c=self.column)

    def value(self, literal: Literal) -> object:
        """The literal as stored for the field, or the error Salesforce gives for a mismatch."""
        if literal.kind != _LITERAL_KIND.get(self.field.type, self.field.type):
            raise self.type_error(literal)
        if self.field.type in ID_TYPES:
            try:
                return normalize_id(str(literal.value))
            except ValueError as exc:
                code = "INVALID_QUERY_FILTER_OPERATOR"
                raise self.error(code, str(exc), at=literal.token.pos) from None
        try:
            return _convert(literal, self.field)
        except ValueError as exc:
            raise self.error("MALFORMED_QUERY", str(exc), at=literal.token.pos) from None

    def type_error(self, literal: Literal) -> SoqlError:
        quoted = self.field.type in STRING_TYPES | ID_TYPES
        reason = (
            f"value of filter criterion for field '{self.field.name}' must be of type "
            f"{_label(self.field)} and should {'' if quoted else 'not '}be enclosed in quotes"
        )
        return self.error("INVALID_FIELD", reason, at=literal.token.pos)


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

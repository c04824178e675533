"""Recursive-descent parser for the SOQL subset the sandbox serves.

Grammar (keywords case-insensitive; anything else is ``MALFORMED_QUERY`` at its position)::

    query     := SELECT items FROM name [alias] [WHERE or_expr] [ORDER BY order {, order}]
                 [LIMIT int] [OFFSET int] EOF
    items     := COUNT() | COUNT(path) [alias] | item {, item}
    item      := path | FIELDS(ALL|STANDARD|CUSTOM)
    or_expr   := unary {AND unary} | unary {OR unary}      -- mixing needs parentheses
    unary     := NOT unary | ( or_expr ) | path op value | path [NOT] IN ( value {, value} )
                 | path LIKE string
    order     := path [ASC|DESC] [NULLS FIRST|LAST]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ditoolkit.sandbox.salesforce.soql_dates import FIXED_DATE_LITERALS, N_DATE_LITERALS
from ditoolkit.sandbox.salesforce.soql_lexer import Token, query_error, tokenize, unexpected

_RESERVED_WORDS = """
AND ASC DESC EXCLUDES FIRST FROM GROUP HAVING IN INCLUDES LAST LIKE LIMIT NOT NULL NULLS OR
SELECT WHERE WITH ORDER BY OFFSET FOR UPDATE USING TRUE FALSE TYPEOF
"""
RESERVED = frozenset(_RESERVED_WORDS.split())
MAX_OFFSET = 2000


@dataclass(frozen=True)
class Path:
    """A field path as written (``Account.Owner.Name``) and where it starts."""

    parts: tuple[str, ...]
    pos: int


@dataclass(frozen=True)
class FieldSet:
    """``FIELDS(ALL|STANDARD|CUSTOM)`` in a select list."""

    kind: str
    pos: int


@dataclass(frozen=True)
class Literal:
    """A value: kind is string, number, date, datetime, range, null or boolean."""

    kind: str
    token: Token
    value: object = None


@dataclass(frozen=True)
class Comparison:
    """``path op value``; op is one of ``= != < <= > >= LIKE IN NOTIN``."""

    path: Path
    op: str
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class Junction:
    """``AND`` / ``OR`` of two or more conditions."""

    op: str
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Negation:
    """``NOT condition``."""

    item: Condition


Condition = Comparison | Junction | Negation


@dataclass(frozen=True)
class Ordering:
    """One ``ORDER BY`` key with its resolved null placement."""

    path: Path
    descending: bool
    nulls_first: bool


@dataclass
class Query:
    """A parsed query; ``count`` is ``"rows"`` for COUNT(), ``"field"`` for COUNT(path)."""

    fields: list[Path | FieldSet]
    object_name: str
    object_pos: int
    alias: str | None = None
    count: str | None = None
    count_alias: str | None = None
    where: Condition | None = None
    order_by: list[Ordering] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None


def parse(soql: str) -> Query:
    """Parse ``soql`` into a :class:`Query`.

    Raises:
        SoqlError: ``MALFORMED_QUERY`` or ``NUMBER_OUTSIDE_VALID_RANGE``, positioned.
    """
    return _Parser(soql).query()


class _Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.tokens = tokenize(soql)
        self.index = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "eof":
            self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.token.kind == "ident" and self.token.upper in words

    def expect_keyword(self, word: str) -> Token:
        if not self.at_keyword(word):
            raise unexpected(self.soql, self.token)
        return self.advance()

    def expect(self, kind: str) -> Token:
        if self.token.kind != kind:
            raise unexpected(self.soql, self.token)
        return self.advance()

    def query(self) -> Query:
        self.expect_keyword("SELECT")
        query = Query(fields=[], object_name="", object_pos=0)
        self.select_items(query)
        self.expect_keyword("FROM")
        name = self.name()
        query.object_name, query.object_pos = name.text, name.pos
        if self.token.kind == "ident" and self.token.upper not in RESERVED:
            query.alias = self.advance().text
        if self.at_keyword("WHERE"):
            self.advance()
            query.where = self.or_expr()
        if self.at_keyword("ORDER"):
            self.advance()
            self.expect_keyword("BY")
            query.order_by = self.orderings()
        if self.at_keyword("LIMIT"):
            self.advance()
            query.limit = self.integer()
        if self.at_keyword("OFFSET"):
            self.advance()
            query.offset = self.offset()
        self.expect("eof")
        return query

    def name(self) -> Token:
        if self.token.kind != "ident" or self.token.upper in RESERVED:
            raise unexpected(self.soql, self.token)
        return self.advance()

    def path(self) -> Path:
        first = self.name()
        parts = [first.text]
        while self.token.kind == "dot":
            self.advance()
            parts.append(self.name().text)
        if self.token.kind == "lparen":
            raise unexpected(self.soql, self.token)
        return Path(tuple(parts), first.pos)

    def select_items(self, query: Query) -> None:
        if self.at_keyword("COUNT") and self.tokens[self.index + 1].kind == "lparen":
            self.advance()
            self.advance()
            if self.token.kind == "rparen":
                query.count = "rows"
            else:
                query.count = "field"
                query.fields.append(self.path())
            self.expect("rparen")
            alias = self.token.kind == "ident" and self.token.upper not in RESERVED
            if query.count == "field" and alias:
                query.count_alias = self.advance().text
            return
        query.fields.append(self.select_item())
        while self.token.kind == "comma":
            self.advance()
            query.fields.append(self.select_item())

    def select_item(self) -> Path | FieldSet:
        if not (self.at_keyword("FIELDS") and self.tokens[self.index + 1].kind == "lparen"):
            return self.path()
        start = self.advance()
        self.advance()
        if not self.at_keyword("ALL", "STANDARD", "CUSTOM"):
            raise unexpected(self.soql, self.token)
        kind = self.advance().upper
        self.expect("rparen")
        return FieldSet(kind, start.pos)

    def or_expr(self) -> Condition:
        items = [self.unary()]
        joiner: str | None = None
        while self.at_keyword("AND", "OR"):
            if joiner is not None and self.token.upper != joiner:
                raise unexpected(self.soql, self.token)
            joiner = self.advance().upper
            items.append(self.unary())
        if joiner is None:
            return items[0]
        return Junction(joiner, tuple(items))

    def unary(self) -> Condition:
        if self.at_keyword("NOT"):
            self.advance()
            return Negation(self.unary())
        if self.token.kind == "lparen":
            self.advance()
            inner = self.or_expr()
            self.expect("rparen")
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        path = self.path()
        if self.token.kind == "op":
            return Comparison(path, self.advance().text, (self.value(),))
        if self.at_keyword("LIKE"):
            self.advance()
            if self.token.kind != "string":
                raise unexpected(self.soql, self.token)
            return Comparison(path, "LIKE", (self.value(),))
        op = "IN"
        if self.at_keyword("NOT"):
            self.advance()
            op = "NOTIN"
        self.expect_keyword("IN")
        return Comparison(path, op, self.value_list())

    def value_list(self) -> tuple[Literal, ...]:
        self.expect("lparen")
        values = [self.value()]
        while self.token.kind == "comma":
            self.advance()
            values.append(self.value())
        self.expect("rparen")
        return tuple(values)

    def value(self) -> Literal:
        token = self.token
        if token.kind in ("string", "date", "datetime"):
            return Literal(token.kind, self.advance(), token.value)
        if token.kind == "number":
            number = float(token.text) if "." in token.text else int(token.text)
            return Literal("number", self.advance(), number)
        if token.kind == "date_n":
            name, _, count = token.text.partition(":")
            if name.upper() not in N_DATE_LITERALS:
                raise unexpected(self.soql, token)
            return Literal("range", self.advance(), (name.upper(), int(count)))
        if token.kind == "ident":
            return self.keyword_value(token)
        raise unexpected(self.soql, token)

    def keyword_value(self, token: Token) -> Literal:
        upper = token.upper
        if upper == "NULL":
            return Literal("null", self.advance(), None)
        if upper in ("TRUE", "FALSE"):
            return Literal("boolean", self.advance(), upper == "TRUE")
        if upper in FIXED_DATE_LITERALS:
            return Literal("range", self.advance(), (upper, None))
        if upper in N_DATE_LITERALS:
            reason = f"Invalid date literal '{token.text}': it needs a number, e.g. {upper}:7"
            raise query_error("MALFORMED_QUERY", self.soql, pos=token.pos, reason=reason)
        raise unexpected(self.soql, token)

    def orderings(self) -> list[Ordering]:
        keys = [self.ordering()]
        while self.token.kind == "comma":
            self.advance()
            keys.append(self.ordering())
        return keys

    def ordering(self) -> Ordering:
        path = self.path()
        descending = False
        if self.at_keyword("ASC", "DESC"):
            descending = self.advance().upper == "DESC"
        nulls_first = not descending
        if self.at_keyword("NULLS"):
            self.advance()
            if not self.at_keyword("FIRST", "LAST"):
                raise unexpected(self.soql, self.token)
            nulls_first = self.advance().upper == "FIRST"
        return Ordering(path, descending, nulls_first)

    def integer(self) -> int:
        token = self.token
        if token.kind != "number" or not token.text.isdigit():
            raise unexpected(self.soql, token)
        self.advance()
        return int(token.text)

    def offset(self) -> int:
        token = self.token
        value = self.integer()
        if value > MAX_OFFSET:
            reason = f"Maximum SOQL offset allowed is {MAX_OFFSET}"
            raise query_error("NUMBER_OUTSIDE_VALID_RANGE", self.soql, pos=token.pos, reason=reason)
        return value

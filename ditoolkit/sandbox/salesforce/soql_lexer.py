"""SOQL tokenizer, and the caret-style error messages Salesforce gives for a query position.

Salesforce words a query error as the query line, a caret under the offending column, then
``ERROR at Row:r:Column:c`` and the reason, each on its own line, starting with a newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ditoolkit.sandbox.salesforce.soql_model import SoqlError

_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})(?![\w.:+-])"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w.:+-])")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?![\w.:-])")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATE_N = re.compile(r"[A-Za-z_][A-Za-z0-9_]*:\d+(?![\w.])")
_OPERATORS = ("<=", ">=", "!=", "<>", "=", "<", ">")
_PUNCTUATION = {"(": "lparen", ")": "rparen", ",": "comma", ".": "dot"}


@dataclass(frozen=True)
class Token:
    """One lexical token.

    Attributes:
        kind: ``ident``, ``date_n`` (``LAST_N_DAYS:5``), ``string``, ``number``, ``date``,
            ``datetime``, ``op``, ``lparen``, ``rparen``, ``comma``, ``dot`` or ``eof``.
        text: the token as written in the query.
        pos: offset of its first character in the query.
        value: decoded string value (strings only; for other kinds, the text).
        like: the string as an SQLite LIKE pattern escaped with backslash (strings only).
    """

    kind: str
    text: str
    pos: int
    value: str = ""
    like: str = ""

    @property
    def upper(self) -> str:
        """The text in upper case, for keyword tests."""
        return self.text.upper()


def query_error(code: str, soql: str, *, pos: int, reason: str) -> SoqlError:
    """A :class:`SoqlError` pointing at offset ``pos`` of ``soql``, worded as Salesforce does."""
    row = soql.count("\n", 0, pos) + 1
    line_start = soql.rfind("\n", 0, pos) + 1
    line_end = soql.find("\n", pos)
    line = soql[line_start : line_end if line_end >= 0 else len(soql)]
    column = pos - line_start + 1
    caret = " " * (column - 1) + "^"
    message = f"\n{line}\n{caret}\nERROR at Row:{row}:Column:{column}\n{reason}"
    return SoqlError(code, message)


def unexpected(soql: str, token: Token) -> SoqlError:
    """``MALFORMED_QUERY`` for a token the grammar does not allow where it stands."""
    shown = "<EOF>" if token.kind == "eof" else f"'{token.text}'"
    return query_error("MALFORMED_QUERY", soql, pos=token.pos, reason=f"unexpected token: {shown}")


def tokenize(soql: str) -> list[Token]:
    """Split ``soql`` into tokens, ending with an ``eof`` token.

    Raises:
        SoqlError: ``MALFORMED_QUERY`` for a character or literal SOQL does not know.
    """
    tokens: list[Token] = []
    pos = 0
    while True:
        while pos < len(soql) and soql[pos].isspace():
            pos += 1
        if pos >= len(soql):
            tokens.append(Token("eof", "", pos))
            return tokens
        token = _next_token(soql, pos)
        tokens.append(token)
        pos += len(token.text)


def _next_token(soql: str, pos: int) -> Token:
    char = soql[pos]
    if char == "'":
        return _string_token(soql, pos)
    for kind, pattern in (
        ("datetime", _DATETIME),
        ("date", _DATE),
        ("number", _NUMBER),
        ("date_n", _DATE_N),
        ("ident", _IDENT),
    ):
        match = pattern.match(soql, pos)
        if match:
            return Token(kind, match.group(), pos, value=match.group())
    for operator in _OPERATORS:
        if soql.startswith(operator, pos):
            return Token("op", operator, pos, value=operator)
    if char in _PUNCTUATION:
        return Token(_PUNCTUATION[char], char, pos, value=char)
    if char.isdigit() or char == "-":
        end = pos
        while end < len(soql) and not soql[end].isspace() and soql[end] not in "(),":
            end += 1
        reason = f"unexpected token: '{soql[pos:end]}'"
        raise query_error("MALFORMED_QUERY", soql, pos=pos, reason=reason)
    raise query_error("MALFORMED_QUERY", soql, pos=pos, reason=f"unexpected token: '{char}'")


def _string_token(soql: str, start: int) -> Token:
    """Decode a quoted string; keep a LIKE pattern where only unescaped ``%``/``_`` are wild."""
    value: list[str] = []
    like: list[str] = []
    pos = start + 1
    while pos < len(soql):
        char = soql[pos]
        if char == "'":
            text = soql[start : pos + 1]
            return Token("string", text, start, value="".join(value), like="".join(like))
        if char != "\\":
            value.append(char)
            like.append(char)
            pos += 1
            continue
        escaped = soql[pos + 1 : pos + 2]
        if escaped in ("_", "%"):
            value.append("\\" + escaped)
            like.append("\\" + escaped)
        elif escaped.lower() in _ESCAPES:
            decoded = _ESCAPES[escaped.lower()]
            value.append(decoded)
            like.append("\\\\" if decoded == "\\" else decoded)
        else:
            reason = (
                "Invalid string literal '"
                + soql[start : pos + 2]
                + "'. Illegal character sequence "
                "'\\" + escaped + "' in string literal."
            )
            raise query_error("MALFORMED_QUERY", soql, pos=start, reason=reason)
        pos += 2
    raise query_error(
        "MALFORMED_QUERY", soql, pos=start, reason="unterminated string literal: missing '"
    )

"""Building SOQL safely: values are quoted by simple-salesforce's ``format_soql``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from simple_salesforce.format import format_soql

from ditoolkit.errors import ConfigError

#: A ``where`` is raw SOQL written by the analyst (``"Email != null"``), a template with
#: values quoted safely (``("Email = {}", ["a@b.c"])``), or ``{field: value or [values]}``.
Where = str | tuple[str, Sequence[Any]] | Mapping[str, Any] | None


def _literal(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime() if value.tzinfo else value.date()
    return value


def where_clause(where: Where) -> str | None:
    """The condition text for ``where``, with every value quoted by ``format_soql``."""
    if where is None or where == "":
        return None
    if isinstance(where, str):
        return _check_raw_condition(where)
    if isinstance(where, tuple):
        template, values = where
        return str(format_soql(template, *[_literal(v) for v in values]))
    if isinstance(where, Mapping):
        parts = []
        for field_name, value in where.items():
            _check_identifier(field_name)
            if isinstance(value, (list, tuple, set, frozenset)):
                parts.append(format_soql(f"{field_name} IN {{}}", [_literal(v) for v in value]))
            elif value is None:
                parts.append(f"{field_name} = null")
            else:
                parts.append(format_soql(f"{field_name} = {{}}", _literal(value)))
        return " AND ".join(parts) or None
    raise ConfigError(f"salesforce: a where filter cannot be a {type(where).__name__}")


def _check_raw_condition(text: str) -> str:
    """``text`` when its parentheses balance and its quotes close outside string literals.

    The condition is wrapped in parentheses and ANDed with others (``since``); a ``)`` that
    closes early (``Email != null) OR (Id != null``) would let it widen the whole query.
    """
    depth, quoted, escaped = 0, False, False
    for char in text:
        if quoted:
            escaped, quoted = (False, True) if escaped else (char == "\\", char != "'")
        elif char == "'":
            quoted = True
        elif char in "()":
            depth += 1 if char == "(" else -1
            if depth < 0:
                break
    if depth == 0 and not quoted:
        return text
    raise ConfigError(
        f"salesforce: the where condition {text!r} has unbalanced parentheses or an unclosed "
        "quote, so it would not stay one condition",
        hint="close every ( and every quoted value; to match values, pass where={field: value}",
    )


def _check_identifier(name: str) -> None:
    if not name.replace("_", "").replace(".", "").isalnum():
        raise ConfigError(
            f"salesforce: {name!r} is not a field name", hint="use API names such as Email"
        )


def since_clause(
    since: datetime | date | str | None, *, field: str = "SystemModstamp"
) -> str | None:
    """``SystemModstamp >= <since>`` (inclusive, millisecond precision) for incremental reads.

    Inclusive so that a row stamped in the same millisecond as the watermark is never missed;
    re-reading an unchanged row is harmless (the diff finds it unchanged).
    """
    if since is None:
        return None
    _check_identifier(field)
    stamp = pd.Timestamp(since)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    # format_soql would drop the milliseconds; this literal is built from a timestamp, not text
    literal = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    return f"{field} >= {literal}"


def build_select(
    obj: str,
    columns: Sequence[str],
    *,
    conditions: Sequence[str | None],
    order_by: str | None = None,
) -> str:
    """``SELECT columns FROM obj [WHERE (c1) AND (c2)] [ORDER BY ...]``."""
    for column in columns:
        _check_identifier(column)
    text = f"SELECT {', '.join(columns)} FROM {obj}"
    kept = [c for c in conditions if c]
    if kept:
        text += " WHERE " + " AND ".join(f"({c})" for c in kept)
    if order_by:
        text += f" ORDER BY {order_by}"
    return text


def build_count(obj: str, *, conditions: Sequence[str | None]) -> str:
    """``SELECT COUNT() FROM obj [WHERE ...]``."""
    kept = [c for c in conditions if c]
    where = " WHERE " + " AND ".join(f"({c})" for c in kept) if kept else ""
    return f"SELECT COUNT() FROM {obj}{where}"

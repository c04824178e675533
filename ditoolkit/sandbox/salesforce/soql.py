"""The Salesforce sandbox's SOQL engine: compile a query to SQLite, shape rows into records.

Supported: field lists with parent relationship paths and ``FIELDS(ALL|STANDARD|CUSTOM)``,
``COUNT()`` and ``COUNT(field)``, one ``FROM`` object (optional alias), ``WHERE`` with
``AND``/``OR``/``NOT`` and parentheses, ``= != <> < <= > >= LIKE IN NOT IN``,
string/number/boolean/null/date/datetime literals and relative date literals,
``ORDER BY ... ASC|DESC NULLS FIRST|LAST``, ``LIMIT``, ``OFFSET``.
Anything else is refused with Salesforce's error code and caret-style message.

Storage contract (the store implements it): one table per object named by its canonical name,
one column per field named by its canonical name; strings TEXT, booleans INTEGER 0/1, ints
INTEGER, double/currency/percent REAL, dates TEXT ``YYYY-MM-DD``, datetimes TEXT
``YYYY-MM-DDTHH:MM:SS.000+0000`` in UTC; every table has ``Id`` and ``IsDeleted``.

Example::

    compiled = compile_query("SELECT Id, Account.Name FROM Contact", schema)
    rows = connection.execute(compiled.sql, compiled.params).fetchall()
    records = shape_records(compiled, rows, api_version="59.0")
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ditoolkit.sandbox.salesforce.soql_compiler import compile_parsed
from ditoolkit.sandbox.salesforce.soql_model import (
    CompiledQuery,
    SoqlError,
    SoqlField,
    SoqlObject,
    SoqlSchema,
)
from ditoolkit.sandbox.salesforce.soql_shape import PlanNode, shape_rows

__all__ = [
    "CompiledQuery",
    "SoqlError",
    "SoqlField",
    "SoqlObject",
    "SoqlSchema",
    "compile_query",
    "shape_records",
]


def compile_query(
    soql: str,
    schema: SoqlSchema,
    *,
    include_deleted: bool = False,
    now: datetime | None = None,
) -> CompiledQuery:
    """Compile a SOQL query into one SQLite statement against the store's layout.

    Args:
        soql: the query as the client sent it.
        schema: the objects and fields the org has.
        include_deleted: ``queryAll``: keep rows with ``IsDeleted = 1``.
        now: the instant relative date literals (``TODAY``...) are computed from, in UTC;
            defaults to the current time.

    Returns:
        The statement, its parameters and the shaping plan. For ``COUNT()`` the statement
        returns one row holding the count.

    Raises:
        SoqlError: ``MALFORMED_QUERY``, ``INVALID_TYPE``, ``INVALID_FIELD``,
            ``INVALID_QUERY_FILTER_OPERATOR`` or ``NUMBER_OUTSIDE_VALID_RANGE``, worded as
            Salesforce words them.
    """
    return compile_parsed(soql, schema, include_deleted=include_deleted, now=now)


def shape_records(
    compiled: CompiledQuery, rows: Iterable[tuple[Any, ...]], *, api_version: str
) -> list[dict[str, Any]]:
    """Turn the statement's rows into Salesforce query records.

    Args:
        compiled: the query the rows come from.
        rows: rows as returned by SQLite for ``compiled.sql``.
        api_version: e.g. ``"59.0"``, used in each record's ``attributes.url``.

    Returns:
        One record per row (none for ``COUNT()``; one ``AggregateResult`` for ``COUNT(field)``).
    """
    if compiled.is_count:
        return []
    if compiled.is_aggregate:
        key = compiled.columns[0]
        return [{"attributes": {"type": "AggregateResult"}, key: row[0]} for row in rows]
    if not isinstance(compiled.plan, PlanNode):
        raise TypeError("shape_records needs a CompiledQuery made by compile_query")
    return shape_rows(compiled.plan, rows, api_version=api_version)

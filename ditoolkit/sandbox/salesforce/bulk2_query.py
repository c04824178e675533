"""Running a Bulk API 2.0 query job and writing its rows as Salesforce's result CSV.

The query runs once, when the job is created; its rows are kept as CSV lines so that pages
(``maxRecords``, ``locator``) are slices. Columns follow the SELECT list in canonical case,
parent fields flattened as ``Account.Name``; every value is double-quoted, null is an empty
cell, booleans are ``true``/``false`` and datetimes end in ``Z``, as Salesforce writes them.
"""

from __future__ import annotations

import base64
import binascii
import csv
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from ditoolkit.sandbox.salesforce.bulk2_cells import result_lines
from ditoolkit.sandbox.salesforce.bulk2_csv import DELIMITERS, LINE_ENDINGS, quote
from ditoolkit.sandbox.salesforce.bulk2_jobs import JobBook
from ditoolkit.sandbox.salesforce.collector import collector_paused
from ditoolkit.sandbox.salesforce.soql import SoqlError, compile_query
from ditoolkit.sandbox.salesforce.soql_parser import parse
from ditoolkit.sandbox.salesforce.soql_shape import PlanNode, field_sources
from ditoolkit.sandbox.salesforce.store import ObjectDef, Store

_DATETIME_TAIL = "+0000"
_NULL = "\ue000null\ue000"  # a private-use marker no record value carries
#: Without ``maxRecords`` a page holds every remaining row up to about this many bytes.
DEFAULT_PAGE_BYTES = 1_000_000_000


@dataclass(frozen=True)
class QuerySpec:
    """What a query job was created with."""

    soql: str
    operation: str
    column_delimiter: str
    line_ending: str


@dataclass
class QueryRows:
    """A query job's result: its object, header line and one CSV line per row."""

    object_name: str
    header: str
    lines: list[str]


def run_query(store: Store, spec: QuerySpec) -> QueryRows:
    """Run the job's query and write its rows.

    Raises:
        SoqlError: the query is malformed or names unknown objects or fields, or uses what
            Bulk API 2.0 refuses (aggregates, ``OFFSET``); code and message as sent.
    """
    parsed = parse(spec.soql)
    if parsed.offset is not None:
        raise SoqlError("API_ERROR", "OFFSET clause is not supported in Bulk API 2.0 queries")
    include_deleted = spec.operation == "queryAll"
    compiled = compile_query(spec.soql, store, include_deleted=include_deleted)
    if compiled.is_count or compiled.is_aggregate:
        raise SoqlError("API_ERROR", "Aggregate queries are not supported in Bulk API 2.0")
    root = store.describe(compiled.object_name)
    assert root is not None  # compile_query found it
    types = [_field_type(store, root, column=column) for column in compiled.columns]
    delimiter = DELIMITERS[spec.column_delimiter]
    ending = LINE_ENDINGS[spec.line_ending]
    with collector_paused():
        lines = result_lines(
            store.rows(compiled),
            sources=field_sources(cast(PlanNode, compiled.plan)),
            types=types,
            delimiter=delimiter,
            ending=ending,
        )
    header = delimiter.join(quote(column) for column in compiled.columns) + ending
    return QueryRows(compiled.object_name, header, lines)


def write_lines(
    records: list[dict[str, Any]],
    *,
    columns: list[str],
    types: list[str | None],
    delimiter: str,
    ending: str,
) -> list[str]:
    """One CSV line per record: every value quoted, null empty, ``true``/``false``, ``...Z``.

    Jobs write their lines with :func:`.bulk2_cells.result_lines` (from rows, a column at a
    time); this record-by-record writer is the reference that one is tested against.

    The csv module writes the lines; null travels as a sentinel that is then cut out, so that
    it comes out as an empty unquoted cell while an empty string would be ``""``.
    """
    lines: list[str] = []
    writer = csv.writer(
        _LineSink(lines), delimiter=delimiter, lineterminator=ending, quoting=csv.QUOTE_ALL
    )
    getters = [_getter(column) for column in columns]
    booleans = [i for i, kind in enumerate(types) if kind == "boolean"]
    datetimes = [i for i, kind in enumerate(types) if kind == "datetime"]
    for record in records:
        values = [get(record) for get in getters]
        for i in booleans:
            if values[i] is not None:
                values[i] = "true" if values[i] else "false"
        for i in datetimes:
            value = values[i]
            if isinstance(value, str) and value.endswith(_DATETIME_TAIL):
                values[i] = value[: -len(_DATETIME_TAIL)] + "Z"
        writer.writerow([_NULL if v is None else v for v in values])
    quoted_null = f'"{_NULL}"'
    return [line.replace(quoted_null, "") if _NULL in line else line for line in lines]


class _LineSink:
    """A file-like object keeping each ``write`` (one CSV row) as its own line."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def _getter(column: str) -> Callable[[dict[str, Any]], Any]:
    """A function reading ``column`` (``Name`` or ``Account.Owner.Name``) from a record."""
    if "." not in column:
        return operator.methodcaller("get", column)
    *parents, name = column.split(".")

    def value(record: dict[str, Any]) -> Any:
        node: Any = record
        for parent in parents:
            node = node.get(parent) if node else None
        return node.get(name) if node else None

    return value


def _field_type(store: Store, root: ObjectDef, *, column: str) -> str | None:
    *parents, name = column.split(".")
    obj: ObjectDef | None = root
    for parent in parents:
        if obj is None:
            return None
        reference = next(
            (f for f in obj.fields if (f.relationship_name or "").lower() == parent.lower()), None
        )
        if reference is None or not reference.reference_to:
            return None
        obj = store.describe(reference.reference_to[0])
    found = obj.field(name) if obj else None
    return found.type if found else None


class BadPageRequest(Exception):
    """A results request Salesforce would refuse (bad ``maxRecords`` or ``locator``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass
class Page:
    """One page of a query job's results: CSV text (header first), its row count, next locator."""

    body: str
    count: int
    locator: str


def encode_locator(offset: int) -> str:
    """Salesforce-style locator: the base64 of the next row's offset (``MTAwMDA`` for 10000)."""
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def decode_locator(locator: str, *, total: int) -> int:
    """The row offset a locator stands for.

    Raises:
        BadPageRequest: the locator is not one this job handed out.
    """
    try:
        offset = int(base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True))
    except (ValueError, binascii.Error):
        offset = -1
    if not 0 <= offset <= total:
        raise BadPageRequest("INVALID_LOCATOR", f"Invalid locator: {locator}")
    return offset


def query_page(book: JobBook, info: dict[str, Any], *, params: Mapping[str, str]) -> Page:
    """The page of a complete query job's rows that ``locator`` and ``maxRecords`` ask for."""
    total = int(info["numberRecordsProcessed"])
    limit = _max_records(params.get("maxRecords"))
    locator = params.get("locator") or ""
    start = decode_locator(locator, total=total) if locator and locator != "null" else 0
    header = next(iter(book.iter_rows(info["id"], start=0)), "")
    budget = None if limit is not None else DEFAULT_PAGE_BYTES - len(header)
    text, count = book.page_text(info["id"], start=start + 1, limit=limit, max_chars=budget)
    following = start + count
    return Page(header + text, count, encode_locator(following) if following < total else "null")


def _max_records(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise BadPageRequest(
            "INVALIDPARAMETERVALUE", f"maxRecords must be a positive whole number, not {text}"
        )
    return value

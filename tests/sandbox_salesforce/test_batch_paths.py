"""The sandbox's column-at-a-time fast paths give exactly what its per-record paths give.

Random batches mix valid and invalid values, keys in several spellings, unknown and
read-only fields, so that every record either takes the fast path or is sent back to the
per-record path; the results (values, error codes, messages, order) must be identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ditoolkit.sandbox.salesforce.bulk2_cells import result_lines
from ditoolkit.sandbox.salesforce.bulk2_ingest import IngestSpec, _build_record, _Plan, _Row
from ditoolkit.sandbox.salesforce.bulk2_ingest import resolve_columns as resolve
from ditoolkit.sandbox.salesforce.bulk2_jobs import JobBook
from ditoolkit.sandbox.salesforce.bulk2_query import (
    QuerySpec,
    _field_type,
    run_query,
    write_lines,
)
from ditoolkit.sandbox.salesforce.bulk2_records import fast_records
from ditoolkit.sandbox.salesforce.ids import make_id, make_ids
from ditoolkit.sandbox.salesforce.schema import default_world
from ditoolkit.sandbox.salesforce.soql import compile_query
from ditoolkit.sandbox.salesforce.soql_shape import field_sources
from ditoolkit.sandbox.salesforce.store import Store
from ditoolkit.sandbox.salesforce.validation import RecordValidator
from ditoolkit.sandbox.salesforce.validation_batch import prepare_many

WORLD = default_world()
PREFIXES = {name: obj.key_prefix for name, obj in WORLD.items()}
KEYS = {
    "Contact": [
        "FirstName",
        "LastName",
        "lastname",
        "Email",
        "Phone",
        "Birthdate",
        "HasOptedOutOfEmail",
        "LeadSource",
        "DI_Contact_Id__c",
        "AccountId",
        "OwnerId",
        "CreatedDate",
        "Id",
        "attributes",
        "Bogus__c",
    ],
    "Lead": ["LastName", "Company", "Status", "Email", "HasOptedOutOfEmail", "Id"],
}
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "Smith",
            "x" * 81,
            "ann@example.com",
            "not an email",
            "1980-01-02",
            "1980-02-30",
            "1980-1-2",
            "٢٠٢٠-٠١-٠١",
            "Open - Not Contacted",
            "Working",
            "Web",
            "true",
            "FALSE",
            make_id("001", 7),
            make_id("003", 7)[:15],
            "003bad",
        ]
    ),
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, width=16),
    st.just({"a": 1}),
    st.just([1]),
    st.text(max_size=6),
)


@st.composite
def batches(draw: Any) -> tuple[str, bool, list[dict[str, Any]]]:
    obj = draw(st.sampled_from(sorted(KEYS)))
    shapes = draw(
        st.lists(
            st.lists(st.sampled_from(KEYS[obj]), max_size=6, unique=True), min_size=1, max_size=3
        )
    )
    records = []
    for _ in range(draw(st.integers(1, 25))):
        keys = draw(st.sampled_from(shapes))
        records.append({key: draw(VALUES) for key in keys})
    return obj, draw(st.booleans()), records


@settings(max_examples=150, deadline=None)
@given(batches())
def test_prepare_many_matches_prepare(batch: tuple[str, bool, list[dict[str, Any]]]) -> None:
    obj, creating, records = batch
    validator = RecordValidator(WORLD[obj.lower()], prefixes=PREFIXES, creating=creating)
    expected = [validator.prepare(record) for record in records]
    got = prepare_many(validator, records)
    assert got == expected
    assert [list(values) for values, _ in got] == [list(values) for values, _ in expected]


CELLS = {
    "boolean": ["true", "false", "1", "0", "yes", "No", "maybe", "", "#N/A"],
    "date": ["1980-01-02", "1980-02-30", "2020-01-01T10:00:00Z", "x", "", "#N/A"],
    "text": ["Ann", "", "#N/A", "a,b", "ann@example.com"],
}
HEADER = ["LastName", "Email", "Birthdate", "HasOptedOutOfEmail", "DI_Contact_Id__c"]


@st.composite
def uploads(draw: Any) -> list[list[str]]:
    kinds = ["text", "text", "date", "boolean", "text"]
    return draw(
        st.lists(
            st.tuples(*(st.sampled_from(CELLS[kind]) for kind in kinds)).map(list),
            min_size=1,
            max_size=30,
        )
    )


@settings(max_examples=100, deadline=None)
@given(uploads(), st.sampled_from(["insert", "update", "delete"]))
def test_fast_records_match_per_row(rows: list[list[str]], operation: str) -> None:
    columns = resolve(_NoStore(), WORLD["contact"], header=HEADER)  # type: ignore[arg-type]
    plan = _Plan.of(columns)
    spec = IngestSpec("Contact", operation, None, "COMMA", "LF")
    typed = [(index, column.convert) for index, column in plan.typed]
    fast = fast_records(plan.names, rows, typed=typed)
    for cells, record in zip(rows, fast, strict=True):
        row = _Row(cells)
        _build_record(spec, plan, row=row)
        if record is None:
            assert row.error is not None and row.error.startswith("INVALID_TYPE_ON_FIELD")
        else:
            assert list(record.items()) == list(row.record.items())


class _NoStore:
    """Columns without relationship paths never ask the store for a parent object."""


def test_make_ids_match_make_id_across_block_edges() -> None:
    for first, count in [(1, 130), (61, 3), (238328 - 2, 5), (916132832 - 70, 200), (0, 0)]:
        expected = [make_id("003", n) for n in range(first, first + count)]
        assert make_ids("003", first, count) == expected


def test_bulk_query_lines_from_rows_match_lines_from_records(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.user_id = make_id("005", 1)
    accounts = store.insert("Account", [{"Name": 'Acme "East", Inc.'}, {"Name": "Zed\nCo"}])
    store.insert(
        "Contact",
        [
            {"LastName": "A", "AccountId": accounts[0].id, "HasOptedOutOfEmail": True},
            {"LastName": "B", "Birthdate": "1980-01-02", "Email": None},
            {"LastName": "C", "AccountId": accounts[1].id, "FirstName": ""},
        ],
    )
    soql = (
        "SELECT Id, Name, Account.Name, Account.OwnerId, HasOptedOutOfEmail, Birthdate, "
        "CreatedDate, Email FROM Contact ORDER BY LastName"
    )
    compiled = compile_query(soql, store)
    root = store.describe("Contact")
    assert root is not None
    types = [_field_type(store, root, column=c) for c in compiled.columns]
    expected = write_lines(
        store.query(soql).records,
        columns=compiled.columns,
        types=types,
        delimiter=",",
        ending="\n",
    )
    got = result_lines(
        store.rows(compiled),
        sources=field_sources(compiled.plan),  # type: ignore[arg-type]
        types=types,
        delimiter=",",
        ending="\n",
    )
    assert got == expected
    assert len(got) == 3 and got[1].count(",,") >= 1  # B: no account, so empty cells
    spec = QuerySpec(soql, "query", "COMMA", "LF")
    assert run_query(store, spec).lines == expected
    store.close()


def test_job_book_rows_from_any_offset(tmp_path: Path) -> None:
    book = JobBook(tmp_path / "bulk2.sqlite")
    lines = [f'"{n % 10}","a\nb"\n' for n in range(2_345)]
    book.put_rows("750A", lines)
    for start in (0, 1, 999, 1_000, 1_001, 2_344, 2_345):
        assert list(book.iter_rows("750A", start=start)) == lines[start:]
    assert list(book.iter_rows("750B", start=0)) == []
    for start, limit, max_chars in [
        (0, None, None),
        (1, 500, None),
        (998, 3, None),
        (1_000, 1_345, None),
        (2_344, 10, None),
        (2_345, 10, None),
        (5, None, 1),
        (5, None, 12 * 1_500 + 3),
        (999, None, 12 * 1_001),
    ]:
        expected = _reference_page(lines[start:], limit=limit, max_chars=max_chars)
        text, count = book.page_text("750A", start=start, limit=limit, max_chars=max_chars)
        assert (text, count) == ("".join(expected), len(expected))
    book.close()


def _reference_page(lines: list[str], *, limit: int | None, max_chars: int | None) -> list[str]:
    """What a page holds, line by line: up to ``limit`` lines within ``max_chars`` (one at least)."""
    out: list[str] = []
    for line in lines[:limit]:
        if max_chars is not None and out and sum(map(len, out)) + len(line) > max_chars:
            break
        out.append(line)
    return out


CSV_VALUES = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from('ab",;\n\r\x00é '), max_size=6),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["2024-01-02T03:04:05.006+0000", "+0000", "x+0000\n", ""]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(CSV_VALUES, CSV_VALUES, CSV_VALUES), min_size=1, max_size=8),
    st.sampled_from([None, "boolean", "datetime"]),
    st.sampled_from([(",", "\n"), (";", "\r\n"), ("\t", "\n")]),
)
def test_result_lines_match_csv_module(
    rows: list[tuple[Any, ...]], kind: str | None, layout: tuple[str, str]
) -> None:
    delimiter, ending = layout
    columns = ["A", "B", "C"]
    types = [None, kind, "datetime"]
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    expected = write_lines(
        records, columns=columns, types=types, delimiter=delimiter, ending=ending
    )
    sources: list[Any] = [(i, (), None) for i in range(3)]
    got = result_lines(rows, sources=sources, types=types, delimiter=delimiter, ending=ending)
    assert got == expected

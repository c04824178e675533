"""Reading any Salesforce object into a typed DataFrame at the lowest API cost.

``SELECT COUNT()`` first; below the threshold, REST query pages of 2,000 rows; at or above it,
a Bulk API 2.0 query job with large result pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from simple_salesforce import Salesforce
from tqdm.auto import tqdm

from ditoolkit.errors import ConfigError
from ditoolkit.port import FieldType, TableSchema
from ditoolkit.systems.salesforce.failures import call_with_retries
from ditoolkit.systems.salesforce.soql import (
    Where,
    build_count,
    build_select,
    since_clause,
    where_clause,
)
from ditoolkit.systems.salesforce.values import frame_from_csv, frame_from_records


@dataclass(frozen=True)
class ReadSettings:
    """How reads choose their API.

    Attributes:
        bulk_threshold: expected rows at or above which a Bulk 2.0 query job is used.
        bulk_page_rows: rows per Bulk 2.0 result page (``maxRecords``).
        bulk_poll_seconds: first wait before polling a Bulk job.
        progress_threshold: rows above which a progress bar is shown.
    """

    bulk_threshold: int = 10_000
    bulk_page_rows: int = 200_000
    bulk_poll_seconds: int = 1
    progress_threshold: int = 20_000


Describe = Callable[[str], TableSchema]
Relations = Callable[[str], dict[str, tuple[str, str]]]


def column_types(
    obj: str, columns: Sequence[str], *, describe: Describe, relations: Relations
) -> dict[str, FieldType | None]:
    """Each column's type, following parent paths such as ``Account.Name``.

    Raises:
        ConfigError: a column or relationship does not exist, naming the object.
    """
    types: dict[str, FieldType | None] = {}
    for column in columns:
        current = obj
        parts = column.split(".")
        for rel in parts[:-1]:
            found = relations(current).get(rel.lower())
            if found is None:
                raise ConfigError(
                    f"salesforce: {current} has no relationship {rel!r} (column {column!r})",
                    hint=f"describe {current} to see its relationship names",
                )
            current = found[1]
        field = describe(current).get(parts[-1])
        if field is None:
            raise ConfigError(
                f"salesforce: {current} has no field {parts[-1]!r} (column {column!r})",
                hint=f"pick from: {', '.join(describe(current).names[:15])}...",
            )
        types[column] = field.type
    return types


def _canonical(obj: str, columns: Sequence[str], describe: Describe) -> list[str]:
    schema = describe(obj)
    out = []
    for column in columns:
        if "." in column:
            out.append(column)
        else:
            field = schema.get(column)
            out.append(field.name if field else column)
    return out


def read_object(
    sf: Salesforce,
    obj: str,
    *,
    describe: Describe,
    relations: Relations,
    columns: Sequence[str] | None = None,
    where: Where = None,
    since: Any = None,
    include_deleted: bool = False,
    settings: ReadSettings = ReadSettings(),
) -> pd.DataFrame:
    """Rows of ``obj`` as a typed DataFrame (no ``attributes`` column)."""
    schema = describe(obj)
    wanted = _canonical(schema.name, columns or schema.names, describe)
    types = column_types(schema.name, wanted, describe=describe, relations=relations)
    conditions = [where_clause(where), since_clause(since)]
    count_soql = build_count(schema.name, conditions=conditions)
    count = int(
        call_with_retries(
            lambda: sf.query(count_soql, include_deleted=include_deleted)["totalSize"],
            doing=f"count {schema.name}",
        )
    )
    soql = build_select(schema.name, wanted, conditions=conditions)
    if count >= settings.bulk_threshold:
        return _read_bulk(sf, schema.name, soql, wanted, types, count, include_deleted, settings)
    return _read_rest(sf, schema.name, soql, wanted, types, count, include_deleted, settings)


def _progress(total: int, settings: ReadSettings, name: str) -> Any:
    return tqdm(
        total=total,
        desc=f"read {name}",
        unit="rows",
        disable=total < settings.progress_threshold or None,
    )


def _read_rest(
    sf: Salesforce,
    name: str,
    soql: str,
    columns: list[str],
    types: dict[str, FieldType | None],
    count: int,
    include_deleted: bool,
    settings: ReadSettings,
) -> pd.DataFrame:
    frames = []
    with _progress(count, settings, name) as bar:
        page = call_with_retries(
            lambda: sf.query(soql, include_deleted=include_deleted), doing=f"query {name}"
        )
        while True:
            frames.append(frame_from_records(page["records"], columns, types))
            bar.update(len(page["records"]))
            if page.get("done", True) or not page.get("nextRecordsUrl"):
                break
            url = page["nextRecordsUrl"]
            page = call_with_retries(
                lambda url=url: sf.query_more(
                    url, identifier_is_url=True, include_deleted=include_deleted
                ),
                doing=f"query {name} (next page)",
            )
    return _concat(frames, columns, types)


def _read_bulk(
    sf: Salesforce,
    name: str,
    soql: str,
    columns: list[str],
    types: dict[str, FieldType | None],
    count: int,
    include_deleted: bool,
    settings: ReadSettings,
) -> pd.DataFrame:
    handler = getattr(sf.bulk2, name)
    query = handler.query_all if include_deleted else handler.query

    def run_job() -> list[pd.DataFrame]:
        # a failed page ends simple-salesforce's generator, so a transient failure
        # restarts the whole job rather than silently returning part of the rows
        frames = []
        with _progress(count, settings, name) as bar:
            for text in query(
                soql, max_records=settings.bulk_page_rows, wait=settings.bulk_poll_seconds
            ):
                frames.append(frame_from_csv(text, columns, types))
                bar.update(len(frames[-1]))
        return frames

    frames = call_with_retries(run_job, doing=f"bulk query {name}", attempts=3)
    return _concat(frames, columns, types)


def _concat(
    frames: list[pd.DataFrame], columns: list[str], types: dict[str, FieldType | None]
) -> pd.DataFrame:
    if not frames:
        return frame_from_records([], columns, types)
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    return pd.concat(frames, ignore_index=True)

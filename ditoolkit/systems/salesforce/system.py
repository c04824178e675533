"""The Salesforce system adapter: the System port on simple-salesforce."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

import pandas as pd
from simple_salesforce import Salesforce

from ditoolkit.errors import NotFoundError, RemoteSystemError
from ditoolkit.port import RowResult, TableSchema, WriteResult
from ditoolkit.systems.salesforce import allowance
from ditoolkit.systems.salesforce.connection import login
from ditoolkit.systems.salesforce.failures import call_with_retries
from ditoolkit.systems.salesforce.reader import ReadSettings, read_object
from ditoolkit.systems.salesforce.schema import relationship_map, schema_from_describe
from ditoolkit.systems.salesforce.soql import Where
from ditoolkit.systems.salesforce.writer import ObjectWriter, WriteSettings, estimate_calls


class SalesforceSystem:
    """Any Salesforce object, read into and written from DataFrames.

    Args:
        sf: a logged-in simple-salesforce client (see :meth:`connect`).
        read_settings: how reads choose REST or Bulk 2.0.
        write_settings: how writes choose Collections or Bulk 2.0, and retry.
        allowance_reserve: share of the daily API allowance never spent (default 20 %).
    """

    name = "salesforce"

    def __init__(
        self,
        sf: Salesforce,
        *,
        read_settings: ReadSettings | None = None,
        write_settings: WriteSettings | None = None,
        allowance_reserve: float = 0.2,
    ) -> None:
        self.sf = sf
        self.read_settings = read_settings or ReadSettings()
        self.write_settings = write_settings or WriteSettings()
        self.allowance_reserve = allowance_reserve
        self._describe_raw = lru_cache(maxsize=None)(self._fetch_describe)

    @classmethod
    def connect(cls, **settings: Any) -> SalesforceSystem:
        """Log in (see :func:`~ditoolkit.systems.salesforce.connection.login`) and wrap."""
        options = {
            k: settings.pop(k)
            for k in ("read_settings", "write_settings", "allowance_reserve")
            if k in settings
        }
        return cls(login(**settings), **options)

    def __repr__(self) -> str:
        return f"SalesforceSystem(instance={self.sf.sf_instance!r}, version={self.sf.sf_version!r})"

    def with_settings(self, **changes: Any) -> SalesforceSystem:
        """A copy sharing the session, with some read/write settings changed."""
        read = {k: v for k, v in changes.items() if hasattr(self.read_settings, k)}
        write = {k: v for k, v in changes.items() if hasattr(self.write_settings, k)}
        return SalesforceSystem(
            self.sf,
            read_settings=replace(self.read_settings, **read),
            write_settings=replace(self.write_settings, **write),
            allowance_reserve=changes.get("allowance_reserve", self.allowance_reserve),
        )

    # -- schema ---------------------------------------------------------------------------------

    def _fetch_describe(self, table: str) -> dict[str, Any]:
        from simple_salesforce.exceptions import SalesforceResourceNotFound

        try:
            # through restful() so that Sforce-Limit-Info updates sf.api_usage
            answer = self.sf.restful(f"sobjects/{table}/describe")
            if not isinstance(answer, dict) or not {"name", "fields"} <= answer.keys():
                raise RemoteSystemError(
                    f"describe {table}: the answer is not an object description",
                    system="salesforce",
                    code="MALFORMED_ANSWER",
                    hint="check that instance_url points at Salesforce, then try again",
                )
            return answer
        except SalesforceResourceNotFound:
            raise NotFoundError(
                f"no object {table!r}",
                system="salesforce",
                code="NOT_FOUND",
                status=404,
                hint="check the API name (custom objects end in __c); see tables()",
            ) from None

    def describe_raw(self, table: str) -> dict[str, Any]:
        """Salesforce's own describe answer for ``table`` (cached per connection)."""
        return call_with_retries(lambda: self._describe_raw(table), doing=f"describe {table}")  # type: ignore[no-any-return]

    def describe(self, table: str) -> TableSchema:
        """The object's fields as a :class:`TableSchema` (cached per connection)."""
        return schema_from_describe(self.describe_raw(table))

    def relations(self, table: str) -> dict[str, tuple[str, str]]:
        return relationship_map(self.describe_raw(table))

    def tables(self) -> list[str]:
        """Names of the objects that can be queried."""
        answer = call_with_retries(self.sf.describe, doing="describe global")
        return sorted(o["name"] for o in answer["sobjects"] if o.get("queryable", True))

    # -- read / write ---------------------------------------------------------------------------

    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        where: Where = None,
        since: Any = None,
        include_deleted: bool = False,
    ) -> pd.DataFrame:
        """Rows of ``table`` typed from describe; see :func:`reader.read_object`."""
        return read_object(
            self.sf,
            table,
            describe=self.describe,
            relations=self.relations,
            columns=columns,
            where=where,
            since=since,
            include_deleted=include_deleted,
            settings=self.read_settings,
        )

    def count(self, table: str, *, where: Where = None) -> int:
        """How many rows match, in one call."""
        from ditoolkit.systems.salesforce.soql import build_count, where_clause

        soql = build_count(self.describe(table).name, conditions=[where_clause(where)])
        return int(
            call_with_retries(lambda: self.sf.query(soql)["totalSize"], doing=f"count {table}")
        )

    def write(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        operation: str,
        key: str | None = None,
        nulls: str = "leave",
    ) -> WriteResult:
        """Write ``frame``; one result row per input row, in input order.

        Args:
            operation: insert, update, upsert, delete or hard_delete.
            key: the upsert key (an external id field or ``Id``).
            nulls: ``leave`` (a null leaves the field as it is) or ``clear`` (sets it null).

        Raises:
            RemoteSystemError: a call-level failure stopped the write (allowance, session,
                service unreachable after the retries); ``.result`` holds the rows done
                before it, the others were not written.
        """
        schema = self.describe(table)
        writer = ObjectWriter(self.sf, schema, settings=self.write_settings)
        if len(frame):
            allowance.guard(
                self.sf,
                calls=estimate_calls(len(frame), settings=self.write_settings),
                reserve=self.allowance_reserve,
                doing=f"{operation} of {len(frame)} {schema.name} rows",
            )
        try:
            rows: list[RowResult] = writer.write(
                frame, operation=operation, key=key, clear_nulls=nulls == "clear"
            )
        except RemoteSystemError as exc:
            done = getattr(exc, "rows_done", [])
            exc.result = WriteResult.from_rows(  # type: ignore[attr-defined]
                "salesforce", schema.name, done, api_calls=writer.calls
            )
            raise
        return WriteResult.from_rows("salesforce", schema.name, rows, api_calls=writer.calls)

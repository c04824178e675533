"""Incremental reads: a Salesforce source read only from its watermark on.

A one-way transfer from Salesforce (``sf_to_di``) whose operations do not include ``delete``
reads its source with ``since=`` the watermark saved after the last clean run (inclusive:
``SystemModstamp >= watermark``), so a re-run reads only the records that changed. The read
also takes ``SystemModstamp`` (hidden from the preview) to learn the next watermark. Deletes
need the whole source (a record missing from a partial read is not a deleted one), and a
``both`` transfer reads Salesforce as a target too, so both read everything; ``full=True``
always does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from ditoolkit.core.mapping import Transfer
from ditoolkit.core.pipeline import Endpoint
from ditoolkit.core.sync_state import SyncState, max_stamp
from ditoolkit.port import System, TableSchema, WriteResult

MODSTAMP = "SystemModstamp"
DIRECTION = "sf_to_di"


class SinceReads:
    """A Salesforce system whose reads of one table start at a watermark.

    Args:
        inner: the Salesforce system.
        table: the source table.
        since: the watermark (``None``: read everything, still learning the next one).

    Attributes:
        latest: the greatest ``SystemModstamp`` read so far.
        rows_read: rows the source reads returned.
    """

    def __init__(self, inner: System, table: str, *, since: pd.Timestamp | None) -> None:
        self.inner = inner
        self.name = inner.name
        self.table = table
        self.since = since
        self.latest: pd.Timestamp | None = None
        self.rows_read = 0

    def __repr__(self) -> str:
        return f"SinceReads({self.inner!r}, {self.table!r}, since={self.since})"

    def tables(self) -> list[str]:
        return self.inner.tables()

    def describe(self, table: str) -> TableSchema:
        return self.inner.describe(table)

    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        where: Any = None,
        since: Any = None,
    ) -> pd.DataFrame:
        """The rows of ``table``; the source table from the watermark on."""
        if table != self.table or columns is None:
            return self.inner.read(table, columns=columns, where=where, since=since)
        wanted = list(columns)
        extra = [] if MODSTAMP in wanted else [MODSTAMP]
        frame = self.inner.read(
            table, columns=[*wanted, *extra], where=where, since=since or self.since
        )
        stamp = max_stamp(frame, MODSTAMP)
        if stamp is not None and (self.latest is None or stamp > self.latest):
            self.latest = stamp
        self.rows_read += len(frame)
        return frame[wanted]

    def write(
        self, table: str, frame: pd.DataFrame, *, operation: str, key: str | None = None
    ) -> WriteResult:
        return self.inner.write(table, frame, operation=operation, key=key)


def incremental_source(
    transfer: Transfer, endpoints: dict[str, Endpoint], *, state: SyncState, full: bool
) -> tuple[dict[str, Endpoint], SinceReads | None]:
    """The endpoints with the Salesforce source read incrementally, when the transfer allows.

    Returns:
        The endpoints to preview with, and the source reader (``None`` when not incremental).
    """
    if transfer.direction != DIRECTION or "delete" in transfer.operations:
        return endpoints, None
    source = endpoints.get("salesforce")
    if source is None or transfer.csv is not None:
        return endpoints, None
    since = state.load_watermark(transfer, DIRECTION, full=full)
    reader = SinceReads(source.system, source.table, since=since)
    return {**endpoints, "salesforce": replace(source, system=reader)}, reader

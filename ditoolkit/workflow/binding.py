"""The ports a transfer's sides need: Salesforce, a Dialog Insight project, a CSV file.

The Salesforce side can also list its records deleted since a watermark
(:class:`DeletedSalesforceRows`, ``queryAll``), so that an incremental read finds deletes
(:mod:`ditoolkit.core.pipeline_incremental`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ditoolkit.core.mapping import Transfer
from ditoolkit.core.pipeline import Endpoint
from ditoolkit.errors import MappingError
from ditoolkit.port import TableSchema, WriteResult
from ditoolkit.systems.csvfile import CsvSystem
from ditoolkit.systems.dialoginsight import DialogInsightSystem
from ditoolkit.systems.salesforce import SalesforceSystem
from ditoolkit.systems.salesforce.soql import Where, where_clause
from ditoolkit.workflow.connections import Connections

#: The Salesforce field stamped on every change, read with every Salesforce source read.
MODSTAMP = "SystemModstamp"
#: Key values per ``IN`` condition when deleted keys are checked for a live record.
_KEYS_PER_QUERY = 200


def _both(condition: str, where: Where) -> str:
    """``condition AND (where)``; ``where`` is checked and quoted first (see ``where_clause``)."""
    text = where_clause(where)
    return condition if text is None else f"{condition} AND ({text})"


@dataclass(frozen=True)
class DeletedSalesforceRows:
    """Reads the records of an object deleted since a watermark (``queryAll``).

    ``IsDeleted = true AND SystemModstamp >= watermark`` (and the side's ``where``): Salesforce
    stamps a record when it is deleted and keeps it in the recycle bin, values included, for
    about 15 days. A deleted record whose ``key`` a live record (matching ``where``) still has
    is left out: the source still holds that key, so it is no delete. The ``Id`` key needs
    no such check (an Id is never reused).

    Attributes:
        system: the Salesforce adapter.
        key: the transfer's Salesforce key field.
    """

    system: SalesforceSystem
    key: str | None = None

    def __call__(
        self, table: str, *, columns: Sequence[str], where: Any, since: Any
    ) -> pd.DataFrame:
        """The deleted records of ``table`` (see the class)."""
        deleted = self.system.read(
            table,
            columns=columns,
            where=_both("IsDeleted = true", where),
            since=since,
            include_deleted=True,
        )
        if self.key is None or self.key.lower() == "id" or deleted.empty:
            return deleted
        return deleted[~_folded(deleted[self.key]).isin(self._live_keys(table, deleted, where))]

    def _live_keys(self, table: str, deleted: pd.DataFrame, where: Any) -> set[str]:
        assert self.key is not None
        values = deleted[self.key].dropna().drop_duplicates().tolist()
        live: set[str] = set()
        for start in range(0, len(values), _KEYS_PER_QUERY):
            chunk = where_clause({self.key: values[start : start + _KEYS_PER_QUERY]})
            assert chunk is not None
            rows = self.system.read(table, columns=[self.key], where=_both(chunk, where))
            live.update(_folded(rows[self.key]).dropna())
        return live


def _folded(values: pd.Series) -> pd.Series:
    """Key values as SOQL compares text: trimmed, case-folded."""
    return values.astype("string").str.strip().str.casefold()


class DiProjectSystem:
    """One Dialog Insight project behind the plain System port (core passes no project).

    Args:
        di: the Dialog Insight adapter.
        project: the project every call goes to.
    """

    name = "dialoginsight"

    def __init__(self, di: DialogInsightSystem, project: int) -> None:
        self.di = di
        self.project = int(project)

    def __repr__(self) -> str:
        return f"DiProjectSystem(project={self.project})"

    def tables(self) -> list[str]:
        """``Contact`` and the project's relational tables."""
        return self.di.tables(project=self.project)

    def describe(self, table: str) -> TableSchema:
        """The table's schema in this project."""
        return self.di.describe(table, project=self.project)

    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        where: Any = None,
        since: Any = None,
    ) -> pd.DataFrame:
        """Rows of the project's table."""
        return self.di.read(table, columns=columns, where=where, since=since, project=self.project)

    def write(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        operation: str,
        key: str | None = None,
        nulls: str = "leave",
    ) -> WriteResult:
        """Write rows to the project's table; one result row per input row.

        Args:
            table: ``Contact`` or a relational table code.
            frame: the rows.
            operation: ``insert``, ``update``, ``upsert`` or ``delete``.
            key: the key column (default: the project's primary key).
            nulls: ``leave`` (a null leaves the field as it is) or ``clear`` (empties it).
        """
        return self.di.write(
            table, frame, operation=operation, key=key, project=self.project, nulls=nulls
        )


def csv_system(transfer: Transfer) -> CsvSystem:
    """The CSV side of ``transfer``, its file named by the path the mapping writes.

    Raises:
        MappingError: the transfer has no CSV side.
    """
    side = transfer.csv
    if side is None:
        raise MappingError(f"transfer {transfer.name!r} reads no CSV file")
    path = side.resolved if side.resolved is not None else side.path
    return CsvSystem(files={side.path: path}, delimiter=side.delimiter, encoding=side.encoding)


def di_project(transfer: Transfer) -> int:
    """The DI project of ``transfer``.

    Raises:
        MappingError: neither the transfer nor the mapping names one.
    """
    if transfer.project is None:
        raise MappingError(
            f"transfer {transfer.name!r} names no Dialog Insight project",
            hint="add `project: <idProject>` to the mapping or to the transfer",
        )
    return transfer.project


def endpoints_for(transfer: Transfer, connections: Connections) -> dict[str, Endpoint]:
    """Every side of ``transfer`` as an :class:`~ditoolkit.core.pipeline.Endpoint`.

    Connects (on first use) only to the systems the transfer names. The Salesforce side
    reads ``SystemModstamp`` with its source rows (the next watermark, and what incremental
    reads filter on) and lists its deleted records (:class:`DeletedSalesforceRows`); Dialog
    Insight and CSV files keep no modification time.
    """
    endpoints: dict[str, Endpoint] = {}
    if transfer.salesforce is not None:
        side, system = transfer.salesforce, connections.salesforce
        endpoints["salesforce"] = Endpoint(
            system,
            side.object,
            side.where,
            label=f"Salesforce {side.object}",
            modstamp=MODSTAMP,
            read_deleted=DeletedSalesforceRows(system, key=transfer.key.salesforce),
        )
    if transfer.dialoginsight is not None:
        table, project = transfer.dialoginsight.table, di_project(transfer)
        bound = DiProjectSystem(connections.dialoginsight, project)
        label = f"Dialog Insight {project} {table}"
        endpoints["dialoginsight"] = Endpoint(bound, table, label=label)
    if transfer.csv is not None:
        path = transfer.csv.path
        endpoints["csv"] = Endpoint(csv_system(transfer), path, label=f"CSV {path}")
    return endpoints

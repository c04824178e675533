"""The ports a transfer's sides need: Salesforce, a Dialog Insight project, a CSV file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ditoolkit.core.mapping import Transfer
from ditoolkit.core.pipeline import Endpoint
from ditoolkit.errors import MappingError
from ditoolkit.port import TableSchema, WriteResult
from ditoolkit.systems.csvfile import CsvSystem
from ditoolkit.systems.dialoginsight import DialogInsightSystem
from ditoolkit.workflow.connections import Connections

#: The Salesforce field stamped on every change, read with every Salesforce source read.
MODSTAMP = "SystemModstamp"


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
    reads filter on); Dialog Insight and CSV files keep no modification time.
    """
    endpoints: dict[str, Endpoint] = {}
    if transfer.salesforce is not None:
        side = transfer.salesforce
        endpoints["salesforce"] = Endpoint(
            connections.salesforce,
            side.object,
            side.where,
            label=f"Salesforce {side.object}",
            modstamp=MODSTAMP,
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

"""The live schemas of both connected systems, each described once, for panels and checks.

:class:`LiveSchemas` answers the questions the connection panel and the mapping editor ask
(which objects, projects, tables and fields exist) and builds the
:class:`~ditoolkit.core.compatibility.SchemaCatalog` a mapping is validated against.
"""

from __future__ import annotations

from typing import Any, Protocol

import pandas as pd

from ditoolkit.core.compatibility import SchemaCatalog
from ditoolkit.core.mapping import Mapping, Transfer
from ditoolkit.errors import NotFoundError
from ditoolkit.port import TableSchema

#: Objects the Salesforce sandbox keeps for login only: not offered as transfer ends.
IDENTITY_OBJECTS = frozenset({"User", "Organization"})


class SalesforceLike(Protocol):
    """What the panels need of a Salesforce adapter."""

    def tables(self) -> list[str]: ...

    def describe(self, table: str) -> TableSchema: ...


class DialogInsightLike(Protocol):
    """What the panels need of a Dialog Insight adapter."""

    def projects(self) -> pd.DataFrame: ...

    def tables(self, *, project: int | None = None) -> list[str]: ...

    def describe(self, table: str, *, project: int | None = None) -> TableSchema: ...


class LiveSchemas:
    """Both systems' objects, projects, tables and schemas, each fetched once.

    Args:
        salesforce: a connected Salesforce adapter (``None`` when not connected).
        dialoginsight: a connected Dialog Insight adapter (``None`` when not connected).
    """

    def __init__(
        self, salesforce: SalesforceLike | None, dialoginsight: DialogInsightLike | None
    ) -> None:
        self.salesforce_system = salesforce
        self.dialoginsight_system = dialoginsight
        self._objects: list[str] | None = None
        self._projects: pd.DataFrame | None = None
        self._schemas: dict[tuple[Any, ...], TableSchema | None] = {}

    def objects(self) -> list[str]:
        """Salesforce objects a transfer can use (login-only objects left out)."""
        if self.salesforce_system is None:
            return []
        if self._objects is None:
            names = self.salesforce_system.tables()
            self._objects = [n for n in names if n not in IDENTITY_OBJECTS]
        return list(self._objects)

    def projects(self) -> pd.DataFrame:
        """DI projects: ``idProject``, ``name``, ``type`` (A/B when known)."""
        if self.dialoginsight_system is None:
            return pd.DataFrame({"idProject": [], "name": [], "type": []})
        if self._projects is None:
            self._projects = self.dialoginsight_system.projects()
        return self._projects.copy()

    def project_types(self) -> dict[int, str]:
        """DI project id → ``A`` or ``B`` (projects of unknown type left out)."""
        frame = self.projects()
        return {
            int(row.idProject): str(row.type)
            for row in frame.itertuples()
            if not pd.isna(row.type) and str(row.type)
        }

    def tables(self, project: int | None) -> list[str]:
        """``Contact`` and the relational table codes of ``project``."""
        if self.dialoginsight_system is None or project is None:
            return []
        return self.dialoginsight_system.tables(project=project)

    def salesforce(self, name: str | None) -> TableSchema | None:
        """The object's schema, or ``None`` when it does not exist or nothing is connected."""
        if not name or self.salesforce_system is None:
            return None
        key = ("salesforce", name)
        if key not in self._schemas:
            try:
                self._schemas[key] = self.salesforce_system.describe(name)
            except NotFoundError:
                self._schemas[key] = None
        return self._schemas[key]

    def dialoginsight(self, project: int | None, table: str | None) -> TableSchema | None:
        """The DI table's schema, or ``None`` when it does not exist or nothing is connected."""
        if not table or project is None or self.dialoginsight_system is None:
            return None
        key = ("dialoginsight", project, table)
        if key not in self._schemas:
            try:
                self._schemas[key] = self.dialoginsight_system.describe(table, project=project)
            except NotFoundError:
                self._schemas[key] = None
        return self._schemas[key]

    def csv(self, transfer: Transfer) -> TableSchema | None:
        """The columns of a transfer's CSV file (all text), or ``None`` when it has none."""
        if transfer.csv is None or transfer.csv.resolved is None:
            return None
        from ditoolkit.systems.csvfile import CsvSystem

        side = transfer.csv
        key = ("csv", str(side.resolved))
        if key not in self._schemas:
            files = CsvSystem(
                files={side.path: str(side.resolved)},
                delimiter=side.delimiter,
                encoding=side.encoding,
            )
            try:
                self._schemas[key] = files.describe(side.path)
            except NotFoundError:
                self._schemas[key] = None
        return self._schemas[key]

    def catalog_for(self, mapping: Mapping) -> SchemaCatalog:
        """The schemas ``mapping`` names, for :func:`~ditoolkit.core.compatibility.validate_mapping`."""
        catalog = SchemaCatalog(project_types=self.project_types())
        for transfer in mapping.transfers:
            self._add(catalog, transfer)
        return catalog

    def _add(self, catalog: SchemaCatalog, transfer: Transfer) -> None:
        if transfer.salesforce is not None:
            found = self.salesforce(transfer.salesforce.object)
            if found is not None:
                catalog.salesforce[transfer.salesforce.object] = found
        if transfer.dialoginsight is not None and transfer.project is not None:
            table = transfer.dialoginsight.table
            schema = self.dialoginsight(transfer.project, table)
            if schema is not None:
                catalog.dialoginsight[(transfer.project, table)] = schema
        if transfer.csv is not None:
            columns = self.csv(transfer)
            if columns is not None:
                catalog.csv[transfer.csv.path] = columns

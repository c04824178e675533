"""A mapping checked against both live schemas (and its CSV files) before anything runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from ditoolkit.core.compatibility import SchemaCatalog, validate_mapping
from ditoolkit.core.findings import Finding
from ditoolkit.core.mapping import Mapping
from ditoolkit.errors import NotFoundError
from ditoolkit.port import TableSchema
from ditoolkit.workflow.binding import csv_system
from ditoolkit.workflow.connections import Connections


def project_types(connections: Connections) -> dict[int, str]:
    """DI project id → ``A`` or ``B``, for the projects whose type is known."""
    frame = connections.dialoginsight.projects()
    return {
        int(row.idProject): str(row.type).upper()
        for row in frame.itertuples()
        if isinstance(row.type, str) and row.type
    }


def _maybe(describe: Callable[[], TableSchema]) -> TableSchema | None:
    """The schema, or None when the table does not exist (validation then names it)."""
    try:
        return describe()
    except NotFoundError:
        return None


def schema_catalog(
    mapping: Mapping, connections: Connections
) -> tuple[SchemaCatalog, list[Finding]]:
    """Describe every table the mapping names, once each.

    Tables that do not exist are left out of the catalog (validation then names them); a CSV
    file that does not exist is a finding of its own.

    Returns:
        The catalog, and findings about files the catalog could not hold.
    """
    catalog = SchemaCatalog()
    findings: list[Finding] = []
    for t in mapping.transfers:
        if t.salesforce is not None and t.salesforce.object not in catalog.salesforce:
            name = t.salesforce.object
            found = _maybe(partial(connections.salesforce.describe, name))
            if found is not None:
                catalog.salesforce[name] = found
        if t.dialoginsight is not None and t.project is not None:
            table, project = t.dialoginsight.table, t.project
            if (project, table) not in catalog.dialoginsight:
                di = _maybe(partial(connections.dialoginsight.describe, table, project=project))
                if di is not None:
                    catalog.dialoginsight[(project, table)] = di
        if t.csv is not None and t.csv.path not in catalog.csv:
            try:
                catalog.csv[t.csv.path] = csv_system(t).describe(t.csv.path)
            except NotFoundError as exc:
                findings.append(
                    Finding("error", t.name, None, "csv_not_found", exc.message, exc.hint, t.line)
                )
    if any(t.dialoginsight is not None for t in mapping.transfers):
        catalog.project_types.update(project_types(connections))
    return catalog, findings


@dataclass(frozen=True)
class MappingCheck:
    """A mapping checked against the live schemas.

    Attributes:
        catalog: the schemas read (and the DI projects' types).
        findings: every finding: errors block a run, warnings do not.
    """

    catalog: SchemaCatalog
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        """The blocking findings."""
        return [f for f in self.findings if f.blocking]

    @property
    def warnings(self) -> list[Finding]:
        """The findings that do not block."""
        return [f for f in self.findings if not f.blocking]


def check_mapping(mapping: Mapping, connections: Connections) -> MappingCheck:
    """Check ``mapping`` against both live schemas and its CSV files."""
    catalog, findings = schema_catalog(mapping, connections)
    return MappingCheck(catalog, findings + validate_mapping(mapping, catalog))

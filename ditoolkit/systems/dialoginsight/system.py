"""``DialogInsightSystem``: the System port over one Dialog Insight connection.

Tables are ``Contact`` (a project's contacts) and relational tables by code, within a project
given per call or as the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ditoolkit.errors import ConfigError, RemoteSystemError
from ditoolkit.port import Operation, RowResult, TableSchema, WriteResult
from ditoolkit.secrets import Secret
from ditoolkit.systems.dialoginsight import assumptions as A
from ditoolkit.systems.dialoginsight.clauses import build_clauses, paged
from ditoolkit.systems.dialoginsight.client import DialogInsightClient
from ditoolkit.systems.dialoginsight.deleting import delete_rows
from ditoolkit.systems.dialoginsight.schema import (
    CONTACT_TABLE,
    SYSTEM,
    TableConfig,
    contact_schema,
    relational_schema,
    with_frame_columns,
)
from ditoolkit.systems.dialoginsight.settings import (
    ProjectConfig,
    Target,
    options_from_settings,
    resolve_target,
)
from ditoolkit.systems.dialoginsight.values import records_frame
from ditoolkit.systems.dialoginsight.writing import (
    check_key,
    merge_options,
    merge_results,
    parse_operation,
    prepare_rows,
)


class DialogInsightSystem:
    """Read and write Dialog Insight contacts and relational tables as DataFrames.

    Args:
        base_url: the services' base URL, or ``region`` (``canada`` / ``france``).
        region: used when no ``base_url`` is given.
        id_key: the web-services key's ``idKey``.
        key: the key's ``Key`` (a str or :class:`~ditoolkit.secrets.Secret`).
        ca_bundle: the CA file to trust (the sandbox's ``ca.pem``).
        timeout: seconds to wait for each answer.
        batch_size: records per ``Merge`` / keys per ``Delete`` (at most 1,000).
        page_size: ``MaxRows`` per ``Get`` page (at most 1,000).
        tables: relational tables, ``{idTable, code, idProject[, key, fields]}`` entries.
        projects: projects from configuration, ``{idProject, name, type[, key, fields]}``.
        default_project: the project used when a call names none.
        project_types: ``{idProject: "A" | "B"}`` (the API does not say).
        modified_field: a field holding each record's modification date, used by ``since``.
        attempts, retry_wait, retry_max_wait: retries of throttled or failing calls.
        max_response_mb: the largest answer read (a larger one is refused unread).
    """

    name = SYSTEM

    def __init__(
        self,
        *,
        base_url: str | None = None,
        region: str | None = None,
        id_key: int | str,
        key: str | Secret,
        ca_bundle: str | None = None,
        timeout: float = A.DEFAULT_TIMEOUT,
        batch_size: int = A.DEFAULT_BATCH_SIZE,
        page_size: int = A.MAX_ROWS_PER_GET,
        tables: Iterable[Mapping[str, Any] | TableConfig] = (),
        projects: Iterable[Mapping[str, Any]] = (),
        default_project: int | None = None,
        project_types: Mapping[int | str, str] | None = None,
        modified_field: str | None = None,
        attempts: int = A.DEFAULT_ATTEMPTS,
        retry_wait: float = A.DEFAULT_RETRY_WAIT,
        retry_max_wait: float = A.DEFAULT_RETRY_MAX_WAIT,
        max_response_mb: float = A.DEFAULT_MAX_RESPONSE_MB,
    ) -> None:
        if not 1 <= batch_size <= A.MAX_RECORDS_PER_MERGE:
            raise ConfigError(
                f"batch_size {batch_size} is out of range",
                hint=f"use 1 to {A.MAX_RECORDS_PER_MERGE}",
            )
        if not 1 <= page_size <= A.MAX_ROWS_PER_GET:
            raise ConfigError(
                f"page_size {page_size} is out of range", hint=f"use 1 to {A.MAX_ROWS_PER_GET}"
            )
        self.client = DialogInsightClient(
            base_url=base_url,
            region=region,
            id_key=id_key,
            key=key,
            ca_bundle=ca_bundle,
            timeout=timeout,
            attempts=attempts,
            retry_wait=retry_wait,
            retry_max_wait=retry_max_wait,
            max_response_mb=max_response_mb,
        )
        self.batch_size = batch_size
        self.page_size = page_size
        self.table_configs = [
            t if isinstance(t, TableConfig) else TableConfig.from_mapping(t) for t in tables
        ]
        self.project_configs = {p.id_project: p for p in map(ProjectConfig.from_mapping, projects)}
        for id_project, kind in (project_types or {}).items():
            known = self.project_configs.setdefault(int(id_project), ProjectConfig(int(id_project)))
            known.type = str(kind).upper()
        self.default_project = int(default_project) if default_project is not None else None
        self.modified_field = modified_field
        self._schemas: dict[tuple[int | None, str], TableSchema] = {}

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, Any] | object, **overrides: Any
    ) -> DialogInsightSystem:
        """Build from a ``sandbox.json``-shaped ``dialoginsight`` section.

        Keys: ``base_url`` (or ``region``), ``idKey``, ``Key``, ``ca_bundle``, ``projects``,
        ``tables``, and optionally ``default_project``, ``timeout``, ``batch_size``,
        ``page_size``, ``modified_field``, ``max_response_mb``. A resolved settings object (attributes ``base_url``,
        ``id_key``, ``key``, ``ca_bundle``, ``projects``, ``tables``) is accepted too.
        ``overrides`` are constructor keywords that win over ``settings``.

        Raises:
            ConfigError: ``idKey`` or ``Key`` is missing.
        """
        options = options_from_settings(settings)
        options.update(overrides)
        return cls(**options)

    def __repr__(self) -> str:
        return (
            f"DialogInsightSystem(base_url={self.client.base_url!r}, "
            f"id_key={self.client.id_key!r}, key=***, default_project={self.default_project!r})"
        )

    @property
    def api_calls(self) -> int:
        """HTTP calls made so far through this connection."""
        return self.client.total_calls

    def close(self) -> None:
        """Close the HTTP session."""
        self.client.close()

    # --- what the connection holds ------------------------------------------------------

    def projects(self) -> pd.DataFrame:
        """The projects this key sees: ``idProject``, ``name``, ``type`` (A/B when known)."""
        rows = []
        for record in self.client.projects_list():
            id_project = record.get("idProject")
            if id_project is None:
                continue
            known = self.project_configs.get(int(id_project))
            name = record.get("ProjectName") or record.get("Name") or (known and known.name)
            rows.append((int(id_project), name, known.type if known else None))
        frame = pd.DataFrame(rows, columns=["idProject", "name", "type"])
        return frame.astype({"idProject": "Int64", "name": "string", "type": "string"})

    def tables(self, *, project: int | None = None) -> list[str]:
        """``Contact`` and the codes of the project's relational tables (all when none)."""
        id_project = project if project is not None else self.default_project
        codes = [
            t.code
            for t in self.table_configs
            if id_project is None or t.id_project in (None, id_project)
        ]
        return [CONTACT_TABLE, *codes]

    def describe(self, table: str, *, project: int | None = None) -> TableSchema:
        """The schema of ``Contact`` (from ``Projects.Get``) or of a relational table.

        Raises:
            NotFoundError: the table or the project does not exist.
        """
        target = self._target(table, project)
        cache_key = (target.id_project, target.name)
        if cache_key in self._schemas:
            return self._schemas[cache_key]
        schema = self._fetch_schema(target)
        if len(schema):  # an empty sample tells nothing yet: ask again next time
            self._schemas[cache_key] = schema
        return schema

    def _fetch_schema(self, target: Target) -> TableSchema:
        if target.table is None:
            assert target.id_project is not None
            info = self.client.projects_get(target.id_project)
            known = self.project_configs.get(target.id_project)
            return contact_schema(
                info,
                project=target.id_project,
                label=known.name if known else None,
                declared=known.fields if known else (),
            )
        config = target.table
        if config.fields:
            return relational_schema(config)
        sample = self.client.relational_get(config.id_table, max_rows=1)
        return relational_schema(config, sample=sample[0] if sample else None)

    # --- reading --------------------------------------------------------------------------

    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        where: Any = None,
        since: Any = None,
        project: int | None = None,
    ) -> pd.DataFrame:
        """Rows of ``table`` as a DataFrame typed from :meth:`describe`.

        Args:
            table: ``Contact`` or a relational table code.
            columns: the columns to return (default: every field).
            where: a filter (see :func:`~.clauses.build_clauses`); ``None`` reads everything,
                paged by key.
            since: only rows modified since then; needs ``modified_field``.
            project: the project (default: ``default_project``).
        """
        target = self._target(table, project)
        schema = self.describe(table, project=target.id_project)
        wanted = [schema.field(c).name for c in columns] if columns is not None else None
        clauses = build_clauses(where, schema) + self._since_clause(since, schema)
        records: list[dict[str, Any]] = []
        for page in self._pages(target, schema, clauses):
            records.extend(page)
        return records_frame(records, schema, columns=wanted)

    def _since_clause(self, since: Any, schema: TableSchema) -> list[dict[str, Any]]:
        if since is None:
            return []
        if self.modified_field is None or self.modified_field not in schema:
            raise ConfigError(
                f"cannot read {schema.name} since {since!r}: Dialog Insight's web services "
                "expose no modification date",
                hint="set modified_field to a date field your project fills on each change",
            )
        return build_clauses([(self.modified_field, "GreaterThan", since)], schema)

    def _pages(
        self, target: Target, schema: TableSchema, clauses: list[dict[str, Any]]
    ) -> Iterable[list[dict[str, Any]]]:
        if target.table is None:
            id_project = target.id_project
            assert id_project is not None

            def fetch(clause: Any, rows: int) -> list[dict[str, Any]]:
                return self.client.contacts_get(id_project, clause=clause, max_rows=rows)

            key, single = A.CONTACT_ID, True
        else:
            id_table = target.table.id_table

            def fetch(clause: Any, rows: int) -> list[dict[str, Any]]:
                return self.client.relational_get(id_table, clause=clause, max_rows=rows)

            key, single = (schema.key or ""), False
            if not schema.key:
                return [self._one_page(fetch, clauses, schema)]
        return paged(
            fetch, clauses=clauses, key=key, page_size=self.page_size, single_as_object=single
        )

    def _one_page(self, fetch: Any, clauses: list[dict[str, Any]], schema: TableSchema) -> Any:
        records = fetch(clauses or None, self.page_size)
        if len(records) >= self.page_size:
            raise ConfigError(
                f"relational table {schema.name!r} has more than {self.page_size} matching rows "
                "and no known key to page by",
                hint='declare its key in the table settings ("key": "<field>") '
                "or narrow the filter",
            )
        return records

    # --- writing --------------------------------------------------------------------------

    def write(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        operation: str,
        key: str | Sequence[str] | None = None,
        project: int | None = None,
        nulls: str = "leave",
        merge_options: Mapping[str, Any] | None = None,
    ) -> WriteResult:
        """Write ``frame`` to ``table``: one result row per input row, in input order.

        Args:
            table: ``Contact`` or a relational table code.
            frame: the rows; columns are field names (``idContact``, ``f_…``, ``optin_…``).
            operation: ``upsert``, ``insert``, ``update`` or ``delete``.
            key: the key column(s); default the project's primary key (``idContact`` when
                the frame has it and the key does not), or the table's key.
            project: the project (default: ``default_project``).
            nulls: ``leave`` (omit nulls) or ``clear`` (send them as empty; never opt-ins).
            merge_options: MergeOptions overriding those the operation sets.

        Raises:
            ConfigError: an unknown operation, column or key.
            RemoteSystemError: a call failed; ``.result`` holds the rows done before it.
        """
        op = parse_operation(operation)
        if nulls not in ("leave", "clear"):
            raise ConfigError(f"nulls={nulls!r} is not known", hint="use 'leave' or 'clear'")
        target = self._target(table, project)
        schema = self.describe(table, project=target.id_project)
        if target.table is not None and not target.table.fields:
            schema = with_frame_columns(schema, {str(c): str(t) for c, t in frame.dtypes.items()})
        keys = self._keys(schema, frame, key, contacts=target.table is None)
        before = self.api_calls
        rows: list[RowResult] = []
        try:
            if op is Operation.DELETE:
                rows = delete_rows(self, target, schema, frame, keys=keys, into=rows)
            else:
                self._merge(target, schema, frame, keys, op, nulls == "clear", merge_options, rows)
        except RemoteSystemError as exc:
            exc.result = WriteResult.from_rows(  # type: ignore[attr-defined]
                SYSTEM, schema.name, rows, api_calls=self.api_calls - before
            )
            raise
        return WriteResult.from_rows(SYSTEM, schema.name, rows, api_calls=self.api_calls - before)

    def _keys(
        self, schema: TableSchema, frame: pd.DataFrame, key: Any, *, contacts: bool
    ) -> list[str]:
        if key is not None:
            names = [key] if isinstance(key, str) else list(key)
            for name in names:
                if schema.get(name) is None:
                    raise ConfigError(
                        f"key {name!r} is not a field of Dialog Insight table {schema.name!r}",
                        hint=f"use one of {schema.names}",
                    )
            keys = [schema.field(n).name for n in names]
        else:
            keys = [f.name for f in schema.fields if f.key]
            has_id = any(str(c).lower() == A.CONTACT_ID.lower() for c in frame.columns)
            if contacts and has_id and not set(keys) <= {str(c) for c in frame.columns}:
                keys = [A.CONTACT_ID]
        check_key(frame, schema, keys)
        return keys

    def _merge(
        self,
        target: Target,
        schema: TableSchema,
        frame: pd.DataFrame,
        keys: list[str],
        op: Operation,
        clear: bool,
        overrides: Mapping[str, Any] | None,
        rows: list[RowResult],
    ) -> None:
        contacts = target.table is None
        ready, failed = prepare_rows(
            frame, schema, keys=keys, contacts=contacts, clear=clear, operation=op.value
        )
        rows.extend(failed)
        options = merge_options(op, overrides)
        key_specs = [schema.field(k) for k in keys]
        for start in range(0, len(ready), self.batch_size):
            batch = ready[start : start + self.batch_size]
            records = [p.record for p in batch]
            if contacts:
                assert target.id_project is not None
                answer = self.client.contacts_merge(target.id_project, records, options=options)
            else:
                assert target.table is not None
                answer = self.client.relational_merge(
                    target.table.id_table, records, options=options
                )
            rows.extend(
                merge_results(
                    batch, answer, operation=op.value, key_specs=key_specs, contacts=contacts
                )
            )

    # --- names ----------------------------------------------------------------------------

    def _target(self, table: str, project: int | None) -> Target:
        return resolve_target(
            table,
            project if project is not None else self.default_project,
            tables=self.table_configs,
            projects=self.project_configs,
        )

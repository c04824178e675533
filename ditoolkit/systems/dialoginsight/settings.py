"""Configuration the API does not give: project types, declared fields, what a call targets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ditoolkit.errors import ConfigError, NotFoundError
from ditoolkit.port import FieldSchema
from ditoolkit.systems.dialoginsight.schema import (
    CONTACT_TABLE,
    SYSTEM,
    TableConfig,
    declared_fields,
)

#: Optional settings passed through to the adapter's constructor when present.
_OPTIONAL = (
    "region",
    "timeout",
    "batch_size",
    "page_size",
    "modified_field",
    "default_project",
    "max_response_mb",
)


@dataclass
class ProjectConfig:
    """A project as configuration knows it (sandbox.json ``projects``, a profile).

    Attributes:
        id_project: the project's ``idProject``.
        name: its name.
        type: ``A`` (fed from Salesforce) or ``B`` (contacts acquired in DI), when known.
        fields: declared fields (types and the primary key where ``Projects.Get`` is silent).
    """

    id_project: int
    name: str | None = None
    type: str | None = None
    fields: tuple[FieldSchema, ...] = field(default=())

    @classmethod
    def from_mapping(cls, entry: Mapping[str, Any]) -> ProjectConfig:
        """Build from ``{"idProject": 1001, "name": ..., "type": "A"[, "key", "fields"]}``.

        Raises:
            ConfigError: ``idProject`` is missing or not a number.
        """
        try:
            id_project = int(entry["idProject"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"Dialog Insight project entry {dict(entry)!r} needs an integer idProject",
                hint='write it as {"idProject": 1001, "name": "Communications", "type": "A"}',
            ) from exc
        raw_key = entry.get("key") or ()
        keys = (raw_key,) if isinstance(raw_key, str) else tuple(str(k) for k in raw_key)
        declared = entry.get("fields") or ()
        fields = declared_fields(declared, keys=keys, where=f"project {id_project}")
        names = {f.name for f in fields}
        fields += declared_fields([k for k in keys if k not in names], keys=keys)
        kind = entry.get("type")
        name = entry.get("name") or entry.get("ProjectName")
        return cls(id_project, name, str(kind).upper() if kind else None, fields)


@dataclass(frozen=True)
class Target:
    """What one call reads or writes.

    Attributes:
        name: ``Contact`` or the relational table's code.
        id_project: the project (for relational tables, when known).
        table: the relational table's configuration; ``None`` for contacts.
    """

    name: str
    id_project: int | None
    table: TableConfig | None


def options_from_settings(settings: Mapping[str, Any] | Any) -> dict[str, Any]:
    """Constructor keywords from a ``sandbox.json``-shaped ``dialoginsight`` section.

    Also accepts an object with ``base_url``, ``id_key``, ``key``, ``ca_bundle``,
    ``projects`` (``id``, ``name``, ``type``) and ``tables`` (``id_table``, ``code``,
    ``id_project``) attributes, as the configuration layer resolves them.

    Raises:
        ConfigError: ``idKey`` or ``Key`` is missing.
    """
    if not isinstance(settings, Mapping):
        settings = _from_object(settings)
    missing = [k for k in ("idKey", "Key") if not settings.get(k)]
    if missing:
        raise ConfigError(
            f"the Dialog Insight settings lack {missing}",
            hint="give idKey and Key (Users → Web Services → key properties in DI)",
        )
    options: dict[str, Any] = {
        "base_url": settings.get("base_url"),
        "id_key": settings["idKey"],
        "key": settings["Key"],
        "ca_bundle": settings.get("ca_bundle"),
        "tables": settings.get("tables") or (),
        "projects": settings.get("projects") or (),
    }
    options.update({k: settings[k] for k in _OPTIONAL if settings.get(k) is not None})
    return options


def _from_object(settings: Any) -> dict[str, Any]:
    projects = [
        {"idProject": p.id, "name": p.name or None, "type": p.type or None}
        for p in getattr(settings, "projects", ())
    ]
    tables = [
        {"idTable": t.id_table, "code": t.code, "idProject": t.id_project}
        for t in getattr(settings, "tables", ())
    ]
    return {
        "base_url": getattr(settings, "base_url", None) or None,
        "idKey": getattr(settings, "id_key", None),
        "Key": getattr(settings, "key", None),
        "ca_bundle": getattr(settings, "ca_bundle", None),
        "max_response_mb": getattr(settings, "max_response_mb", None),
        "projects": projects,
        "tables": tables,
    }


def resolve_target(
    table: str,
    id_project: int | None,
    *,
    tables: Sequence[TableConfig],
    projects: Mapping[int, ProjectConfig],
) -> Target:
    """What ``table`` names within ``id_project`` (the only configured project when none).

    Raises:
        NotFoundError: no relational table has that code.
        ConfigError: the contacts table is named without a project and several are known.
    """
    id_project = int(id_project) if id_project is not None else None
    if table.lower() == CONTACT_TABLE.lower():
        if id_project is None and len(projects) == 1:
            id_project = next(iter(projects))
        if id_project is None:
            raise ConfigError(
                "which Dialog Insight project? none was given and there is no default",
                hint="pass project=<idProject> or set default_project",
            )
        return Target(CONTACT_TABLE, id_project, None)
    matches = [t for t in tables if t.code.lower() == table.lower()]
    if id_project is not None and len(matches) > 1:
        matches = [t for t in matches if t.id_project in (None, id_project)]
    if not matches:
        known = [t.code for t in tables if id_project is None or t.id_project == id_project]
        raise NotFoundError(
            f"no table {table!r} in project {id_project}",
            system=SYSTEM,
            code="TableNotFound",
            hint=f"known tables: {[CONTACT_TABLE, *known]}; relational tables come from the "
            "connection's tables setting",
        )
    return Target(matches[0].code, matches[0].id_project or id_project, matches[0])

"""Schemas of Dialog Insight tables: a project's contacts (from ``Projects.Get``) and
relational tables (from configuration, since the API does not list them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ditoolkit.errors import ConfigError
from ditoolkit.port import FieldSchema, FieldType, TableSchema
from ditoolkit.systems.dialoginsight import assumptions as A

SYSTEM = "dialoginsight"
CONTACT_TABLE = "Contact"


@dataclass(frozen=True)
class TableConfig:
    """A relational table as configuration knows it (sandbox.json ``tables``, a profile).

    Attributes:
        id_table: the table's ``idTable``.
        code: the table's code (``Purchases``), used as its name.
        id_project: the project the table belongs to, when known.
        key: the table's primary-key field(s) (``idPurchase``), when known.
        fields: declared fields, in order (types default to string).
    """

    id_table: int
    code: str
    id_project: int | None = None
    key: tuple[str, ...] = ()
    fields: tuple[FieldSchema, ...] = field(default=())

    @classmethod
    def from_mapping(cls, entry: Mapping[str, Any]) -> TableConfig:
        """Build from ``{"idTable": 2001, "code": "Purchases", "idProject": 1001, ...}``.

        Optional keys: ``key`` (a name or a list) and ``fields`` (a list of
        ``{"name", "type", "length", "required"}`` or a ``{name: type}`` mapping).

        Raises:
            ConfigError: ``idTable`` or ``code`` is missing or malformed.
        """
        try:
            id_table = int(entry["idTable"])
            code = str(entry["code"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"Dialog Insight table entry {dict(entry)!r} needs an integer idTable and a code",
                hint='write it as {"idTable": 2001, "code": "Purchases", "idProject": 1001}',
            ) from exc
        raw_key = entry.get("key") or ()
        keys = (raw_key,) if isinstance(raw_key, str) else tuple(str(k) for k in raw_key)
        project = entry.get("idProject")
        fields = declared_fields(entry.get("fields") or (), keys=keys, where=f"table {code}")
        return cls(id_table, code, int(project) if project is not None else None, keys, fields)


def field_type(name: Any, *, where: str = "") -> FieldType:
    """The normalized type for a DI ``DataType`` or a ditoolkit type name; string if unknown."""
    if name is None:
        return FieldType.STRING
    text = str(name).strip().lower()
    if text in A.DATA_TYPES:
        return A.DATA_TYPES[text]
    try:
        return FieldType(text)
    except ValueError:
        raise ConfigError(
            f"unknown field type {name!r}{' in ' + where if where else ''}",
            hint=f"use one of {sorted(t.value for t in FieldType)}",
        ) from None


def declared_fields(
    declared: Mapping[str, Any] | Iterable[Any], *, keys: Sequence[str] = (), where: str = ""
) -> tuple[FieldSchema, ...]:
    """Fields declared in configuration: ``{name: type}`` or a list of dicts with ``name``."""
    items: list[Mapping[str, Any]]
    if isinstance(declared, Mapping):
        items = [{"name": name, "type": kind} for name, kind in declared.items()]
    else:
        items = [d if isinstance(d, Mapping) else {"name": str(d)} for d in declared]
    out = []
    for item in items:
        name = str(item["name"])
        kind = field_type(item.get("type"), where=f"{where}, field {name}")
        length = item.get("length")
        if name == A.CONTACT_ID and item.get("type") is None:
            kind = FieldType.REFERENCE
        out.append(
            FieldSchema(
                name,
                kind,
                label=item.get("label"),
                length=int(length) if length else None,
                required=bool(item.get("required", name in keys)),
                key=name in keys,
                unique=name in keys and len(keys) == 1,
                reference_to=(CONTACT_TABLE,) if name == A.CONTACT_ID else (),
            )
        )
    return tuple(out)


def _label(item: Mapping[str, Any]) -> str | None:
    labels = item.get("Labels")
    if isinstance(labels, list) and labels and isinstance(labels[0], Mapping):
        value = labels[0].get("Value")
        return str(value) if value is not None else None
    return None


def _project_field(item: Mapping[str, Any], overrides: Mapping[str, FieldSchema]) -> FieldSchema:
    name = A.FIELD_PREFIX + str(item.get("Code"))
    length = item.get("Length")
    declared = overrides.get(name)
    kind = field_type(item.get("DataType")) if item.get("DataType") else None
    is_key = bool(item.get("isPrimaryKey")) or bool(declared and declared.key)
    return FieldSchema(
        name,
        kind or (declared.type if declared else FieldType.STRING),
        label=_label(item),
        length=int(length) if isinstance(length, int | float) and length else None,
        required=bool(item.get("isRequired")) or is_key,
        key=is_key,
        unique=is_key,
    )


def contact_schema(
    info: Mapping[str, Any],
    *,
    project: int,
    label: str | None = None,
    declared: Sequence[FieldSchema] = (),
) -> TableSchema:
    """The contacts table of a project from its ``Projects.Get`` ``ProjectInfo``.

    Args:
        info: ``ProjectInfo`` (``ProjectFields``, ``OptinFields``); missing keys read as empty.
        project: the project's id, for messages.
        label: the project's name.
        declared: fields from configuration: their type applies where ``DataType`` is absent,
            and ``key=True`` marks the primary key where ``isPrimaryKey`` is absent.
    """
    overrides = {f.name: f for f in declared}
    fields = [
        FieldSchema(A.CONTACT_ID, FieldType.ID, label="Contact id", unique=True, updateable=False)
    ]
    for item in _items(info.get("ProjectFields")):
        if item.get("Code"):
            fields.append(_project_field(item, overrides))
    for item in _items(info.get("OptinFields")):
        if item.get("Code"):
            name = A.OPTIN_PREFIX + str(item["Code"])
            fields.append(FieldSchema(name, FieldType.BOOLEAN, label=_label(item), optin=True))
    keys = [f.name for f in fields if f.key]
    return TableSchema(
        SYSTEM,
        CONTACT_TABLE,
        tuple(fields),
        key=keys[0] if keys else None,
        label=label or (str(info["ProjectName"]) if info.get("ProjectName") else None),
    )


def relational_schema(
    config: TableConfig, *, sample: Mapping[str, Any] | None = None
) -> TableSchema:
    """A relational table's schema from configuration, or from the names in a sample row."""
    fields = list(config.fields)
    known = {f.name for f in fields}
    for name in config.key:
        if name not in known:
            fields.insert(0, FieldSchema(name, FieldType.STRING, key=True, required=True))
            known.add(name)
    for name in sample or {}:
        if name not in known:
            fields.extend(declared_fields([{"name": name}], keys=config.key))
            known.add(name)
    return TableSchema(
        SYSTEM,
        config.code,
        tuple(fields),
        key=config.key[0] if config.key else None,
        label=f"relational table {config.id_table}",
    )


def with_frame_columns(schema: TableSchema, columns: dict[str, str]) -> TableSchema:
    """``schema`` plus fields for the given columns it lacks, typed from their pandas dtype.

    Used for relational tables whose fields configuration does not declare: the data says
    what it holds (dates, numbers, booleans), anything else is a string.
    """
    known = {f.name.lower() for f in schema.fields}
    extra = [
        FieldSchema(
            name,
            FieldType.REFERENCE if name == A.CONTACT_ID else _dtype_type(dtype),
            reference_to=(CONTACT_TABLE,) if name == A.CONTACT_ID else (),
        )
        for name, dtype in columns.items()
        if name.lower() not in known
    ]
    if not extra:
        return schema
    return TableSchema(
        schema.system, schema.name, schema.fields + tuple(extra), schema.key, schema.label
    )


def _dtype_type(dtype: str) -> FieldType:
    text = dtype.lower()
    if text.startswith("datetime64") and "utc" in text:
        return FieldType.DATETIME
    if text.startswith("datetime64"):
        return FieldType.DATE
    if text in ("bool", "boolean"):
        return FieldType.BOOLEAN
    if text.startswith(("int", "uint")):
        return FieldType.INTEGER
    if text.startswith("float"):
        return FieldType.DECIMAL
    return FieldType.STRING


def key_fields(schema: TableSchema) -> list[str]:
    """The primary-key field names of ``schema`` (several for a composite key)."""
    return [f.name for f in schema.fields if f.key]


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []

"""Salesforce describe results → :class:`~ditoolkit.port.TableSchema`."""

from __future__ import annotations

from typing import Any

from ditoolkit.port import FieldSchema, FieldType, TableSchema

#: Salesforce describe ``type`` → normalized type. Anything else reads as a string.
SF_TYPES: dict[str, FieldType] = {
    "id": FieldType.ID,
    "string": FieldType.STRING,
    "textarea": FieldType.TEXT,
    "email": FieldType.EMAIL,
    "phone": FieldType.PHONE,
    "url": FieldType.URL,
    "picklist": FieldType.PICKLIST,
    "multipicklist": FieldType.PICKLIST,
    "combobox": FieldType.PICKLIST,
    "boolean": FieldType.BOOLEAN,
    "int": FieldType.INTEGER,
    "long": FieldType.INTEGER,
    "double": FieldType.DECIMAL,
    "currency": FieldType.DECIMAL,
    "percent": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
    "reference": FieldType.REFERENCE,
}

#: Compound fields that cannot be read or written as a column.
COMPOUND_TYPES = {"address", "location"}


def field_from_describe(item: dict[str, Any]) -> FieldSchema:
    """One describe ``fields[]`` entry as a :class:`FieldSchema`."""
    sf_type = str(item.get("type", "string"))
    field_type = SF_TYPES.get(sf_type, FieldType.STRING)
    createable = bool(item.get("createable", False))
    nillable = bool(item.get("nillable", True))
    defaulted = bool(item.get("defaultedOnCreate", False))
    picklist = item.get("picklistValues") or []
    default = item.get("defaultValue")
    if default is None:
        default = next((p.get("value") for p in picklist if p.get("defaultValue")), None)
    length = item.get("length") or None
    return FieldSchema(
        name=str(item["name"]),
        type=field_type,
        label=item.get("label"),
        length=int(length) if length and field_type not in _UNSIZED else None,
        required=createable and not nillable and not defaulted and sf_type != "boolean",
        key=sf_type == "id",
        unique=bool(item.get("unique", False)) or sf_type == "id",
        external_id=bool(item.get("externalId", False)),
        createable=createable,
        updateable=bool(item.get("updateable", False)),
        picklist_values=tuple(str(p["value"]) for p in picklist if p.get("active", True)),
        restricted=bool(item.get("restrictedPicklist", False)),
        reference_to=tuple(item.get("referenceTo") or ()),
        default=default,
        precision=item.get("precision") or None,
        scale=item.get("scale") if field_type is FieldType.DECIMAL else None,
    )


_UNSIZED = {
    FieldType.BOOLEAN,
    FieldType.INTEGER,
    FieldType.DECIMAL,
    FieldType.DATE,
    FieldType.DATETIME,
}


def schema_from_describe(describe: dict[str, Any]) -> TableSchema:
    """A whole ``sobjects/{name}/describe`` answer as a :class:`TableSchema`."""
    fields = tuple(
        field_from_describe(item)
        for item in describe.get("fields", [])
        if item.get("type") not in COMPOUND_TYPES
    )
    return TableSchema(
        system="salesforce",
        name=str(describe["name"]),
        fields=fields,
        key="Id",
        label=describe.get("label"),
    )


def relationship_map(describe: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """``{relationshipName.lower(): (reference field, target object)}`` for parent paths."""
    out: dict[str, tuple[str, str]] = {}
    for item in describe.get("fields", []):
        rel = item.get("relationshipName")
        targets = item.get("referenceTo") or []
        if rel and targets:
            out[str(rel).lower()] = (str(item["name"]), str(targets[0]))
    return out

"""Describe answers: ``/sobjects`` (global) and ``/sobjects/{Object}/describe``."""

from __future__ import annotations

from typing import Any

from ditoolkit.sandbox.salesforce.schema import FieldDef, ObjectDef


def object_urls(obj: ObjectDef, version: str) -> dict[str, str]:
    """The ``urls`` map of an object."""
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {
        "sobject": base,
        "describe": f"{base}/describe",
        "rowTemplate": f"{base}/{{ID}}",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
    }


def global_entry(obj: ObjectDef, version: str) -> dict[str, Any]:
    """One object as ``GET /sobjects`` lists it."""
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": obj.createable,
        "custom": False,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": obj.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": obj.key_prefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "layoutable": True,
        "mergeable": obj.deletable,
        "mruEnabled": True,
        "name": obj.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": obj.deletable,
        "updateable": obj.updateable,
        "urls": object_urls(obj, version),
    }


def _picklist(f: FieldDef) -> list[dict[str, Any]]:
    return [
        {
            "active": True,
            "defaultValue": value == f.default_value,
            "label": value,
            "validFor": None,
            "value": value,
        }
        for value in f.picklist_values
    ]


def field_json(f: FieldDef) -> dict[str, Any]:
    """One field as describe reports it."""
    text = f.is_text or f.type in ("id", "reference")
    default = f.default_value if f.type != "boolean" else None
    return {
        "aggregatable": f.type != "boolean",
        "autoNumber": False,
        "byteLength": f.length * 3 if text else 0,
        "calculated": f.formula is not None,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": False,
        "compoundFieldName": "Name" if f.name in ("FirstName", "LastName") else None,
        "controllerName": None,
        "createable": f.createable,
        "custom": f.custom,
        "defaultValue": default if f.type != "boolean" else f.default_value,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.default_value is not None
        or f.defaulted_on_create
        or not f.createable
        and f.name != "Name",
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": 9 if f.type == "int" else 0,
        "encrypted": False,
        "externalId": f.external_id,
        "extraTypeInfo": None,
        "filterable": True,
        "groupable": f.type not in ("double", "datetime"),
        "htmlFormatted": False,
        "idLookup": f.type == "id" or f.external_id or f.unique,
        "inlineHelpText": None,
        "label": f.label,
        "length": f.length if text else 0,
        "mask": None,
        "maskType": None,
        "name": f.name,
        "nameField": f.name == "Name",
        "namePointing": False,
        "nillable": f.nillable,
        "permissionable": f.nillable,
        "picklistValues": _picklist(f),
        "polymorphicForeignKey": False,
        "precision": 18 if f.type in ("double", "currency", "percent") else 0,
        "referenceTargetField": None,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": f.restricted_picklist,
        "scale": 2 if f.type in ("double", "currency", "percent") else 0,
        "soapType": f.soap_type,
        "sortable": True,
        "type": f.type,
        "unique": f.unique,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }


def describe_object(
    obj: ObjectDef, version: str, *, children: list[tuple[ObjectDef, FieldDef]]
) -> dict[str, Any]:
    """``GET /sobjects/{Object}/describe``: the global entry plus fields and relationships."""
    out = global_entry(obj, version)
    out.update(
        {
            "actionOverrides": [],
            "childRelationships": [
                {
                    "cascadeDelete": child.name == "Contact" and obj.name == "Account",
                    "childSObject": child.name,
                    "deprecatedAndHidden": False,
                    "field": f.name,
                    "junctionIdListNames": [],
                    "junctionReferenceTo": [],
                    "relationshipName": f"{child.label_plural}" if f.name == "AccountId" else None,
                    "restrictedDelete": False,
                }
                for child, f in children
            ],
            "compactLayoutable": True,
            "fields": [field_json(f) for f in obj.fields],
            "listviewable": None,
            "lookupLayoutable": None,
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "recordTypeInfos": [],
            "searchLayoutable": True,
            "sobjectDescribeOption": "FULL",
            "supportedScopes": [{"label": "All " + obj.label_plural.lower(), "name": "everything"}],
        }
    )
    out["urls"] = {**out["urls"], "uiEditTemplate": None, "uiDetailTemplate": None}
    return out

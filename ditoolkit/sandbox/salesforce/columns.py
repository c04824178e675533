"""``GET /query?q=...&columns=true``: the column metadata the Developer Console and ``sf`` read."""

from __future__ import annotations

from typing import Any

from ditoolkit.sandbox.salesforce.schema import ObjectDef
from ditoolkit.sandbox.salesforce.soql import compile_query
from ditoolkit.sandbox.salesforce.store import Store

_APEX_TYPES = {
    "id": "Id",
    "reference": "Id",
    "boolean": "Boolean",
    "int": "Integer",
    "double": "Double",
    "currency": "Decimal",
    "percent": "Decimal",
    "date": "Date",
    "datetime": "Datetime",
}


def _column(obj: ObjectDef, path: str, store: Store) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    if rest:
        wanted = head.lower()
        ref = next(
            f for f in obj.fields if f.relationship_name and f.relationship_name.lower() == wanted
        )
        parent = store.describe(ref.reference_to[0])
        assert parent is not None
        return {
            "aggregate": False,
            "apexType": None,
            "booleanType": False,
            "columnName": ref.relationship_name,
            "custom": ref.custom,
            "displayName": ref.relationship_name,
            "foreignKeyName": None,
            "insertable": False,
            "joinColumns": [_column(parent, rest, store)],
            "numberType": False,
            "textType": False,
            "updatable": False,
        }
    f = obj.field(head)
    if f is None:  # an aggregate such as COUNT(Id) → expr0
        return {
            "aggregate": True,
            "apexType": "Integer",
            "booleanType": False,
            "columnName": head,
            "custom": False,
            "displayName": head,
            "foreignKeyName": None,
            "insertable": False,
            "joinColumns": [],
            "numberType": True,
            "textType": False,
            "updatable": False,
        }
    apex = _APEX_TYPES.get(f.type, "String")
    return {
        "aggregate": False,
        "apexType": apex,
        "booleanType": apex == "Boolean",
        "columnName": f.name,
        "custom": f.custom,
        "displayName": f.name,
        "foreignKeyName": None,
        "insertable": f.createable,
        "joinColumns": [],
        "numberType": apex in ("Integer", "Double", "Decimal"),
        "textType": apex == "String",
        "updatable": f.updateable,
    }


def column_metadata(soql: str, store: Store) -> dict[str, Any]:
    """The ``columns=true`` answer for ``soql``.

    Raises:
        SoqlError: the query is one Salesforce would refuse.
    """
    compiled = compile_query(soql, store)
    obj = store.describe(compiled.object_name)
    assert obj is not None
    return {
        "columnMetadata": [_column(obj, path, store) for path in compiled.columns],
        "entityName": obj.name,
        "groupBy": False,
        "idSelected": "Id" in compiled.columns,
        "keyPrefix": obj.key_prefix,
    }

"""SQLite rows to Salesforce query records, through a plan made once per query.

A record is ``{"attributes": {"type", "url"}, <field>: value, <Relationship>: {...} | None}``
in select order; a relationship appears where its first selected field does, and is ``None``
when the lookup is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from ditoolkit.sandbox.salesforce.soql_model import SoqlField

Converter = Callable[[Any], Any] | None
Record = dict[str, Any]


def _to_bool(value: Any) -> Any:
    return value if value is None else bool(value)


def _to_int(value: Any) -> Any:
    return value if value is None else int(value)


def _to_float(value: Any) -> Any:
    return value if value is None else float(value)


_CONVERTERS: dict[str, Converter] = {
    "boolean": _to_bool,
    "int": _to_int,
    "double": _to_float,
    "currency": _to_float,
    "percent": _to_float,
}


@dataclass
class PlanNode:
    """How to build one (root or parent) record from a row.

    Attributes:
        type_name: the sObject type shown in ``attributes``.
        id_index: row index of this record's ``Id``.
        items: in key order, ``(key, row index, converter, None)`` for a field or
            ``(key, -1, None, child)`` for a parent relationship.
    """

    type_name: str
    id_index: int
    items: list[tuple[str, int, Converter, PlanNode | None]] = field(default_factory=list)

    def child(self, key: str, *, type_name: str, id_index: int) -> PlanNode:
        """The child node for relationship ``key``, created at the end if new."""
        for existing_key, _, _, node in self.items:
            if node is not None and existing_key == key:
                return node
        node = PlanNode(type_name, id_index)
        self.items.append((key, -1, None, node))
        return node


def build_plan(
    root_type: str,
    *,
    fields: list[tuple[tuple[str, ...], SoqlField, int]],
    node_ids: dict[tuple[str, ...], int],
    node_types: dict[tuple[str, ...], str],
) -> PlanNode:
    """The plan for a query whose root ``Id`` is at row index 0.

    Args:
        root_type: the ``FROM`` object.
        fields: per selected field, its relationship chain, the field, and its row index.
        node_ids: row index of each joined parent's ``Id``, by relationship chain.
        node_types: sObject type of each joined parent, by relationship chain.
    """
    root = PlanNode(root_type, 0)
    for chain, soql_field, index in fields:
        node = root
        for depth in range(1, len(chain) + 1):
            prefix = chain[:depth]
            node = node.child(prefix[-1], type_name=node_types[prefix], id_index=node_ids[prefix])
        node.items.append((soql_field.name, index, _CONVERTERS.get(soql_field.type), None))
    return root


def shape_rows(
    plan: PlanNode, rows: Iterable[tuple[Any, ...]], *, api_version: str
) -> list[Record]:
    """Records for ``rows``, per ``plan``, with attribute URLs for ``api_version`` (``59.0``)."""
    build = _builder(plan, f"/services/data/v{api_version.lstrip('vV')}/sobjects/")
    return [record for row in rows if (record := build(row)) is not None]


def _builder(node: PlanNode, base: str) -> Callable[[tuple[Any, ...]], Record | None]:
    type_name, id_index = node.type_name, node.id_index
    prefix = f"{base}{type_name}/"
    keys = tuple(key for key, _, _, _ in node.items)
    # A relationship first takes its parent's Id as a placeholder: overwriting a dict key keeps
    # its position, so the nested record lands where the relationship is first selected.
    indexes = [index if child is None else child.id_index for _, index, _, child in node.items]
    pick = itemgetter(*indexes) if len(indexes) > 1 else (lambda row: (row[indexes[0]],))
    converted = [(key, convert) for key, _, convert, _ in node.items if convert is not None]
    nested = [(key, _builder(child, base)) for key, _, _, child in node.items if child is not None]

    def build(row: tuple[Any, ...]) -> Record | None:
        record_id = row[id_index]
        if record_id is None:
            return None
        record: Record = {"attributes": {"type": type_name, "url": prefix + record_id}}
        record.update(zip(keys, pick(row), strict=True))
        for key, convert in converted:
            value = record[key]
            if value is not None:
                record[key] = convert(value)
        for key, make in nested:
            record[key] = make(row)
        return record

    return build

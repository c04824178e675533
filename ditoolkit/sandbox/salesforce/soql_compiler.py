"""A parsed query resolved against the schema and turned into one SQLite statement.

The root table is aliased ``t0``; each parent relationship path used anywhere in the query gets
one ``LEFT JOIN`` (``t1``, ``t2``...) on ``child.<ReferenceField> = parent.Id``. The statement
selects the root ``Id``, then each joined parent's ``Id`` (to tell an empty lookup from a parent
whose selected fields are null), then the selected fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ditoolkit.sandbox.salesforce.soql_filters import FilterContext, compile_condition
from ditoolkit.sandbox.salesforce.soql_lexer import query_error
from ditoolkit.sandbox.salesforce.soql_model import (
    STRING_TYPES,
    CompiledQuery,
    SoqlField,
    SoqlObject,
    SoqlSchema,
)
from ditoolkit.sandbox.salesforce.soql_parser import FieldSet, Path, Query, parse
from ditoolkit.sandbox.salesforce.soql_shape import PlanNode, build_plan

MAX_FIELDS_LIMIT = 200
_NO_COLUMN = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)
_NO_RELATIONSHIP = (
    "Didn't understand relationship '{name}' in field path. If you are attempting to use a "
    "custom relationship, be sure to append the '__r' after the custom relationship name. Please "
    "reference your WSDL or the describe call for the appropriate names."
)
_NO_OBJECT = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be "
    "sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
    "call for the appropriate names."
)


def quote(identifier: str) -> str:
    """An SQLite identifier in double quotes."""
    return '"' + identifier.replace('"', '""') + '"'


@dataclass
class Join:
    """One joined parent: its table alias and object, reached from ``parent_alias``."""

    alias: str
    obj: SoqlObject
    parent_alias: str
    reference_field: str


@dataclass
class Resolved:
    """A path resolved to canonical names: relationship chain, final field, SQL column."""

    relationships: tuple[str, ...]
    field: SoqlField
    column: str

    @property
    def canonical(self) -> str:
        """The path in canonical case, e.g. ``Account.Name``."""
        return ".".join((*self.relationships, self.field.name))


@dataclass
class _Compiler:
    soql: str
    schema: SoqlSchema
    root: SoqlObject
    alias: str | None
    joins: dict[tuple[str, ...], Join] = field(default_factory=dict)

    def resolve(self, path: Path) -> Resolved:
        parts = path.parts
        if self.alias is not None and len(parts) > 1 and parts[0].lower() == self.alias.lower():
            parts = parts[1:]
        obj, table = self.root, "t0"
        chain: tuple[str, ...] = ()
        for name in parts[:-1]:
            reference = obj.relationship(name)
            target = self._target(reference)
            if reference is None or target is None:
                reason = _NO_RELATIONSHIP.format(name=name)
                raise query_error("INVALID_FIELD", self.soql, pos=path.pos, reason=reason)
            chain = (*chain, reference.relationship_name or name)
            table = self._join(chain, target, parent_alias=table, reference=reference.name)
            obj = target
        found = obj.field(parts[-1])
        if found is None:
            reason = _NO_COLUMN.format(name=parts[-1], entity=obj.name)
            raise query_error("INVALID_FIELD", self.soql, pos=path.pos, reason=reason)
        return Resolved(chain, found, f"{table}.{quote(found.name)}")

    def resolve_column(self, path: Path) -> tuple[str, SoqlField]:
        resolved = self.resolve(path)
        return resolved.column, resolved.field

    def _target(self, reference: SoqlField | None) -> SoqlObject | None:
        if reference is None:
            return None
        for name in reference.reference_to:
            target = self.schema.get_object(name)
            if target is not None:
                return target
        return None

    def _join(self, chain: tuple[str, ...], target: SoqlObject, **how: str) -> str:
        if chain not in self.joins:
            alias = f"t{len(self.joins) + 1}"
            self.joins[chain] = Join(alias, target, how["parent_alias"], how["reference"])
        return self.joins[chain].alias

    def from_clause(self) -> str:
        clause = f"FROM {quote(self.root.name)} AS t0"
        for join in self.joins.values():
            on = f'{join.parent_alias}.{quote(join.reference_field)} = {join.alias}."Id"'
            clause += f" LEFT JOIN {quote(join.obj.name)} AS {join.alias} ON {on}"
        return clause


def compile_parsed(
    soql: str, schema: SoqlSchema, *, include_deleted: bool, now: datetime | None
) -> CompiledQuery:
    """Compile ``soql`` (see :func:`ditoolkit.sandbox.salesforce.soql.compile_query`)."""
    query = parse(soql)
    root = schema.get_object(query.object_name)
    if root is None:
        reason = _NO_OBJECT.format(name=query.object_name)
        raise query_error("INVALID_TYPE", soql, pos=query.object_pos, reason=reason)
    compiler = _Compiler(soql, schema, root, query.alias)
    selected = _selected(compiler, query)
    params: list[object] = []
    where = _where(compiler, query, params=params, include_deleted=include_deleted, now=now)
    order = _order_by(compiler, query)
    window = _window(query, params)
    body = f"{compiler.from_clause()}{where}"
    if query.count == "rows":
        # LIMIT and OFFSET bound the rows counted, as they do in Salesforce.
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 {body}{window})"
            if window
            else f"SELECT COUNT(*) {body}"
        )
        return CompiledQuery(root.name, sql, params, True, [])
    if query.count == "field":
        sql = f"SELECT COUNT({selected[0].column}) {body}{window}"
        key = query.count_alias or "expr0"
        return CompiledQuery(root.name, sql, params, False, [key], is_aggregate=True)
    node_ids = [f'{join.alias}."Id"' for join in compiler.joins.values()]
    columns = ['t0."Id"', *node_ids, *(item.column for item in selected)]
    sql = f"SELECT {', '.join(columns)} {body}{order}{window}"
    plan = _plan(compiler, selected)
    names = [item.canonical for item in selected]
    return CompiledQuery(root.name, sql, params, False, names, plan=plan)


def _selected(compiler: _Compiler, query: Query) -> list[Resolved]:
    selected: list[Resolved] = []
    seen: set[str] = set()
    for item in query.fields:
        expanded = isinstance(item, FieldSet)
        paths = _expand(compiler, item, limit=query.limit) if isinstance(item, FieldSet) else [item]
        for path in paths:
            resolved = compiler.resolve(path)
            key = resolved.canonical.lower()
            if key in seen and not expanded:
                reason = f"duplicate field selected: {resolved.canonical}"
                raise query_error("MALFORMED_QUERY", compiler.soql, pos=path.pos, reason=reason)
            if key not in seen:
                seen.add(key)
                selected.append(resolved)
    return selected


def _expand(compiler: _Compiler, item: FieldSet, *, limit: int | None) -> list[Path]:
    """The root object's fields a ``FIELDS()`` item stands for, in schema order."""
    if item.kind != "STANDARD" and (limit is None or limit > MAX_FIELDS_LIMIT):
        reason = f"The SOQL FIELDS function must have a LIMIT of at most {MAX_FIELDS_LIMIT}"
        raise query_error("MALFORMED_QUERY", compiler.soql, pos=item.pos, reason=reason)
    wanted = {"ALL": (True, False), "STANDARD": (False,), "CUSTOM": (True,)}[item.kind]
    fields = compiler.root.fields
    return [Path((f.name,), item.pos) for f in fields if f.name.endswith("__c") in wanted]


def _where(
    compiler: _Compiler,
    query: Query,
    *,
    params: list[object],
    include_deleted: bool,
    now: datetime | None,
) -> str:
    tests = [] if include_deleted else ['t0."IsDeleted" = 0']
    if query.where is not None:
        moment = now if now is not None else datetime.now(UTC)
        ctx = FilterContext(compiler.soql, moment, params, compiler.resolve_column)
        tests.append(compile_condition(query.where, ctx))
    return " WHERE " + " AND ".join(tests) if tests else ""


def _order_by(compiler: _Compiler, query: Query) -> str:
    keys = []
    for ordering in query.order_by:
        resolved = compiler.resolve(ordering.path)
        collate = " COLLATE NOCASE" if resolved.field.type in STRING_TYPES else ""
        direction = "DESC" if ordering.descending else "ASC"
        nulls = "FIRST" if ordering.nulls_first else "LAST"
        keys.append(f"{resolved.column}{collate} {direction} NULLS {nulls}")
    return " ORDER BY " + ", ".join(keys) if keys else ""


def _window(query: Query, params: list[object]) -> str:
    if query.limit is None and query.offset is None:
        return ""
    params.append(-1 if query.limit is None else query.limit)
    params.append(query.offset or 0)
    return " LIMIT ? OFFSET ?"


def _plan(compiler: _Compiler, selected: list[Resolved]) -> PlanNode:
    id_index = {chain: i + 1 for i, chain in enumerate(compiler.joins)}
    first_field = 1 + len(compiler.joins)
    fields = [(item.relationships, item.field, first_field + i) for i, item in enumerate(selected)]
    types = {chain: join.obj.name for chain, join in compiler.joins.items()}
    return build_plan(compiler.root.name, fields=fields, node_ids=id_index, node_types=types)

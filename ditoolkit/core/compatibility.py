"""A mapping checked against both live schemas: fields, keys, types, lengths, directions.

:func:`validate_transfer` checks one transfer against the :class:`~ditoolkit.port.TableSchema` of
each of its sides; :func:`validate_mapping` checks every transfer against a
:class:`SchemaCatalog` (and that no two transfers feed one table). Both return
:class:`~ditoolkit.core.findings.Finding` s: ``error`` blocks a run, ``warning`` is shown. The
type rules are in :func:`type_compatibility` (Salesforce and DI types share the normalized
:class:`~ditoolkit.port.FieldType`: DI ``ShortText`` is ``string`` with length 100, ``LongText``
is ``text``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ditoolkit.core.compatibility_rules import length_finding, type_compatibility
from ditoolkit.core.findings import Finding, findings_frame
from ditoolkit.core.mapping import FieldPair, FieldRoute, Mapping, Transfer
from ditoolkit.port import FieldSchema, FieldType, TableSchema

__all__ = [
    "Finding",
    "SchemaCatalog",
    "findings_frame",
    "type_compatibility",
    "validate_mapping",
    "validate_transfer",
]

_SYSTEM_LABELS = {"salesforce": "Salesforce", "dialoginsight": "Dialog Insight", "csv": "the CSV"}
#: DI's internal contact id: every contacts table has it, even when a schema leaves it out.
ID_CONTACT = FieldSchema(
    "idContact", FieldType.INTEGER, unique=True, createable=False, updateable=False
)


@dataclass(frozen=True)
class SchemaCatalog:
    """The live schemas a mapping is checked against.

    Attributes:
        salesforce: Salesforce object name → schema.
        dialoginsight: (project id, table code) → schema (``Contact`` for the contacts table).
        csv: CSV path as the mapping writes it → schema (its columns).
        project_types: DI project id → ``"A"`` or ``"B"``.
    """

    salesforce: dict[str, TableSchema] = field(default_factory=dict)
    dialoginsight: dict[tuple[int, str], TableSchema] = field(default_factory=dict)
    csv: dict[str, TableSchema] = field(default_factory=dict)
    project_types: dict[int, str] = field(default_factory=dict)

    def salesforce_object(self, name: str) -> TableSchema | None:
        """The object's schema (names compare case-insensitively, as in Salesforce)."""
        found = {k.lower(): v for k, v in self.salesforce.items()}
        return found.get(name.lower())


def validate_mapping(mapping: Mapping, schemas: SchemaCatalog) -> list[Finding]:
    """Every finding of every transfer, the loading warnings, and tables fed twice."""
    findings = list(mapping.warnings)
    for transfer in mapping.transfers:
        sf, di, csv, missing = _schemas_of(transfer, schemas)
        findings.extend(missing)
        project_type = schemas.project_types.get(transfer.project or 0)
        findings.extend(
            validate_transfer(
                transfer, salesforce=sf, dialoginsight=di, csv=csv, project_type=project_type
            )
        )
    findings.extend(_fed_twice(mapping))
    return findings


def validate_transfer(
    transfer: Transfer,
    *,
    salesforce: TableSchema | None,
    dialoginsight: TableSchema | None,
    csv: TableSchema | None = None,
    project_type: str | None = None,
) -> list[Finding]:
    """Check ``transfer`` against its sides' schemas (a side given as None is not checked)."""
    check = _Check(transfer, {"salesforce": salesforce, "dialoginsight": dialoginsight, "csv": csv})
    check.names()
    for flow in transfer.flows:
        check.flow(flow, project_type=project_type)
    return check.findings


class _Check:
    """The checks of one transfer, accumulating findings."""

    def __init__(self, transfer: Transfer, schemas: dict[str, TableSchema | None]) -> None:
        self.transfer = transfer
        self.schemas = schemas
        self.findings: list[Finding] = []

    def add(
        self,
        severity: str,
        code: str,
        message: str,
        hint: str | None = None,
        *,
        field_name: str | None = None,
        pair: FieldPair | None = None,
    ) -> None:
        line = pair.line if pair is not None and pair.line else self.transfer.line
        self.findings.append(
            Finding(severity, self.transfer.name, field_name, code, message, hint, line)
        )

    def field(self, side: str, name: str) -> FieldSchema | None:
        schema = self.schemas.get(side)
        if schema is None:
            return None
        found = schema.get(name)
        if found is None and side == "dialoginsight" and name == "idContact":
            return ID_CONTACT
        if found is None and side == "salesforce" and "." in name:
            return _through_relationship(schema, name)
        return found

    def names(self) -> None:
        """Every named field exists on its side (DI codes with their exact case)."""
        t = self.transfer
        pairs = (t.key, *t.fields, *t.optins)
        named: list[tuple[str, str, FieldPair | None]] = [
            (side, pair.name(side) or "", pair) for pair in pairs for side in pair.sides
        ]
        named += [(rule.side, rule.field, None) for rule in t.filters]
        for side, name, pair in named:
            schema = self.schemas.get(side)
            if schema is None:
                continue
            found = self.field(side, name)
            label = f"{_SYSTEM_LABELS[side]} {schema.name}"
            if found is None:
                close = difflib.get_close_matches(name.lower(), [n.lower() for n in schema.names])
                names = [n for n in schema.names if n.lower() in close]
                hint = f"did you mean {names[0]!r}?" if names else f"pick one of {schema.names}"
                self.add(
                    "error",
                    "unknown_field",
                    f"{label} has no field {name!r}",
                    hint,
                    field_name=name,
                    pair=pair,
                )
            elif side == "dialoginsight" and found.name != name:
                self.add(
                    "error",
                    "field_case",
                    f"DI field codes are case-sensitive: {name!r}",
                    f"write {found.name!r}",
                    field_name=name,
                    pair=pair,
                )

    def flow(self, flow: str, *, project_type: str | None) -> None:
        t = self.transfer
        source, target = t.source_side(flow), t.target_side(flow)
        if flow == "di_to_sf" and project_type == "A" and "insert" in t.operations:
            self.add(
                "error",
                "type_a_insert",
                "type A projects update Salesforce records but never create them",
                "remove insert from operations (keep update), or send contacts created in "
                "DI through a type B project",
            )
        routes = t.pairs_for(flow)
        for route in routes:
            self.route(route, source=source, target=target)
        self.keys(routes[0], source=source, target=target)
        self.required(routes, target=target)

    def route(self, route: FieldRoute, *, source: str, target: str) -> None:
        tgt = self.field(target, route.target)
        src = self.field(source, route.source) if route.source else None
        if tgt is None:
            return
        if route.role == "optin":
            self.optin(route, src, tgt)
        elif tgt.optin:
            self.add(
                "error",
                "optin_direction",
                f"{route.target} is a DI opt-in: opt-ins go from DI to Salesforce only",
                "remove this pair (DI guide, step 4.3)",
                field_name=route.target,
                pair=route.pair,
            )
            return
        elif src is not None and src.optin:
            self.add(
                "warning",
                "optin_as_field",
                f"{src.name} is an opt-in listed as a field",
                "list it under `optins:`",
                field_name=route.target,
                pair=route.pair,
            )
        if not (route.role == "key" and tgt.type is FieldType.ID):
            self.writable(route, tgt)
        if route.constant:
            self.constant(route, tgt)
        elif src is not None:
            self.types(route, src, tgt)

    def types(self, route: FieldRoute, src: FieldSchema, tgt: FieldSchema) -> None:
        effective = _effective_source(route, src)
        for severity, code, message, hint in (
            *type_compatibility(effective, tgt),
            *length_finding(effective, tgt),
        ):
            self.add(severity, code, message, hint, field_name=route.target, pair=route.pair)

    def optin(self, route: FieldRoute, src: FieldSchema | None, tgt: FieldSchema) -> None:
        di = self.schemas.get("dialoginsight")
        if src is not None and di is not None and route.pair.dialoginsight and not src.optin:
            optins = [f.name for f in di.fields if f.optin]
            self.add(
                "error",
                "not_an_optin",
                f"{src.name} is not an opt-in of DI {di.name}",
                f"opt-ins: {', '.join(optins) or '(none)'}",
                field_name=src.name,
                pair=route.pair,
            )
        if tgt.type is not FieldType.BOOLEAN:
            self.add(
                "error",
                "optin_target_type",
                f"opt-in target {tgt.name} is {tgt.type.value}, not boolean",
                "send opt-ins to a checkbox (boolean) field",
                field_name=tgt.name,
                pair=route.pair,
            )

    def writable(self, route: FieldRoute, tgt: FieldSchema) -> None:
        ops = self.transfer.operations & {"insert", "update"}
        blocked = {op for op in ops if not (tgt.createable if op == "insert" else tgt.updateable)}
        if not blocked:
            return
        severity = "error" if blocked == ops else "warning"
        verbs = " or ".join(sorted(blocked))
        self.add(
            severity,
            "not_writable",
            f"{tgt.name} cannot be set on {verbs}",
            "remove the pair, or the operation"
            if severity == "error"
            else f"it is written on {' and '.join(sorted(ops - blocked))} only",
            field_name=tgt.name,
            pair=route.pair,
        )

    def constant(self, route: FieldRoute, tgt: FieldSchema) -> None:
        value = route.value
        wanted: dict[FieldType, type | tuple[type, ...]] = {
            FieldType.BOOLEAN: bool,
            FieldType.INTEGER: int,
            FieldType.DECIMAL: (int, float),
        }
        kind = wanted.get(tgt.type)
        bad_kind = kind is not None and (
            not isinstance(value, kind)
            or (tgt.type is not FieldType.BOOLEAN and isinstance(value, bool))
        )
        too_long = tgt.length is not None and len(str(value)) > tgt.length
        not_allowed = tgt.restricted and tgt.picklist_values and value not in tgt.picklist_values
        if bad_kind or too_long or not_allowed:
            self.add(
                "error",
                "bad_constant",
                f"constant {value!r} does not fit {tgt.name} "
                f"({tgt.type.value}{f', {tgt.length}' if tgt.length else ''})",
                f"allowed: {', '.join(tgt.picklist_values)}"
                if not_allowed
                else "change the constant",
                field_name=tgt.name,
                pair=route.pair,
            )

    def keys(self, key: FieldRoute, *, source: str, target: str) -> None:
        tgt, src = self.field(target, key.target), self.field(source, key.source or "")
        schema = self.schemas.get(target)
        if tgt is not None and schema is not None:
            if target == "salesforce" and not (tgt.type is FieldType.ID or tgt.external_id):
                self.add(
                    "error",
                    "key_not_external_id",
                    f"writing Salesforce {schema.name} needs the key to be Id or an External "
                    f"ID field; {tgt.name} is neither",
                    f"mark {tgt.name} as External ID (and Unique) in Salesforce, or key on Id",
                    field_name=tgt.name,
                    pair=key.pair,
                )
            is_di_key = tgt.key or tgt.name == schema.key or tgt.name == "idContact"
            if target == "dialoginsight" and not is_di_key:
                self.add(
                    "error",
                    "key_not_primary",
                    f"DI matches {schema.name} rows on its primary key "
                    f"({schema.key or 'unknown'}) or idContact, not {tgt.name}",
                    f"key on {schema.key or 'the primary key'}",
                    field_name=tgt.name,
                    pair=key.pair,
                )
        if src is not None and not (
            src.key or src.unique or src.external_id or src.type is FieldType.ID
        ):
            self.add(
                "warning",
                "key_not_unique",
                f"the source key {src.name} is not unique: duplicate rows are held back",
                "key on a unique field if there is one",
                field_name=src.name,
                pair=key.pair,
            )

    def required(self, routes: Iterable[FieldRoute], *, target: str) -> None:
        schema = self.schemas.get(target)
        if schema is None or "insert" not in self.transfer.operations:
            return
        mapped = {r.target.lower() for r in routes}
        for f in schema.fields:
            needed = f.required and f.createable and f.default is None and not f.optin
            if needed and f.type is not FieldType.ID and f.name.lower() not in mapped:
                self.add(
                    "error",
                    "required_unmapped",
                    f"{_SYSTEM_LABELS[target]} requires {f.name} on {schema.name} inserts",
                    f"add `{f.name}` to the mapping (a field pair or a constant)",
                    field_name=f.name,
                )


def _through_relationship(schema: TableSchema, path: str) -> FieldSchema | None:
    """A parent field read through a reference (``Account.Name``), typed as text of any length.

    The parent object's schema is not at hand, so only the relationship is checked.
    """
    relationship = path.split(".", 1)[0].lower()
    for f in schema.fields:
        if f.type is FieldType.REFERENCE and f.name.lower() in (relationship + "id", relationship):
            return FieldSchema(path, FieldType.STRING, createable=False, updateable=False)
    return None


def _effective_source(route: FieldRoute, src: FieldSchema) -> FieldSchema:
    """The source as the target sees it, after date parsing or a value map."""
    for step in reversed(route.transforms):
        kind = step.partition(":")[0]
        if kind in ("date", "datetime"):
            return replace(src, type=FieldType(kind), length=None)
        if step == "value_map":
            values = [str(v) for _, v in route.pair.value_map or ()]
            longest = max((len(v) for v in values), default=0)
            return replace(src, type=FieldType.STRING, length=longest, picklist_values=())
    return src


def _schemas_of(
    transfer: Transfer, schemas: SchemaCatalog
) -> tuple[TableSchema | None, TableSchema | None, TableSchema | None, list[Finding]]:
    missing: list[Finding] = []

    def unknown(code: str, message: str, name: str, known: Iterable[str]) -> None:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known) or '(none)'}"
        missing.append(Finding("error", transfer.name, None, code, message, hint, transfer.line))

    sf = di = csv = None
    if transfer.salesforce is not None:
        sf = schemas.salesforce_object(transfer.salesforce.object)
        if sf is None:
            name = transfer.salesforce.object
            unknown(
                "unknown_object", f"Salesforce has no object {name!r}", name, schemas.salesforce
            )
    if transfer.dialoginsight is not None:
        project, table = transfer.project or 0, transfer.dialoginsight.table
        di = schemas.dialoginsight.get((project, table))
        tables = [code for (p, code) in schemas.dialoginsight if p == project]
        if di is None and not tables and project not in schemas.project_types:
            unknown(
                "unknown_project",
                f"DI has no project {project}",
                str(project),
                [str(p) for p in schemas.project_types],
            )
        elif di is None:
            unknown("unknown_table", f"DI project {project} has no table {table!r}", table, tables)
    if transfer.csv is not None:
        csv = schemas.csv.get(transfer.csv.path)
    return sf, di, csv, missing


def _fed_twice(mapping: Mapping) -> list[Finding]:
    """A warning for each transfer that writes a table another transfer writes too."""
    writers: dict[str, list[str]] = {}
    for t in mapping.transfers:
        for flow in t.flows:
            if flow == "sf_to_di" and t.dialoginsight is not None:
                target = f"DI project {t.project} table {t.dialoginsight.table}"
            elif flow == "di_to_sf" and t.salesforce is not None:
                target = f"Salesforce {t.salesforce.object}"
            else:
                continue
            writers.setdefault(target, []).append(t.name)
    return [
        Finding(
            "warning",
            name,
            None,
            "fed_twice",
            f"{target} is written by {len(names)} transfers: {', '.join(names)}",
            "the DI guide advises one integration per project and object: merge them",
        )
        for target, names in writers.items()
        if len(names) > 1
        for name in names
    ]

"""What one record of a merge call does: created, updated, unchanged, skipped or refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ditoolkit.sandbox.dialoginsight.store import Collection, Row
from ditoolkit.sandbox.dialoginsight.values import (
    ValueProblem,
    key_form,
    parse_boolean,
    parse_value,
)

Rows = dict[Any, Row]


@dataclass
class Outcome:
    """``Status``, ``ValidationResult`` and ``Message`` of one record."""

    status: str = "Error"
    validation: str = "OK"
    message: str | None = None


@dataclass
class Planned:
    """One record's outcome and, when it is written, its whole stored row."""

    outcome: Outcome = field(default_factory=Outcome)
    row: dict[str, Any] = field(default_factory=dict)
    pk: str | None = None
    moved_to: str | None = None
    index: int = 0

    def fail(self, code: str, message: str) -> Planned:
        self.outcome = Outcome("Error", code, message)
        self.moved_to = None
        return self

    def skip(self, message: str) -> Planned:
        self.outcome = Outcome("Skipped", "OK", message)
        return self


def as_id(raw: Any) -> int | None:
    """An ``idContact`` sent as a number or a string of digits."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def _parse_data(
    coll: Collection, data: dict[str, Any]
) -> tuple[dict[str, Any], list[ValueProblem]]:
    values: dict[str, Any] = {}
    problems: list[ValueProblem] = []
    for name, raw in data.items():
        spec = coll.field(name)
        try:
            values[name] = parse_boolean(raw, name) if spec is None else parse_value(spec, raw)
        except ValueProblem as problem:
            problems.append(problem)
    return values, problems


def _parse_key(coll: Collection, ids: dict[str, Any]) -> dict[str, Any]:
    key: dict[str, Any] = {}
    for spec in coll.key_fields:
        value = parse_value(spec, ids.get("key_" + spec.name))
        if value is None:
            raise ValueProblem("MissingKey", f"ID has no value for key_{spec.name}")
        key[spec.name] = value
    return key


def _lookup(
    coll: Collection, ids: dict[str, Any], *, existing_pk: Rows, existing_id: Rows
) -> tuple[Any, dict[str, Any] | None, dict[str, Any]]:
    """(what the record is matched by, the stored row or None, the key values from ID)."""
    if "idContact" in ids:
        id_contact = as_id(ids["idContact"])
        if id_contact is None:
            raise ValueProblem("InvalidInteger", f"ID.idContact: {ids['idContact']!r} is not an id")
        return ("id", id_contact), existing_id.get(id_contact), {}
    key = _parse_key(coll, ids)
    pk = coll.key_of(key)
    return ("pk", pk), existing_pk.get(pk), key


def plan_record(
    coll: Collection,
    record: dict[str, Any],
    *,
    existing_pk: Rows,
    existing_id: Rows,
    options: dict[str, bool],
    seen: set[Any],
) -> Planned:
    """Decide what ``record`` does, given the stored rows its call matched."""
    plan = Planned()
    try:
        match, stored, key = _lookup(
            coll, record.get("ID") or {}, existing_pk=existing_pk, existing_id=existing_id
        )
    except ValueProblem as problem:
        return plan.fail(problem.code, problem.message)
    if match in seen:
        message = "the same key appears earlier in this call; the first occurrence wins"
        if options["SkipDuplicateRecords"]:
            return plan.skip(message)
        return plan.fail("DuplicateRecord", message)
    seen.add(match)
    values, problems = _parse_data(coll, record.get("Data") or {})
    if stored is not None:
        plan.row = dict(stored)
    if problems:
        return plan.fail(problems[0].code, "; ".join(p.message for p in problems))
    if stored is not None:
        return _update(coll, plan, values=values, allow=options["AllowUpdate"])
    if match[0] == "id" or not options["AllowInsert"]:
        what = f"idContact {match[1]}" if match[0] == "id" else "this key"
        message = f"no record matches {what}" + (
            "" if match[0] == "id" else " and AllowInsert is false"
        )
        if options["SkipUnmatchedRecords"]:
            return plan.skip(message)
        return plan.fail("RecordNotFound", message)
    return _insert(coll, plan, values=values, key=key)


def _missing_required(coll: Collection, plan: Planned) -> Planned | None:
    for spec in coll.fields:
        if spec.required and plan.row.get(spec.name) is None:
            code = "MissingKey" if spec.primary_key else "MissingValue"
            return plan.fail(code, f"{spec.name} is required and cannot be empty")
    return None


def _update(coll: Collection, plan: Planned, *, values: dict[str, Any], allow: bool) -> Planned:
    if not allow:
        return plan.skip("a record with this key exists and AllowUpdate is false")
    before = dict(plan.row)
    for name, value in values.items():
        if value is None and name in coll.optins:
            continue  # an opt-in never goes back to "never set"
        plan.row[name] = value
    refused = _missing_required(coll, plan)
    if refused is not None:
        plan.row = before
        return refused
    plan.pk = coll.key_of(plan.row)
    if plan.pk != before["_pk"]:
        plan.moved_to = plan.pk
    plan.row["_pk"] = plan.pk
    changed = any(plan.row.get(c) != before.get(c) for c in coll.columns)
    plan.outcome = Outcome("Updated" if changed else "Unchanged")
    return plan


def _insert(
    coll: Collection, plan: Planned, *, values: dict[str, Any], key: dict[str, Any]
) -> Planned:
    plan.row = dict.fromkeys(coll.columns)
    plan.row.update(key)
    for name, value in values.items():
        spec = coll.field(name)
        if name in key and spec and key_form(spec, value) != key_form(spec, key[name]):
            return plan.fail(
                "KeyConflict", f"Data.{name} differs from the key in ID for a new record"
            )
        if value is not None or name not in key:
            plan.row[name] = value
    refused = _missing_required(coll, plan)
    if refused is not None:
        plan.row = {}
        return refused
    plan.pk = coll.key_of(plan.row)
    plan.row["_pk"] = plan.pk
    plan.outcome = Outcome("Created")
    return plan

"""Planning one DML call: every record validated, checked against the others and the database.

A :class:`Batch` holds one pending write or one failure per input record. Checks run per batch
with one look-up per chunk of values (never one per record): references to parents, record
existence for updates, and unique values both within the batch and against live records.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ditoolkit.sandbox.salesforce.ids import to_18
from ditoolkit.sandbox.salesforce.schema import FieldDef, ObjectDef
from ditoolkit.sandbox.salesforce.tables import select_in
from ditoolkit.sandbox.salesforce.validation import FieldProblem, RecordValidator
from ditoolkit.sandbox.salesforce.validation_batch import prepare_many

SaveError = dict[str, Any]
Pending = tuple[int, str | None, dict[str, Any]]


def error(code: str, message: str, fields: list[str] | None = None) -> SaveError:
    """One entry of a save result's ``errors``."""
    return {"statusCode": code, "message": message, "fields": fields or []}


@dataclass
class Batch:
    """One DML call being planned: per record, a pending write or its errors.

    Attributes:
        size: number of input records.
        errors: errors of each failed record by input position.
        ids: the record id known for each position (updates, deletes).
        inserts: pending inserts as (position, storage values).
        updates: pending updates as (position, id, storage values).
        fields: every field name some pending write sets.
    """

    size: int
    errors: dict[int, list[SaveError]] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)
    inserts: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    _pending: tuple[tuple[int, int, int], list[Pending]] | None = field(default=None, repr=False)

    def fail(self, position: int, errors: list[SaveError]) -> None:
        """Mark the record at ``position`` failed (its first errors are kept)."""
        self.errors.setdefault(position, errors)

    def pending(self) -> list[Pending]:
        """Writes still planned, as (position, id or ``None``, values).

        The list is kept until a write is added or a record fails; do not change it.
        """
        stamp = (len(self.inserts), len(self.updates), len(self.errors))
        if self._pending is not None and self._pending[0] == stamp:
            return self._pending[1]
        failed = self.errors
        out: list[Pending] = [(i, None, v) for i, v in self.inserts if i not in failed]
        out.extend((i, rid, v) for i, rid, v in self.updates if i not in failed)
        self._pending = (stamp, out)
        return out


class Planner:
    """Validates DML batches against the schema and the database.

    Args:
        conn: the store's connection (read only here).
        objects: the org's objects by lower-case name.
    """

    def __init__(self, conn: sqlite3.Connection, objects: dict[str, ObjectDef]) -> None:
        self.conn = conn
        self.objects = objects
        self.by_prefix = {o.key_prefix: o for o in objects.values()}
        self._prefixes = {name: o.key_prefix for name, o in objects.items()}
        self._validators: dict[tuple[str, bool], RecordValidator] = {}
        self.lock_fault: Callable[[], bool] | None = None

    def validator(self, obj: ObjectDef, *, creating: bool) -> RecordValidator:
        """The (cached) validator of ``obj`` for inserts or updates."""
        key = (obj.name, creating)
        if key not in self._validators:
            self._validators[key] = RecordValidator(obj, prefixes=self._prefixes, creating=creating)
        return self._validators[key]

    def add_inserts(
        self, obj: ObjectDef, batch: Batch, items: list[tuple[int, dict[str, Any]]]
    ) -> None:
        """Validate ``items`` (position, record) as inserts into ``batch``."""
        validator = self.validator(obj, creating=True)
        prepared = prepare_many(validator, [record for _, record in items])
        if not any(errors for _, errors in prepared):
            batch.inserts.extend(zip([p for p, _ in items], [v for v, _ in prepared], strict=True))
        else:
            for (position, _), (values, errors) in zip(items, prepared, strict=True):
                if errors:
                    batch.fail(position, errors)
                else:
                    batch.inserts.append((position, values))
        batch.fields.update(*(values for values, errors in prepared if not errors))

    def add_updates(
        self, obj: ObjectDef, batch: Batch, items: list[tuple[int, dict[str, Any]]]
    ) -> None:
        """Validate ``items`` (position, record with ``Id``) as updates into ``batch``."""
        validator = self.validator(obj, creating=False)
        found: list[tuple[int, str, dict[str, Any]]] = []
        for position, record in items:
            raw = record["Id"] if "Id" in record else _value(record, "Id")
            if raw is None or raw == "":
                batch.fail(
                    position, [error("MISSING_ARGUMENT", "Id not specified in an update call")]
                )
                continue
            rid = to_18(raw) if isinstance(raw, str) else None
            if rid is None or rid[:3] != obj.key_prefix:
                message = f"{obj.label} ID: id value of incorrect type: {raw}"
                batch.fail(position, [error("MALFORMED_ID", message, ["Id"])])
                continue
            batch.ids[position] = rid
            found.append((position, rid, record))
        states = self.states(obj, [rid for _, rid, _ in found])
        ready: list[tuple[int, str, dict[str, Any]]] = []
        for position, rid, record in found:
            problem = _state_problem(states.get(rid), deleted_ok=False, missing="update")
            if problem:
                batch.fail(position, [problem])
            else:
                ready.append((position, rid, record))
        prepared = prepare_many(validator, [record for _, _, record in ready])
        for (position, rid, _), (values, errors) in zip(ready, prepared, strict=True):
            if errors:
                batch.fail(position, errors)
            else:
                batch.updates.append((position, rid, values))
        batch.fields.update(*(values for values, errors in prepared if not errors))

    def states(self, obj: ObjectDef, ids: list[str]) -> dict[str, int]:
        """``IsDeleted`` of each existing id among ``ids``."""
        sql = f'SELECT Id, IsDeleted FROM "{obj.name}" WHERE Id IN ({{marks}})'
        return {rid: deleted for rid, deleted in select_in(self.conn, sql, ids)}

    def finish(self, obj: ObjectDef, batch: Batch) -> None:
        """Run the batch-wide checks: references, unique values, injected lock faults."""
        for f in obj.stored_fields:
            if f.type == "reference" and f.updateable:
                self._check_reference(f, batch)
            if f.unique:
                self._check_unique(obj, f, batch)
        if self.lock_fault is not None:
            for position, rid, _ in batch.pending():
                if self.lock_fault():
                    message = f"unable to obtain exclusive access to this record or 1 records: {rid or ''}"
                    batch.fail(position, [error("UNABLE_TO_LOCK_ROW", message.rstrip(": "))])

    def _check_reference(self, f: FieldDef, batch: Batch) -> None:
        if f.name not in batch.fields:
            return
        name = f.name
        wanted = [(i, v[name]) for i, _, v in batch.pending() if v.get(name) is not None]
        if not wanted:
            return
        target = self.objects[f.reference_to[0].lower()]
        states = self.states(target, [value for _, value in wanted])
        for position, value in wanted:
            problem = _state_problem(states.get(value), deleted_ok=False, missing="reference")
            if problem:
                problem["fields"] = [f.name]
                batch.fail(position, [problem])

    def _check_unique(self, obj: ObjectDef, f: FieldDef, batch: Batch) -> None:
        if f.name not in batch.fields:
            return
        name = f.name
        wanted = [(p, rid, v[name]) for p, rid, v in batch.pending() if v.get(name) is not None]
        keys = [value.lower() for _, _, value in wanted]
        if len(set(keys)) != len(keys):
            wanted = _first_of_each(f, batch, wanted)
        sql = (
            f'SELECT "{name}", Id FROM "{obj.name}" WHERE IsDeleted = 0 AND "{name}" IN ({{marks}})'
        )
        holders = {v.lower(): rid for v, rid in select_in(self.conn, sql, [w[2] for w in wanted])}
        if not holders:
            return
        for position, rid, value in wanted:
            holder = holders.get(value.lower())
            if holder is not None and holder != rid:
                message = (
                    f"duplicate value found: {name} duplicates value on record with id: {holder}"
                )
                batch.fail(position, [error("DUPLICATE_VALUE", message, [name])])

    def plan_upsert(self, obj: ObjectDef, key: FieldDef, records: list[dict[str, Any]]) -> Batch:
        """Split ``records`` into updates of the records ``key`` matches and inserts."""
        batch = Batch(len(records))
        if key.name == "Id":
            has_id = [(i, r) for i, r in enumerate(records) if _value(r, "Id") not in (None, "")]
            rest = [
                (i, {k: v for k, v in r.items() if k.lower() != "id"})
                for i, r in enumerate(records)
                if _value(r, "Id") in (None, "")
            ]
            self.add_updates(obj, batch, has_id)
            self.add_inserts(obj, batch, rest)
            self.finish(obj, batch)
            return batch
        keyed = self._external_values(obj, key, records, batch)
        sql = f'SELECT "{key.name}", Id FROM "{obj.name}" WHERE IsDeleted = 0 AND "{key.name}" IN ({{marks}})'
        matches: dict[str, list[str]] = defaultdict(list)
        for value, rid in select_in(self.conn, sql, [v for _, v in keyed]):
            matches[value.lower()].append(rid)
        updates, inserts = [], []
        for position, value in keyed:
            found = matches.get(value.lower(), [])
            if len(found) > 1:
                message = (
                    "A user-specified external ID matches more than one record during an upsert."
                )
                batch.fail(position, [error("DUPLICATE_EXTERNAL_ID", message, [key.name])])
            elif found:
                updates.append((position, {**records[position], "Id": found[0]}))
            else:
                inserts.append((position, records[position]))
        self.add_updates(obj, batch, updates)
        self.add_inserts(obj, batch, inserts)
        self.finish(obj, batch)
        return batch

    def _external_values(
        self, obj: ObjectDef, key: FieldDef, records: list[dict[str, Any]], batch: Batch
    ) -> list[tuple[int, str]]:
        convert = self.validator(obj, creating=True).convert
        keyed: list[tuple[int, str]] = []
        for position, record in enumerate(records):
            try:
                value = convert(key.name, _value(record, key.name))
            except FieldProblem as problem:
                batch.fail(position, [problem.as_error()])
                continue
            if value is None:
                batch.fail(position, [error("MISSING_ARGUMENT", f"{key.name} not specified")])
                continue
            keyed.append((position, str(value)))
        counts: dict[str, int] = defaultdict(int)
        for _, value in keyed:
            counts[value.lower()] += 1
        for position, value in keyed:
            if counts[value.lower()] > 1:
                message = f"Duplicate external id specified: {value}"
                batch.fail(position, [error("DUPLICATE_VALUE", message, [key.name])])
        return [(p, v) for p, v in keyed if counts[v.lower()] == 1]


def _first_of_each(
    f: FieldDef, batch: Batch, wanted: list[tuple[int, str | None, str]]
) -> list[tuple[int, str | None, str]]:
    """``wanted`` without repeated values (case-insensitive); each repeat fails its record."""
    seen: set[str] = set()
    kept: list[tuple[int, str | None, str]] = []
    for position, rid, value in wanted:
        key = value.lower()
        if key in seen:
            message = (
                "duplicate value found: <unknown> duplicates value on record with id: <unknown>"
            )
            batch.fail(position, [error("DUPLICATE_VALUE", message, [f.name])])
            continue
        seen.add(key)
        kept.append((position, rid, value))
    return kept


def _value(record: dict[str, Any], name: str) -> Any:
    if name in record:
        return record[name]
    wanted = name.lower()
    return next((v for k, v in record.items() if k.lower() == wanted), None)


def _state_problem(deleted: int | None, *, deleted_ok: bool, missing: str) -> SaveError | None:
    if deleted is None:
        if missing == "delete":
            return error("ENTITY_IS_DELETED", "entity is deleted")
        return error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    if deleted and not deleted_ok:
        return error("ENTITY_IS_DELETED", "entity is deleted")
    return None


def state_problem(deleted: int | None, *, hard: bool) -> SaveError | None:
    """Why a record in state ``deleted`` (``None`` = absent) cannot be deleted, if it cannot."""
    return _state_problem(deleted, deleted_ok=hard, missing="delete")

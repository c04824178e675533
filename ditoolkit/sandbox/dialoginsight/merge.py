"""``Contacts.Merge`` and ``RelationalTables.Merge``: upserts reported record by record.

Validation failures, duplicates within the call and unmatched keys are reported in
``Records[i]`` (``Status``, ``ValidationResult``, ``Message``), never as call failures; a record
with any problem is not written at all. Call failures are structural: not a list, more than
:data:`MAX_RECORDS` records, a field name the project does not have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ditoolkit.sandbox.dialoginsight.merge_record import Outcome, Planned, as_id, plan_record
from ditoolkit.sandbox.dialoginsight.store import Collection, Store
from ditoolkit.sandbox.dialoginsight.wire import CallError

MAX_RECORDS = 1000
OPTION_DEFAULTS = {
    "AllowInsert": True,
    "AllowUpdate": True,
    "SkipDuplicateRecords": False,
    "SkipUnmatchedRecords": False,
    "ReturnRecordsOnSuccess": False,
    "ReturnRecordsOnError": False,
}

#: Checks a batch of planned inserts/updates against other data (relational: the contact).
RowCheck = Callable[[list[Planned]], None]


def read_options(raw: Any) -> dict[str, bool]:
    """``MergeOptions`` with defaults for what is omitted (``FieldOptions`` is accepted, unused)."""
    if raw is None:
        return dict(OPTION_DEFAULTS)
    if not isinstance(raw, dict):
        raise CallError("InvalidRequest", "MergeOptions must be an object")
    options = dict(OPTION_DEFAULTS)
    for name, value in raw.items():
        if name not in options:
            continue
        if not isinstance(value, bool):
            raise CallError("InvalidRequest", f"MergeOptions.{name} must be true or false")
        options[name] = value
    return options


def _check_shapes(coll: Collection, records: Any, *, id_names: set[str]) -> list[dict[str, Any]]:
    if not isinstance(records, list):
        raise CallError("InvalidRequest", "Records must be an array of {ID, Data} objects")
    if len(records) > MAX_RECORDS:
        raise CallError(
            "TooManyRecords",
            f"{len(records)} records in one call; send at most {MAX_RECORDS} per call",
        )
    writable = {f.name for f in coll.fields} | set(coll.optins)
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not isinstance(record.get("ID") or {}, dict):
            raise CallError("InvalidRequest", f"Records[{index}] must be an object with ID, Data")
        data = record.get("Data") or {}
        if not isinstance(data, dict):
            raise CallError("InvalidRequest", f"Records[{index}].Data must be an object")
        for name in record.get("ID") or {}:
            if name not in id_names:
                raise CallError(
                    "InvalidField",
                    f"Records[{index}].ID: unknown key {name!r}; use {' or '.join(sorted(id_names))}",
                )
        for name in data:
            if name not in writable:
                raise CallError("InvalidField", f"Records[{index}].Data: unknown field {name!r}")
    return records


@dataclass
class MergeRun:
    """One merge call over one collection."""

    store: Store
    coll: Collection
    options: dict[str, bool]
    by_id: bool
    check: RowCheck | None = None
    plans: list[Planned] = field(default_factory=list)

    def run(self, records: Any) -> dict[str, Any]:
        id_names = {"key_" + f.name for f in self.coll.key_fields}
        if self.by_id:
            id_names.add("idContact")
        checked = _check_shapes(self.coll, records, id_names=id_names)
        with self.store.transaction():
            self._plan(checked)
            self._write()
        return self._response(checked)

    def _plan(self, records: list[dict[str, Any]]) -> None:
        pks = [self.coll.key_of(_id_values(r)) for r in records]
        ids = [as_id((r.get("ID") or {}).get("idContact")) for r in records]
        existing_pk = self.store.find(self.coll, column="_pk", values=[p for p in pks if p])
        existing_id = self.store.find(
            self.coll, column=self.coll.id_column, values=[i for i in ids if i is not None]
        )
        seen: set[Any] = set()
        for index, record in enumerate(records):
            plan = plan_record(
                self.coll, record, existing_pk=existing_pk, existing_id=existing_id,
                options=self.options, seen=seen,
            )  # fmt: skip
            plan.index = index
            self.plans.append(plan)
        self._check_new_keys()
        if self.check is not None:
            self.check([p for p in self.plans if p.outcome.status in ("Created", "Updated")])

    def _check_new_keys(self) -> None:
        """An update that changes the key must not take another contact's key."""
        movers = [p for p in self.plans if p.moved_to is not None]
        if not movers:
            return
        taken = self.store.find(self.coll, column="_pk", values=[p.moved_to for p in movers])
        claimed = {
            p.pk
            for p in self.plans
            if p.outcome.status in ("Created", "Updated") and p.moved_to is None
        }
        for plan in movers:
            if plan.moved_to in taken or plan.moved_to in claimed:
                plan.fail("DuplicateKey", "another record already has this primary key")
            claimed.add(plan.moved_to)

    def _write(self) -> None:
        inserts = [p for p in self.plans if p.outcome.status == "Created"]
        updates = [p for p in self.plans if p.outcome.status == "Updated"]
        if inserts:
            first = self.store.allocate_ids(self.coll, len(inserts))
            for offset, plan in enumerate(inserts):
                plan.row[self.coll.id_column] = first + offset
            self.store.insert(self.coll, [p.row for p in inserts])
        if updates:
            self.store.update(self.coll, [p.row for p in updates])

    def _response(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        out = [self._record(p, records[p.index]) for p in self.plans]
        return {
            "CreatedRecords": sum(p.outcome.status == "Created" for p in self.plans),
            "UpdatedRecords": sum(p.outcome.status == "Updated" for p in self.plans),
            "Records": out,
        }

    def _record(self, plan: Planned, sent: dict[str, Any]) -> dict[str, Any]:
        outcome: Outcome = plan.outcome
        failed = outcome.status == "Error"
        stored = plan.row if outcome.status in ("Created", "Updated", "Unchanged") else None
        return {
            "IdRecord": plan.row.get(self.coll.id_column) if plan.row else None,
            "Status": outcome.status,
            "ValidationResult": outcome.validation,
            "Message": outcome.message,
            "ID": sent.get("ID"),
            "Data": sent.get("Data") if failed and self.options["ReturnRecordsOnError"] else None,
            "Record": self.coll.to_wire(stored)
            if stored and self.options["ReturnRecordsOnSuccess"]
            else None,
        }


def _id_values(record: Any) -> dict[str, Any]:
    ids = record.get("ID") or {} if isinstance(record, dict) else {}
    return {name[4:]: value for name, value in ids.items() if name.startswith("key_")}

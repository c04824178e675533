"""The plan: the diff filtered by the allowed operations and by quality, frozen.

:func:`build_plan` keeps what the transfer may do (``insert``, ``update``; ``delete`` only
when listed), counts the rest as skipped with the reason, leaves out rows that quality or the
key match held back and rows in conflict. The plan is a value: it serializes to JSON and back
unchanged, writes ``plan.csv`` and ``errors.csv``, and carries the fingerprint of the target
rows it was made from, so that :meth:`Plan.check_fresh` refuses to apply it to a target that
changed since the preview.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ditoolkit.core.diff import COUNT_KEYS, Diff
from ditoolkit.core.fingerprint import describe_drift, fingerprint_rows, row_hashes
from ditoolkit.core.plan_errors import ERROR_COLUMNS, errors_of, held_back_count
from ditoolkit.core.plan_rows import (
    PLAN_COLUMNS,
    delete_rows,
    empty_rows,
    insert_rows,
    json_value,
    update_rows,
)
from ditoolkit.core.quality import QualityReport
from ditoolkit.core.spreadsheet import neutralize_frame
from ditoolkit.errors import ApplyError, DitoolkitError

OPERATIONS = ("insert", "update", "delete")
SKIPPED_COLUMNS = ["key", "operation", "reason"]
_PLAN_VERSION = 1


def parse_operations(operations: list[str] | tuple[str, ...] | set[str]) -> tuple[str, ...]:
    """The allowed operations in canonical order (``upsert`` = insert + update).

    Raises:
        DitoolkitError: an unknown operation, naming the accepted ones.
    """
    chosen: set[str] = set()
    for op in operations:
        name = str(op).strip().lower()
        if name == "upsert":
            chosen |= {"insert", "update"}
        elif name in OPERATIONS:
            chosen.add(name)
        else:
            raise DitoolkitError(
                f"unknown operation {op!r} in the transfer's operations",
                hint=f"use some of {list(OPERATIONS)} (or upsert for insert + update)",
            )
    return tuple(op for op in OPERATIONS if op in chosen)


@dataclass(frozen=True, eq=False)
class Plan:
    """A frozen change set, ready to apply to the target it was made from.

    Attributes:
        transfer_name: the mapping's transfer.
        direction: ``sf_to_di``, ``di_to_sf`` or ``both``.
        operations: the allowed operations.
        key: the key column (target field name).
        fields: the compared fields.
        rows: one row per planned row change: :data:`PLAN_COLUMNS`.
        skipped: rows of operations the transfer does not allow: key, operation, reason.
        errors: held-back rows and rows in conflict: :data:`ERROR_COLUMNS`.
        counts: the ``counts`` of summary.json.
        target_fingerprint: :func:`fingerprint_rows` of the target read for the diff.
        mapping_fingerprint: the transfer's fingerprint, when given.
        touched: per-row hashes (by key) of the target rows the plan changes.
        insert_keys: the keys of rows planned for insert.
        target_rows: how many target rows were read.
    """

    transfer_name: str
    direction: str
    operations: tuple[str, ...]
    key: str
    fields: tuple[str, ...]
    rows: pd.DataFrame
    skipped: pd.DataFrame
    errors: pd.DataFrame
    counts: dict[str, int]
    target_fingerprint: str
    mapping_fingerprint: str | None = None
    touched: dict[str, str] = field(default_factory=dict)
    insert_keys: tuple[str, ...] = ()
    target_rows: int = 0

    def summary(self) -> dict[str, int]:
        """The ``counts`` of summary.json (rows, not fields)."""
        return dict(self.counts)

    def skipped_counts(self) -> dict[str, int]:
        """How many rows each disallowed operation would have changed."""
        return {str(k): int(v) for k, v in self.skipped["operation"].value_counts().items()}

    def to_frame(self) -> pd.DataFrame:
        """The planned row changes for display: fields joined, before and after as dicts."""
        frame = self.rows.copy()
        frame["fields"] = frame["fields"].map(", ".join)
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Everything in the plan as JSON-ready values (without its own fingerprint).

        Built once per plan (a plan does not change after it is made); callers must not
        modify what it returns.
        """
        return self._content

    @cached_property
    def _content(self) -> dict[str, Any]:
        return {
            "version": _PLAN_VERSION,
            "transfer": self.transfer_name,
            "direction": self.direction,
            "operations": list(self.operations),
            "key": self.key,
            "fields": list(self.fields),
            "counts": self.summary(),
            "target_fingerprint": self.target_fingerprint,
            "mapping_fingerprint": self.mapping_fingerprint,
            "target_rows": self.target_rows,
            "touched": dict(sorted(self.touched.items())),
            "insert_keys": sorted(self.insert_keys),
            "rows": _records(self.rows, PLAN_COLUMNS),
            "skipped": _records(self.skipped, SKIPPED_COLUMNS),
            "errors": _records(self.errors, ERROR_COLUMNS),
        }

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the plan's whole content: two equal plans share it."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def to_json_value(self) -> dict[str, Any]:
        """The plan as :meth:`to_json` writes it, as a JSON-ready dict (with its fingerprint)."""
        return {**self.to_dict(), "fingerprint": self.fingerprint}

    def to_json(self, path: str | Path | None = None) -> str:
        """The plan as JSON text (with its fingerprint); also written to ``path`` if given."""
        text = json.dumps(self.to_json_value(), indent=1)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """Read a plan written by :meth:`to_json`.

        Raises:
            ApplyError: the text is not a plan, or was altered after it was written.
        """
        data = _load(text)
        plan = cls(
            transfer_name=data["transfer"],
            direction=data["direction"],
            operations=tuple(data["operations"]),
            key=data["key"],
            fields=tuple(data["fields"]),
            rows=_frame(data["rows"], PLAN_COLUMNS),
            skipped=_frame(data["skipped"], SKIPPED_COLUMNS),
            errors=_frame(data["errors"], ERROR_COLUMNS),
            counts={k: int(data["counts"][k]) for k in COUNT_KEYS},
            target_fingerprint=data["target_fingerprint"],
            mapping_fingerprint=data.get("mapping_fingerprint"),
            touched=dict(data["touched"]),
            insert_keys=tuple(data["insert_keys"]),
            target_rows=int(data["target_rows"]),
        )
        if data.get("fingerprint") not in (None, plan.fingerprint):
            raise ApplyError(
                "the plan file was altered after it was written (its fingerprint does not match)",
                hint="make a new plan with `python -m ditoolkit plan MAPPING`",
            )
        return plan

    def to_csv(self, path: str | Path) -> Path:
        """Write plan.csv: one row per planned row change, before/after as JSON (headers always)."""
        frame = self.rows.copy()
        frame["fields"] = frame["fields"].map(";".join)
        for col in ("before", "after"):
            frame[col] = frame[col].map(lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
        target = Path(path)
        neutralize_frame(frame[PLAN_COLUMNS]).to_csv(target, index=False)
        return target

    def errors_frame(self) -> pd.DataFrame:
        """errors.csv rows: every held-back row and row in conflict, with key and reason."""
        return self.errors.copy()

    def check_fresh(self, current_target: pd.DataFrame) -> None:
        """Refuse a plan whose target changed since it was made.

        Args:
            current_target: the target rows read again now (same columns).

        Raises:
            ApplyError: naming how many rows changed, sample keys, and how to re-plan.
        """
        columns = [c for c in self.fields if c in current_target.columns]
        now = fingerprint_rows(current_target, key=self.key, columns=columns)
        if now == self.target_fingerprint:
            return
        drift = describe_drift(
            current_target,
            key=self.key,
            columns=columns,
            touched=self.touched,
            insert_keys=self.insert_keys,
            rows_before=self.target_rows,
        )
        raise ApplyError(
            f"the target of transfer {self.transfer_name!r} changed since the plan was made: {drift}",
            hint=f"make a new plan (python -m ditoolkit plan MAPPING --transfer {self.transfer_name}), "
            "review its preview, then apply that plan",
        )


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [{c: json_value(r[c]) for c in columns} for r in frame.to_dict("records")]


def _frame(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    if not records:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return pd.DataFrame(records, columns=columns).astype(object)


def _load(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApplyError(
            f"the plan is not valid JSON (line {exc.lineno}): {exc.msg}",
            hint="make a new plan with `python -m ditoolkit plan MAPPING`",
        ) from exc
    if not isinstance(data, dict) or data.get("version") != _PLAN_VERSION:
        raise ApplyError(
            f"not a plan of version {_PLAN_VERSION}",
            hint="make a new plan with `python -m ditoolkit plan MAPPING`",
        )
    return data


def _skip(frame: pd.DataFrame, operation: str) -> pd.DataFrame:
    reason = f"{operation} is not among the transfer's operations: add it to operations to allow it"
    return pd.DataFrame(
        {"key": frame["key"].astype(object), "operation": operation, "reason": reason},
        columns=SKIPPED_COLUMNS,
    )


def _planned(diff: Diff, excluded: pd.Index) -> dict[str, pd.DataFrame]:
    """Candidate row changes per operation, without held-back and conflicting keys."""
    inserts = diff.inserts[~diff.inserts[diff.key].isin(excluded)]
    updates = diff.updates[~diff.updates["key"].isin(excluded)]
    back = diff.updates_back[~diff.updates_back["key"].isin(excluded)]
    upd = pd.concat([update_rows(updates, side="target"), update_rows(back, side="source")])
    return {
        "insert": insert_rows(inserts, key=diff.key),
        "update": upd.reset_index(drop=True),
        "delete": delete_rows(diff.deletes, key=diff.key),
    }


def build_plan(
    diff: Diff,
    quality: QualityReport | None = None,
    *,
    operations: list[str] | tuple[str, ...],
    transfer_name: str,
    direction: str,
    target_fingerprint: str | None = None,
    mapping_fingerprint: str | None = None,
) -> Plan:
    """Freeze ``diff`` into a plan: allowed operations only, held-back and conflicting rows out.

    Args:
        diff: the diff of source and target.
        quality: the quality report of the source rows (its blocking rows are held back).
        operations: the transfer's allowed operations.
        transfer_name: the mapping's transfer name.
        direction: ``sf_to_di``, ``di_to_sf`` or ``both``.
        target_fingerprint: :func:`fingerprint_rows` of the target as read; computed from
            ``diff.target`` when not given.
        mapping_fingerprint: the transfer's fingerprint.

    Returns:
        The :class:`Plan`.
    """
    allowed = parse_operations(operations)
    held = quality.held_back_keys() if quality is not None else pd.Index([])
    excluded = held.union(diff.conflict_keys())
    candidates = _planned(diff, excluded)
    kept = [rows for op, rows in candidates.items() if op in allowed and not rows.empty]
    skipped = [
        _skip(rows, op) for op, rows in candidates.items() if op not in allowed and not rows.empty
    ]
    rows = pd.concat(kept, ignore_index=True) if kept else empty_rows()
    columns = [c for c in diff.fields if c in diff.target.columns]
    changed_keys = rows.loc[rows["operation"] != "insert", "key"]
    counts = {op: int((rows["operation"] == op).sum()) for op in OPERATIONS}
    counts |= {
        "conflict": len(diff.conflict_keys()),
        "unchanged": int((~pd.Index(diff.unchanged_keys).isin(held)).sum()),
        "held_back": held_back_count(diff, quality),
        "failed": 0,
    }
    return Plan(
        transfer_name=transfer_name,
        direction=direction,
        operations=allowed,
        key=diff.key,
        fields=diff.fields,
        rows=rows,
        skipped=pd.concat(skipped, ignore_index=True) if skipped else _frame([], SKIPPED_COLUMNS),
        errors=errors_of(diff, quality),
        counts={k: counts[k] for k in COUNT_KEYS},
        target_fingerprint=target_fingerprint
        or fingerprint_rows(diff.target, key=diff.key, columns=columns),
        mapping_fingerprint=mapping_fingerprint,
        touched=row_hashes(
            diff.target, key=diff.key, columns=columns, keys=[str(k) for k in changed_keys]
        ),
        insert_keys=tuple(str(k) for k in candidates["insert"]["key"]),
        target_rows=len(diff.target),
    )

"""What a preview found, per direction and for the whole transfer.

:class:`DirectionPreview` holds one direction's frames (source and target as read, the source
in target field names), its quality report, diff and plan. :class:`Preview` gathers the
directions of one transfer and answers in summary.json's terms: :meth:`Preview.summary` (row
counts), :meth:`Preview.report_data` (what ``report.html`` shows), :meth:`Preview.plan_rows`
and :meth:`Preview.error_rows` (``plan.csv`` and ``errors.csv`` rows), and
:attr:`Preview.target_fingerprint`. Build one with :func:`ditoolkit.core.pipeline.preview_transfer`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import pandas as pd

from ditoolkit.core.diff import COUNT_KEYS, Diff
from ditoolkit.core.findings import Finding
from ditoolkit.core.mapping import Transfer
from ditoolkit.core.plan import Plan
from ditoolkit.core.plan_errors import ERROR_COLUMNS
from ditoolkit.core.plan_rows import PLAN_COLUMNS, json_value
from ditoolkit.core.quality import QualityReport
from ditoolkit.core.report import CHANGE_COLUMNS, ReportData, build_report_data
from ditoolkit.errors import DitoolkitError
from ditoolkit.port import TableSchema

#: Counts that describe the same matched rows seen from either side of a ``both`` transfer.
_SHARED_COUNTS = ("conflict", "unchanged")
_SIDE_LABELS = {
    "sf_to_di": "Salesforce → Dialog Insight",
    "di_to_sf": "Dialog Insight → Salesforce",
}


@dataclass(frozen=True, eq=False)
class DirectionPreview:
    """One direction of a transfer, previewed.

    Attributes:
        direction: ``sf_to_di`` or ``di_to_sf``.
        source_table / target_table: the sides read, as reports name them.
        source: the source rows as read (mapped fields only).
        target: the target rows as read (mapped fields, keyed rows only).
        transformed: the source in target field names, key first.
        transform_findings: what the transforms could not convert.
        quality: the quality report (transform findings included).
        diff: the diff after the project and two-way rules.
        plan: the frozen plan.
        target_schema: the target's schema.
        target_unkeyed: target rows left out of the comparison for lack of a key.
    """

    direction: str
    source_table: str
    target_table: str
    source: pd.DataFrame
    target: pd.DataFrame
    transformed: pd.DataFrame
    transform_findings: tuple[Finding, ...]
    quality: QualityReport
    diff: Diff
    plan: Plan
    target_schema: TableSchema
    target_unkeyed: int = 0

    @property
    def label(self) -> str:
        """``Salesforce → Dialog Insight`` (or the CSV file's name for a CSV source)."""
        return _SIDE_LABELS.get(self.direction, self.direction)


@dataclass(frozen=True, eq=False)
class Preview:
    """Every direction of one transfer, previewed; nothing was written.

    Attributes:
        transfer: the transfer.
        directions: direction → :class:`DirectionPreview` (in the transfer's order).
        project_type: the DI project's type, when known.
    """

    transfer: Transfer
    directions: dict[str, DirectionPreview]
    project_type: str | None = None

    def direction(self, direction: str | None = None) -> DirectionPreview:
        """One direction (may be left out unless the transfer runs both ways).

        Raises:
            DitoolkitError: the direction is not previewed, or must be named.
        """
        if direction is None and len(self.directions) == 1:
            return next(iter(self.directions.values()))
        if direction in self.directions:
            return self.directions[direction]
        raise DitoolkitError(
            f"transfer {self.transfer.name!r} has no previewed direction {direction!r}",
            hint=f"use one of {', '.join(self.directions)}",
        )

    def plan(self, direction: str | None = None) -> Plan:
        """The plan of ``direction``."""
        return self.direction(direction).plan

    def diff(self, direction: str | None = None) -> Diff:
        """The diff of ``direction``."""
        return self.direction(direction).diff

    def quality(self, direction: str | None = None) -> QualityReport:
        """The quality report of ``direction``."""
        return self.direction(direction).quality

    @property
    def plans(self) -> dict[str, Plan]:
        """Direction → plan."""
        return {name: d.plan for name, d in self.directions.items()}

    def summary(self) -> dict[str, int]:
        """Row counts in summary.json's ``counts`` shape (rows, not fields).

        Writes and held-back rows add up over the directions; conflicts and unchanged rows
        are the same matched rows seen from each side, so the larger conflict count and the
        smaller unchanged count are given.
        """
        per = [d.plan.summary() for d in self.directions.values()]
        counts = {k: sum(c[k] for c in per) for k in COUNT_KEYS if k not in _SHARED_COUNTS}
        counts["conflict"] = max(c["conflict"] for c in per)
        counts["unchanged"] = min(c["unchanged"] for c in per)
        return {k: int(counts[k]) for k in COUNT_KEYS}

    @property
    def target_fingerprint(self) -> str:
        """The plan's target fingerprint (one hash of both for a two-way transfer)."""
        prints = {name: d.plan.target_fingerprint for name, d in self.directions.items()}
        if len(prints) == 1:
            return next(iter(prints.values()))
        text = "|".join(f"{name}:{value}" for name, value in sorted(prints.items()))
        return hashlib.sha256(text.encode()).hexdigest()

    def plan_rows(self) -> pd.DataFrame:
        """Every planned row change: ``transfer, direction`` and the plan's columns."""
        return self._stacked({n: d.plan.rows for n, d in self.directions.items()}, PLAN_COLUMNS)

    def error_rows(self) -> pd.DataFrame:
        """Every held-back row and row in conflict: ``transfer, direction`` and its reason."""
        frames = {n: d.plan.errors_frame() for n, d in self.directions.items()}
        return self._stacked(frames, ERROR_COLUMNS)

    def _stacked(self, frames: dict[str, pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        parts = [
            f[columns].astype(object).assign(transfer=self.transfer.name, direction=name)
            for name, f in frames.items()
            if not f.empty
        ]
        ordered = ["transfer", "direction", *columns]
        if not parts:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in ordered})
        return pd.concat(parts, ignore_index=True)[ordered]

    def report_data(self, *, sample: int = 20) -> ReportData:
        """What ``report.html`` shows: every direction's plan, quality and conflicts."""
        parts = []
        for d in self.directions.values():
            data = build_report_data(d.plan, d.quality, sample=sample)
            conflicts = d.diff.conflicts.head(sample).map(json_value)
            parts.append(replace(data, conflicts=conflicts))
        title = f"Plan of {self.transfer.name} ({', '.join(self.labels())})"
        if len(parts) == 1:
            return replace(parts[0], title=title, counts=self.summary())
        return ReportData(
            title=title,
            counts=self.summary(),
            changed_fields=_added([p.changed_fields for p in parts]),
            findings_by_reason=_added([p.findings_by_reason for p in parts]),
            changes=_concat([p.changes for p in parts], CHANGE_COLUMNS).head(sample),
            inserts=[k for p in parts for k in p.inserts][:sample],
            deletes=[k for p in parts for k in p.deletes][:sample],
            conflicts=parts[0].conflicts,
            findings=_concat([p.findings for p in parts], None).head(sample),
        )

    def labels(self) -> list[str]:
        """Each direction as ``source table → target table``."""
        return [f"{d.source_table} → {d.target_table}" for d in self.directions.values()]


def _added(counts: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for one in counts:
        for name, value in one.items():
            total[name] = total.get(name, 0) + value
    return dict(sorted(total.items(), key=lambda item: (-item[1], item[0])))


def _concat(frames: list[pd.DataFrame], columns: list[str] | None) -> pd.DataFrame:
    kept = [f.astype(object) for f in frames if not f.empty]
    if kept:
        return pd.concat(kept, ignore_index=True)
    return pd.DataFrame(columns=columns) if columns is not None else pd.DataFrame()

"""Reports of a diff or a plan: compute once (:func:`build_report_data`), render many ways.

:class:`ReportData` holds counts, per-field change counts, findings by reason and samples;
:func:`render_html` (a self-contained page, before → after highlighted with a pandas Styler),
:func:`render_text`, :func:`plot_changes` and :func:`plot_findings` (matplotlib Figures, no
pyplot state) only render it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ditoolkit.core.diff import COUNT_KEYS, Diff
from ditoolkit.core.plan import Plan
from ditoolkit.core.plan_rows import json_value
from ditoolkit.core.quality import QualityReport

CHANGE_COLUMNS = ["key", "field", "before", "after"]

_BEFORE_CSS = "background-color: #fde2e1; color: #8a1c1c; text-decoration: line-through"
_AFTER_CSS = "background-color: #ddf4dd; color: #175c17; font-weight: bold"
_PAGE_CSS = (
    "body{font-family:sans-serif;margin:1.5em} table{border-collapse:collapse;margin:.5em 0}"
    " td,th{border:1px solid #ccc;padding:2px 8px;text-align:left} h2{margin-top:1.2em}"
)


@dataclass(frozen=True, eq=False)
class ReportData:
    """What a report shows, computed once.

    Attributes:
        title: the report's title.
        counts: the ``counts`` of summary.json.
        changed_fields: rows changing per field.
        findings_by_reason: quality findings per reason code.
        changes: a sample of field changes (key, field, before, after).
        inserts: a sample of keys to insert.
        deletes: a sample of keys to delete.
        conflicts: a sample of conflicts (long form).
        findings: a sample of quality findings.
    """

    title: str
    counts: dict[str, int]
    changed_fields: dict[str, int]
    findings_by_reason: dict[str, int]
    changes: pd.DataFrame
    inserts: list[Any] = field(default_factory=list)
    deletes: list[Any] = field(default_factory=list)
    conflicts: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """The counts and per-field/per-reason figures as JSON-ready values."""
        return {
            "title": self.title,
            "counts": dict(self.counts),
            "changed_fields": dict(self.changed_fields),
            "findings_by_reason": dict(self.findings_by_reason),
        }


def _plan_changes(plan: Plan) -> pd.DataFrame:
    """Long-form field changes of a plan's updates."""
    rows = [
        (r["key"], name, r["before"].get(name), r["after"].get(name))
        for r in plan.rows[plan.rows["operation"] == "update"].to_dict("records")
        for name in r["fields"]
    ]
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _keys_of(plan: Plan, operation: str, sample: int) -> list[Any]:
    return list(plan.rows.loc[plan.rows["operation"] == operation, "key"].head(sample))


def build_report_data(
    source: Diff | Plan, quality: QualityReport | None = None, *, title: str = "", sample: int = 20
) -> ReportData:
    """Compute what a report shows from a diff or a plan, and the quality report.

    Args:
        source: the :class:`Diff` (what differs) or the :class:`Plan` (what will be done).
        quality: the quality report of the source rows.
        title: the report's title (default: the plan's transfer name, or "Diff").
        sample: how many changes, keys, conflicts and findings to show.

    Returns:
        The :class:`ReportData`.
    """
    if isinstance(source, Plan):
        changes = _plan_changes(source)
        counts = source.summary()
        inserts, deletes = _keys_of(source, "insert", sample), _keys_of(source, "delete", sample)
        conflicts = pd.DataFrame()
        name = title or f"Plan of {source.transfer_name}"
    else:
        changes = source.all_changes()[CHANGE_COLUMNS]
        counts = source.summary()
        inserts = list(source.inserts[source.key].head(sample))
        deletes = list(source.deletes[source.key].head(sample))
        conflicts = source.conflicts.head(sample)
        name = title or "Diff"
    findings = quality.findings if quality is not None else pd.DataFrame()
    return ReportData(
        title=name,
        counts={k: int(counts.get(k, 0)) for k in COUNT_KEYS},
        changed_fields=_ranked(changes["field"]),
        findings_by_reason=_ranked(findings["reason"]) if not findings.empty else {},
        changes=changes.head(sample).map(json_value),
        inserts=[json_value(k) for k in inserts],
        deletes=[json_value(k) for k in deletes],
        conflicts=conflicts.map(json_value) if not conflicts.empty else conflicts,
        findings=findings.head(sample),
    )


def _ranked(values: pd.Series) -> dict[str, int]:
    """Counts of each value, most first, ties by name (stable output for snapshots)."""
    counts = {str(k): int(v) for k, v in values.value_counts().items()}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _counts_frame(data: ReportData) -> pd.DataFrame:
    return pd.DataFrame({"rows": data.counts}).rename_axis("outcome")


def _changes_html(changes: pd.DataFrame) -> str:
    if changes.empty:
        return "<p>No field changes.</p>"
    shown = changes.assign(change="→")[["key", "field", "before", "change", "after"]]
    styler = shown.style.format(escape="html", na_rep="").hide(axis="index")
    styler = styler.map(lambda _: _BEFORE_CSS, subset=["before"])
    styler = styler.map(lambda _: _AFTER_CSS, subset=["after"])
    styler = styler.set_td_classes(
        pd.DataFrame("", index=shown.index, columns=shown.columns).assign(
            before="before", after="after"
        )
    )
    return str(styler.to_html())


def _table_html(frame: pd.DataFrame, empty: str) -> str:
    if frame.empty:
        return f"<p>{html.escape(empty)}</p>"
    return str(frame.to_html(index=False, escape=True, na_rep=""))


def render_html(data: ReportData) -> str:
    """A self-contained HTML page (inline styles, no external files) of the report."""
    title = html.escape(data.title)
    keys_in = html.escape(", ".join(map(str, data.inserts))) or "none"
    keys_out = html.escape(", ".join(map(str, data.deletes))) or "none"
    fields = pd.DataFrame({"rows": data.changed_fields}).rename_axis("field").reset_index()
    reasons = pd.DataFrame({"findings": data.findings_by_reason}).rename_axis("reason")
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>",
        f"<style>{_PAGE_CSS}</style></head><body><h1>{title}</h1>",
        "<h2>Rows</h2>",
        _counts_frame(data).to_html(),
        "<h2>Changes by field</h2>",
        _table_html(fields, "No field changes."),
        "<h2>Field changes (before → after)</h2>",
        _changes_html(data.changes),
        f"<h2>Inserts</h2><p>{keys_in}</p><h2>Deletes</h2><p>{keys_out}</p>",
        "<h2>Conflicts</h2>",
        _table_html(data.conflicts, "No conflicts."),
        "<h2>Quality findings</h2>",
        _table_html(reasons.reset_index(), "No findings."),
        _table_html(data.findings, ""),
        "</body></html>",
    ]
    return "\n".join(parts)


def render_text(data: ReportData) -> str:
    """The report as plain text (terminal, logs)."""
    lines = [data.title, "=" * len(data.title), "Rows:"]
    lines += [f"  {name:<10} {count:>8}" for name, count in data.counts.items()]
    if data.changed_fields:
        lines.append("Changes by field:")
        lines += [f"  {name:<24} {count:>8}" for name, count in data.changed_fields.items()]
    if not data.changes.empty:
        lines.append("Field changes (before -> after):")
        lines += [
            f"  {r.key} {r.field}: {r.before!r} -> {r.after!r}" for r in data.changes.itertuples()
        ]
    if data.inserts:
        lines.append("Inserts: " + ", ".join(map(str, data.inserts)))
    if data.deletes:
        lines.append("Deletes: " + ", ".join(map(str, data.deletes)))
    if not data.conflicts.empty:
        lines.append("Conflicts (base / source / target):")
        lines += [
            f"  {r.key} {r.field}: {r.base!r} / {r.source!r} / {r.target!r}"
            for r in data.conflicts.itertuples()
        ]
    if data.findings_by_reason:
        lines.append("Quality findings:")
        lines += [f"  {name:<24} {count:>8}" for name, count in data.findings_by_reason.items()]
    return "\n".join(lines) + "\n"


def _bar_figure(values: dict[str, int], *, title: str, xlabel: str) -> Figure:
    figure = Figure(figsize=(6, max(2.0, 0.35 * len(values) + 1)))
    axes = figure.subplots()
    names = list(values)[::-1]
    axes.barh(names, [values[n] for n in names], color="#4c78a8")
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    if not values:
        axes.text(0.5, 0.5, "nothing to show", ha="center", va="center", transform=axes.transAxes)
    figure.tight_layout()
    return figure


def plot_changes(data: ReportData) -> Figure:
    """Bar charts of rows per outcome and rows changing per field."""
    figure = Figure(figsize=(10, 4))
    left, right = figure.subplots(1, 2)
    outcomes = {k: v for k, v in data.counts.items() if k != "failed"}
    left.bar(list(outcomes), list(outcomes.values()), color="#4c78a8")
    left.set_title("Rows")
    left.tick_params(axis="x", rotation=30)
    names = list(data.changed_fields)[::-1]
    right.barh(names, [data.changed_fields[n] for n in names], color="#f58518")
    right.set_title("Rows changing per field")
    figure.tight_layout()
    return figure


def plot_findings(data: ReportData) -> Figure:
    """A bar chart of quality findings per reason."""
    return _bar_figure(data.findings_by_reason, title="Quality findings", xlabel="findings")

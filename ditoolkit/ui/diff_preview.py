"""The diff preview: what a plan will do, tab by tab, before → after, and a chart per field.

Tabs for inserts, updates, deletes and conflicts carry their row counts (the counts of
summary.json). Updates show each changed field before → after, filterable by field.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from ditoolkit.core.diff import Diff
from ditoolkit.core.plan import Plan
from ditoolkit.core.preview import Preview
from ditoolkit.core.report import CHANGE_COLUMNS, build_report_data, plot_changes
from ditoolkit.ui.html import changes_html, figure_png, frame_html

ALL_FIELDS = "(all fields)"
TABS = ("insert", "update", "delete", "conflict")
TAB_LABELS = {
    "insert": "Inserts",
    "update": "Updates",
    "delete": "Deletes",
    "conflict": "Conflicts",
}


def plan_changes(plan: Plan) -> pd.DataFrame:
    """Every field change of the plan's updates, long form: ``key, field, before, after``."""
    updates = plan.rows[plan.rows["operation"] == "update"]
    rows = [
        (r["key"], name, r["before"].get(name), r["after"].get(name))
        for r in updates.to_dict("records")
        for name in r["fields"]
    ]
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def plan_images(plan: Plan, operation: str, *, image: str) -> pd.DataFrame:
    """One row per planned ``operation`` row: its key and its ``before`` or ``after`` values."""
    chosen = plan.rows[plan.rows["operation"] == operation]
    records = [{"key": r["key"], **r[image]} for r in chosen.to_dict("records")]
    return pd.DataFrame(records, columns=["key"]) if not records else pd.DataFrame(records)


class DiffPreview:
    """Tabs of a plan's inserts, updates, deletes and the diff's conflicts, with a chart.

    Args:
        plan: the frozen plan (what will be sent).
        diff: the diff it came from (its conflicts are shown; not sent).

    Attributes:
        counts: the plan's row counts (summary.json's ``counts``).
        changes: every field change of the updates (``key, field, before, after``).
        field_picker: filter the updates by field.
        tabs: the ``Tab`` widget (titles carry the counts).
        chart: the chart of rows per outcome and changes per field (PNG).
        widget: the panel to display.
    """

    def __init__(self, plan: Plan, diff: Diff) -> None:
        self.plan = plan
        self.diff = diff
        self.counts = plan.summary()
        self.changes = plan_changes(plan)
        fields = sorted(self.changes["field"].astype(str).unique())
        self.field_picker = widgets.Dropdown(
            options=[ALL_FIELDS, *fields], value=ALL_FIELDS, description="Field"
        )
        self.updates_view = widgets.HTML()
        self.field_picker.observe(lambda _c: self._show_updates(), names="value")
        self._show_updates()
        pages = {
            "insert": widgets.HTML(frame_html(plan_images(plan, "insert", image="after"))),
            "update": widgets.VBox([self.field_picker, self.updates_view]),
            "delete": widgets.HTML(frame_html(plan_images(plan, "delete", image="before"))),
            "conflict": widgets.HTML(frame_html(diff.conflicts, empty="no conflicts")),
        }
        self.tabs = widgets.Tab(children=[pages[t] for t in TABS], titles=self.tab_titles())
        figure = plot_changes(build_report_data(plan))
        self.chart = widgets.Image(value=figure_png(figure), format="png")
        skipped = plan.skipped_counts()
        note = ", ".join(f"{n} {op} not allowed" for op, n in skipped.items() if n)
        self.note = widgets.HTML(
            f"<i>Nothing has been written. {note + '; ' if note else ''}"
            f"{self.counts['held_back']} row(s) held back, {self.counts['unchanged']} unchanged."
            "</i>"
        )
        self.widget = widgets.VBox([self.note, self.tabs, self.chart])

    def tab_titles(self) -> tuple[str, ...]:
        """``Inserts (12)``, ``Updates (3)``, ... in tab order."""
        return tuple(f"{TAB_LABELS[t]} ({self.counts[t]})" for t in TABS)

    def changes_shown(self) -> pd.DataFrame:
        """The field changes of the chosen field (all by default)."""
        chosen = self.field_picker.value
        if chosen == ALL_FIELDS:
            return self.changes
        return self.changes[self.changes["field"] == chosen]

    def filter_field(self, name: str | None) -> None:
        """Show the changes of one field (``None``: all)."""
        self.field_picker.value = name or ALL_FIELDS

    def _show_updates(self) -> None:
        self.updates_view.value = changes_html(self.changes_shown())

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class PreviewPanel:
    """One transfer's preview: for each direction, its quality panel and its diff preview.

    Args:
        preview: a :class:`~ditoolkit.core.preview.Preview` (``ditoolkit.workflow``).

    Attributes:
        quality: direction → :class:`~ditoolkit.ui.quality_panel.QualityPanel`.
        diffs: direction → :class:`DiffPreview`.
        widget: the panel to display.
    """

    def __init__(self, preview: Preview) -> None:
        from ditoolkit.ui.quality_panel import QualityPanel

        self.preview = preview
        self.quality: dict[str, QualityPanel] = {}
        self.diffs: dict[str, DiffPreview] = {}
        pages = []
        for name, part in preview.directions.items():
            label = f"{part.source_table} → {part.target_table}"
            self.quality[name] = QualityPanel(part.quality, title=label)
            self.diffs[name] = DiffPreview(part.plan, part.diff)
            pages.append(
                widgets.VBox(
                    [
                        widgets.HTML(f"<h4>{html.escape(label)}</h4><b>Data quality</b>"),
                        self.quality[name].widget,
                        widgets.HTML("<b>What would change</b>"),
                        self.diffs[name].widget,
                    ]
                )
            )
        self.widget = (
            pages[0]
            if len(pages) == 1
            else widgets.Tab(children=pages, titles=tuple(preview.directions))
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

"""The quality panel: findings by reason, and the rows held back (never half-sent)."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from ditoolkit.core.quality import QualityReport
from ditoolkit.ui.html import frame_html, status_html

ALL_REASONS = "(all reasons)"


class QualityPanel:
    """Findings of a quality check, filtered by reason, and the held-back rows.

    Args:
        report: the quality report (``Preview.quality()``).
        title: what was checked (``Dialog Insight 1002 Contact → Salesforce Lead``).

    Attributes:
        reason_picker: choose a reason, or all of them.
        widget: the panel to display.
    """

    def __init__(self, report: QualityReport, *, title: str = "") -> None:
        self.report = report
        counts = report.counts_by_reason()
        self.reasons = [str(r) for r in counts.index]
        held = len(report.held_back)
        kind = "error" if held else ("warning" if len(report.findings) else "ok")
        self.summary = widgets.HTML(
            status_html(
                f"{title + ': ' if title else ''}{len(report.findings)} finding(s), "
                f"{held} row(s) held back",
                kind=kind,
            )
        )
        self.counts_view = widgets.HTML(
            frame_html(counts.rename_axis("reason").reset_index(), empty="no findings")
        )
        self.reason_picker = widgets.Dropdown(
            options=[ALL_REASONS, *self.reasons], value=ALL_REASONS, description="Reason"
        )
        self.findings_view = widgets.HTML()
        self.held_back_view = widgets.HTML(
            frame_html(report.errors_frame(), empty="no row is held back")
        )
        self.reason_picker.observe(lambda _c: self._show(), names="value")
        self._show()
        self.widget = widgets.VBox(
            [
                self.summary,
                self.counts_view,
                widgets.Accordion(
                    children=[
                        widgets.VBox([self.reason_picker, self.findings_view]),
                        self.held_back_view,
                    ],
                    titles=("Findings", f"Held back ({held})"),
                ),
            ]
        )

    def findings_shown(self) -> pd.DataFrame:
        """The findings of the chosen reason (all of them by default)."""
        chosen = self.reason_picker.value
        findings = self.report.findings
        if chosen == ALL_REASONS:
            return findings
        return findings[findings["reason"] == chosen]

    def show_reason(self, reason: str | None) -> None:
        """Show the findings of one reason (``None``: all)."""
        self.reason_picker.value = reason or ALL_REASONS

    def _show(self) -> None:
        self.findings_view.value = frame_html(self.findings_shown(), empty="no findings")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

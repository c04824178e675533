"""Quality panel and diff preview on a transfer previewed between two memory systems."""

from __future__ import annotations

import html

import pytest

from ditoolkit.core.preview import Preview
from ditoolkit.ui.diff_preview import ALL_FIELDS, DiffPreview, PreviewPanel
from ditoolkit.ui.quality_panel import ALL_REASONS, QualityPanel
from tests.ui.memory_world import build_world


@pytest.fixture(scope="module")
def preview() -> Preview:
    return build_world()[2]


def test_tab_titles_carry_the_plan_counts(preview: Preview):
    part = preview.direction()
    panel = DiffPreview(part.plan, part.diff)
    counts = part.plan.summary()
    assert panel.tab_titles() == (
        f"Inserts ({counts['insert']})",
        f"Updates ({counts['update']})",
        f"Deletes ({counts['delete']})",
        f"Conflicts ({counts['conflict']})",
    )
    assert tuple(panel.tabs.titles) == panel.tab_titles()
    # the world: one new valid contact, two changed ones, one invalid email held back
    assert (counts["insert"], counts["update"], counts["held_back"]) == (1, 2, 1)
    assert panel.chart.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_updates_show_before_and_after_and_filter_by_field(preview: Preview):
    part = preview.direction()
    panel = DiffPreview(part.plan, part.diff)
    updates = part.plan.rows[part.plan.rows["operation"] == "update"]
    expected = sorted(
        (row["key"], name, row["before"][name], row["after"][name])
        for row in updates.to_dict("records")
        for name in row["fields"]
    )
    assert sorted(map(tuple, panel.changes.to_numpy().tolist())) == expected
    assert set(panel.field_picker.options) == {ALL_FIELDS, *(e[1] for e in expected)}

    panel.filter_field("f_LastName")
    shown = panel.changes_shown()
    assert set(shown["field"]) == {"f_LastName"}
    text = html.unescape(panel.updates_view.value)
    assert "Charlie" in text and "Charlie-New" in text and "b.new@example.com" not in text
    assert "line-through" in panel.updates_view.value  # the before value is struck out

    panel.filter_field(None)
    assert len(panel.changes_shown()) == len(expected)


def test_inserts_tab_lists_the_new_rows(preview: Preview):
    part = preview.direction()
    panel = DiffPreview(part.plan, part.diff)
    inserts = part.plan.rows[part.plan.rows["operation"] == "insert"]
    page = html.unescape(panel.tabs.children[0].value)
    for row in inserts.to_dict("records"):
        assert str(row["after"]["f_EMail"]) in page


def test_quality_panel_by_reason_and_held_back(preview: Preview):
    report = preview.quality()
    panel = QualityPanel(report, title="Salesforce Contact → DI Contact")
    assert panel.reasons == [str(r) for r in report.counts_by_reason().index]
    assert len(panel.findings_shown()) == len(report.findings)
    reason = panel.reasons[0]
    panel.show_reason(reason)
    assert set(panel.findings_shown()["reason"]) == {reason}
    assert panel.reason_picker.value == reason
    panel.show_reason(None)
    assert panel.reason_picker.value == ALL_REASONS
    held = html.unescape(panel.held_back_view.value)
    for key in report.errors_frame()["key"]:
        assert str(key) in held
    assert f"{len(report.held_back)} row(s) held back" in panel.summary.value


def test_preview_panel_has_one_page_per_direction(preview: Preview):
    panel = PreviewPanel(preview)
    assert set(panel.diffs) == set(preview.directions) == set(panel.quality)

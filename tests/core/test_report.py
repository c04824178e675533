"""Reports: computed once, rendered as HTML, text and charts."""

from __future__ import annotations

import io

import matplotlib
import pandas as pd
import pytest

from ditoolkit.core.diff import diff_frames
from ditoolkit.core.plan import build_plan
from ditoolkit.core.quality import check_quality
from ditoolkit.core.report import (
    build_report_data,
    plot_changes,
    plot_findings,
    render_html,
    render_text,
)
from ditoolkit.port import FieldSchema, FieldType, TableSchema

matplotlib.use("Agg")

T = FieldType
KEY = "Id"
CONTACT = TableSchema(
    "salesforce",
    "Contact",
    (
        FieldSchema(KEY, T.ID),
        FieldSchema("Email", T.EMAIL),
        FieldSchema("LastName", T.STRING, length=10),
    ),
)
SRC = "Id,Email,LastName\nA,a@x.com,Smith\nB,b@x.com,<Jones>\nC,c@x.com,New\nD,oops,Held\nE,e@x.com,Base\n"
TGT = "Id,Email,LastName\nA,a@x.com,Smith\nB,b@x.com,Jone\nD,d@x.com,Held\nE,e@x.com,Other\nZ,z@x.com,Gone\n"
BASE = "Id,Email,LastName\nA,a@x.com,Smith\nB,b@x.com,Jone\nD,d@x.com,Held\nE,e@x.com,Orig\n"


def _data(source: str = "diff"):  # type: ignore[no-untyped-def]
    src, tgt = (pd.read_csv(io.StringIO(t), dtype=str) for t in (SRC, TGT))
    base = pd.read_csv(io.StringIO(BASE), dtype=str)
    diff = diff_frames(src, tgt, key=KEY, schema=CONTACT, base=base)
    quality = check_quality(src, key=KEY, schema=CONTACT)
    if source == "plan":
        plan = build_plan(
            diff,
            quality,
            operations=["insert", "update"],
            transfer_name="contacts",
            direction="both",
        )
        return build_report_data(plan, quality)
    return build_report_data(diff, quality, title="Contacts")


def test_report_data_counts_and_samples() -> None:
    data = _data()
    assert data.counts == {
        "insert": 1,
        "update": 2,
        "delete": 1,
        "conflict": 1,
        "unchanged": 1,
        "held_back": 0,
        "failed": 0,
    }
    assert data.changed_fields == {"Email": 1, "LastName": 1}
    assert data.findings_by_reason == {"INVALID_EMAIL": 1}
    assert data.inserts == ["C"] and data.deletes == ["Z"]
    assert data.to_dict()["counts"]["conflict"] == 1


def test_html_highlights_before_and_after() -> None:
    page = render_html(_data())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "http://" not in page and "https://" not in page  # self-contained
    assert "line-through" in page and "#ddf4dd" in page  # the before and after styles
    row = page[page.index(">Jone<") - 100 : page.index("&lt;Jones&gt;") + 20]
    assert 'before" >Jone</td>' in row and ">→</td>" in row  # before → after, in one row
    assert 'after" >&lt;Jones&gt;</td>' in row
    assert "<Jones>" not in page  # values are escaped


def test_html_of_a_plan_shows_only_planned_changes() -> None:
    page = render_html(_data("plan"))
    assert "Plan of contacts" in page
    assert "&lt;Jones&gt;" in page
    assert "Gone" not in page  # the delete is not allowed, so not planned


TEXT_SNAPSHOT = """\
Contacts
========
Rows:
  insert            1
  update            2
  delete            1
  conflict          1
  unchanged         1
  held_back         0
  failed            0
Changes by field:
  Email                           1
  LastName                        1
Field changes (before -> after):
  D Email: 'd@x.com' -> 'oops'
  B LastName: 'Jone' -> '<Jones>'
Inserts: C
Deletes: Z
Conflicts (base / source / target):
  E LastName: 'Orig' / 'Base' / 'Other'
Quality findings:
  INVALID_EMAIL                   1
"""


def test_text_snapshot() -> None:
    assert render_text(_data()) == TEXT_SNAPSHOT


@pytest.mark.parametrize("plot", [plot_changes, plot_findings])
def test_plots_return_figures(plot) -> None:  # type: ignore[no-untyped-def]
    figure = plot(_data())
    axes = figure.axes
    assert axes and sum(len(a.patches) for a in axes) > 0
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")


def test_plot_findings_without_findings_says_so() -> None:
    data = build_report_data(
        diff_frames(
            pd.read_csv(io.StringIO(TGT)), pd.read_csv(io.StringIO(TGT)), key=KEY, schema=CONTACT
        )
    )
    figure = plot_findings(data)
    assert any("nothing to show" in t.get_text() for t in figure.axes[0].texts)

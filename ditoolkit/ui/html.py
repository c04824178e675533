"""Small HTML fragments the panels share: escaped tables, badges, status lines."""

from __future__ import annotations

import html

import pandas as pd

#: Badge colours by severity (ok / warning / blocking), as the mapping editor shows them.
BADGE_STYLES = {
    "ok": ("#175c17", "#ddf4dd"),
    "warning": ("#7a4d00", "#fff1cc"),
    "blocking": ("#8a1c1c", "#fde2e1"),
}
STATUS_STYLES = {"ok": "#175c17", "error": "#8a1c1c", "info": "#333", "warning": "#7a4d00"}


def frame_html(frame: pd.DataFrame, *, empty: str = "(none)", limit: int = 200) -> str:
    """An escaped HTML table of at most ``limit`` rows, or ``empty`` in italics."""
    if frame.empty:
        return f"<i>{html.escape(empty)}</i>"
    shown = frame.head(limit)
    more = len(frame) - len(shown)
    table = shown.to_html(index=False, escape=True, na_rep="", border=0)
    return table + (f"<i>… and {more} more rows</i>" if more > 0 else "")


def badge_html(level: str, *, title: str = "") -> str:
    """A coloured badge: ``ok``, ``warning`` or ``blocking``."""
    color, background = BADGE_STYLES.get(level, BADGE_STYLES["warning"])
    return (
        f'<span title="{html.escape(title)}" style="color:{color};background:{background};'
        f'padding:1px 6px;border-radius:8px;font-size:90%">{html.escape(level)}</span>'
    )


def status_html(text: str, *, kind: str = "info") -> str:
    """One escaped status line coloured by ``kind`` (``ok``, ``error``, ``warning``, ``info``)."""
    color = STATUS_STYLES.get(kind, STATUS_STYLES["info"])
    return f'<div style="color:{color}">{html.escape(text)}</div>'


BEFORE_STYLE = "background:#fde2e1;color:#8a1c1c;text-decoration:line-through"
AFTER_STYLE = "background:#ddf4dd;color:#175c17;font-weight:bold"


def changes_html(changes: pd.DataFrame, *, limit: int = 200) -> str:
    """Field changes (``key, field, before, after``) with before → after highlighted."""
    if changes.empty:
        return "<i>(no changes)</i>"
    rows = []
    for item in changes.head(limit).itertuples(index=False):
        before = "" if pd.isna(item.before) else str(item.before)
        after = "" if pd.isna(item.after) else str(item.after)
        rows.append(
            f"<tr><td>{html.escape(str(item.key))}</td><td>{html.escape(str(item.field))}</td>"
            f'<td><span style="{BEFORE_STYLE}">{html.escape(before)}</span> → '
            f'<span style="{AFTER_STYLE}">{html.escape(after)}</span></td></tr>'
        )
    more = len(changes) - limit
    tail = f"<i>… and {more} more changes</i>" if more > 0 else ""
    head = "<tr><th>key</th><th>field</th><th>before → after</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>{tail}"


def figure_png(figure: object) -> bytes:
    """A matplotlib Figure as PNG bytes (for an ``ipywidgets.Image``)."""
    from io import BytesIO

    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=80)  # type: ignore[attr-defined]
    return buffer.getvalue()

"""The connection panel: pick a profile, press *Test*, see what both sides hold.

DI guide step 1 (external connection and authorization) and step 3 (destination projects):
both sides answer with the org, the projects with their type (A/B) and key, the objects and
tables with their row counts. Errors are shown in the panel, never secrets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ditoolkit.ui.html import frame_html, status_html
from ditoolkit.ui.survey import (
    DEFAULT_COUNTED,
    ConnectionCheck,
    ConnectionSurvey,
    connect_both,
    describe_error,
    survey,
)

SANDBOX_PROFILE = "sandbox"


def known_profiles() -> list[str]:
    """The profiles of the ``ditoolkit.toml`` in reach, and ``sandbox``."""
    from ditoolkit.config import find_config_file
    from ditoolkit.config.sources import ProfileSource

    try:
        path = find_config_file()
    except Exception:  # a bad DITOOLKIT_CONFIG is reported when connecting
        path = None
    names = ProfileSource(path, "").profiles() if path is not None else []
    return [*names, SANDBOX_PROFILE] if SANDBOX_PROFILE not in names else names


def settings_sources(profile: str | None) -> pd.DataFrame:
    """Where each setting of each side comes from (secrets as ``***``)."""
    from ditoolkit.config import resolve_dialoginsight, resolve_salesforce, settings_source_report

    rows: list[dict[str, str]] = []
    for system, resolve in (
        ("salesforce", resolve_salesforce),
        ("dialoginsight", resolve_dialoginsight),
    ):
        try:
            report = settings_source_report(resolve(profile))
        except Exception as exc:
            report = [{"setting": "(not resolved)", "value": "", "source": describe_error(exc)}]
        rows.extend({"system": system, **row} for row in report)
    return pd.DataFrame(rows, columns=["system", "setting", "value", "source"])


class ConnectionPanel:
    """Profile picker, *Test* button, and what each side holds.

    Args:
        profile: the profile selected at first.
        profiles: the profiles offered (default: :func:`known_profiles`).
        connect: ``profile -> ConnectionCheck`` (default :func:`connect_both`).
        count: the Salesforce objects whose rows are counted.

    Attributes:
        connections: the adapters of the last test, or ``None``.
        survey: the last :class:`ConnectionSurvey`, or ``None``.
        widget: the panel to display.
    """

    def __init__(
        self,
        profile: str | None = SANDBOX_PROFILE,
        *,
        profiles: Sequence[str] | None = None,
        connect: Callable[[str | None], ConnectionCheck] = connect_both,
        count: Sequence[str] = DEFAULT_COUNTED,
    ) -> None:
        options = list(profiles) if profiles is not None else known_profiles()
        if profile is not None and profile not in options:
            options.append(profile)
        self._connect = connect
        self._count = tuple(count)
        self.connections: ConnectionCheck | None = None
        self.survey: ConnectionSurvey | None = None
        self.profile_picker = widgets.Dropdown(
            options=options, value=profile, description="Profile"
        )
        self.test_button = widgets.Button(description="Test", button_style="primary", icon="plug")
        self.status = widgets.HTML(status_html("Pick a profile and press Test."))
        self.salesforce_view = widgets.HTML()
        self.dialoginsight_view = widgets.HTML()
        self.sources_view = widgets.HTML()
        self.test_button.on_click(lambda _button: self.test())
        details = widgets.Accordion(
            children=[self.sources_view], titles=("Where settings come from",)
        )
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.profile_picker, self.test_button]),
                self.status,
                widgets.HBox([self.salesforce_view, self.dialoginsight_view]),
                details,
            ]
        )

    @property
    def profile(self) -> str | None:
        """The selected profile."""
        value: str | None = self.profile_picker.value
        return value

    def test(self) -> ConnectionSurvey | None:
        """Connect with the selected profile and show what both sides hold.

        Returns:
            The survey; ``None`` when something unexpected failed (shown in the panel).
        """
        self.status.value = status_html(f"Connecting with profile {self.profile!r}…")
        self.sources_view.value = frame_html(settings_sources(self.profile))
        try:
            self.connections = self._connect(self.profile)
            result = survey(self.connections, count=self._count)
        except Exception as exc:  # the panel shows it; the notebook goes on
            self.status.value = status_html(describe_error(exc), kind="error")
            return None
        self.survey = result
        self._show(result)
        return result

    def _show(self, result: ConnectionSurvey) -> None:
        if result.ok:
            text = f"Both sides answer (profile {result.profile!r}, {result.seconds:.1f} s)."
            self.status.value = status_html(text, kind="ok")
        else:
            lines = "".join(
                status_html(f"{side}: {message}", kind="error")
                for side, message in result.errors.items()
            )
            self.status.value = lines
        self.salesforce_view.value = _salesforce_html(result)
        self.dialoginsight_view.value = _dialoginsight_html(result)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _salesforce_html(result: ConnectionSurvey) -> str:
    if "salesforce" in result.errors:
        return "<b>Salesforce</b>: not connected"
    head = f"<b>Salesforce</b> — org <i>{_escape(result.organization)}</i> at {_escape(result.instance)}"
    return head + frame_html(result.objects, empty="no objects")


def _dialoginsight_html(result: ConnectionSurvey) -> str:
    if "dialoginsight" in result.errors:
        return "<b>Dialog Insight</b>: not connected"
    return (
        "<b>Dialog Insight</b> — projects"
        + frame_html(result.projects, empty="no projects")
        + "tables"
        + frame_html(result.tables, empty="no tables")
    )


def _escape(value: Any) -> str:
    import html

    return html.escape(str(value)) if value is not None else "?"

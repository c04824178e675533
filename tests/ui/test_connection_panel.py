"""The connection panel: *Test* shows what both sides hold; errors show, secrets never."""

from __future__ import annotations

import html

import pandas as pd

import ditoolkit as dtk
from ditoolkit.sandbox.process import SandboxProcess
from ditoolkit.ui.connection import ConnectionPanel, known_profiles
from ditoolkit.ui.survey import ConnectionCheck, connect_both
from tests.ui.conftest import sandbox_secrets, widget_texts


def test_test_button_shows_both_sides(demo_env: SandboxProcess, demo_connections: ConnectionCheck):
    panel = ConnectionPanel("sandbox", count=("Contact", "Lead"))
    panel.test_button.click()

    result = panel.survey
    assert result is not None and result.ok, panel.status.value
    sf, di = demo_connections.salesforce, demo_connections.dialoginsight
    org = dtk.read_sobject(sf, "Organization", columns=["Name"])
    assert result.organization == org["Name"].iloc[0]
    assert result.organization in panel.salesforce_view.value
    counted = result.objects.set_index("object")["rows"]
    for name in ("Contact", "Lead"):
        assert counted[name] == len(dtk.read_sobject(sf, name, columns=["Id"]))
    assert pd.isna(counted["Account"])  # listed, not counted
    assert "User" not in counted.index  # login-only objects are not offered

    expected = {p["idProject"]: p["type"] for p in demo_env.dialoginsight["projects"]}
    shown = dict(zip(result.projects["idProject"], result.projects["type"], strict=True))
    assert shown == expected
    for row in result.tables.itertuples():
        assert row.rows == len(dtk.read_di_table(di, row.table, project=int(row.idProject)))
    assert "Purchases" in panel.dialoginsight_view.value
    assert result.api_calls["salesforce"] > 0 and result.api_calls["dialoginsight"] > 0


def test_the_panel_never_shows_a_secret(demo_env: SandboxProcess):
    panel = ConnectionPanel("sandbox")
    panel.test()
    text = "\n".join(widget_texts(panel.widget))
    assert "***" in text  # secrets are listed as set, not shown
    for secret in sandbox_secrets(demo_env):
        assert secret not in text


def test_an_unknown_profile_is_reported_in_the_panel(demo_env: SandboxProcess):
    panel = ConnectionPanel("no-such-profile", profiles=["sandbox"])
    panel.test_button.click()
    assert panel.survey is not None and not panel.survey.ok
    assert "unknown profile 'no-such-profile'" in html.unescape(panel.status.value)
    assert "not connected" in panel.salesforce_view.value


def test_a_refused_key_is_shown_without_the_key(demo_env: SandboxProcess):
    wrong = "Wr0ng-DI-Key-for-the-test"

    def connect(profile: str | None) -> ConnectionCheck:
        return connect_both(
            profile,
            connect_dialoginsight=lambda profile: dtk.connect_dialoginsight(
                profile=profile, key=wrong
            ),
        )

    panel = ConnectionPanel("sandbox", connect=connect)
    panel.test_button.click()
    assert panel.survey is not None
    assert set(panel.survey.errors) == {"dialoginsight"}
    assert "dialoginsight" in panel.status.value
    assert "not connected" in panel.dialoginsight_view.value
    assert "Salesforce</b> — org" in panel.salesforce_view.value
    text = "\n".join(widget_texts(panel.widget))
    assert wrong not in text
    for secret in sandbox_secrets(demo_env):
        assert secret not in text


def test_known_profiles_include_the_sandbox(demo_env: SandboxProcess):
    assert "sandbox" in known_profiles()

"""Failures over HTTPS: auth, throttling and 5xx with retries, TLS trust, secrets kept out."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from ditoolkit.errors import (
    AllowanceError,
    AuthError,
    ConfigError,
    RemoteSystemError,
    RetriableError,
)
from ditoolkit.systems.dialoginsight import DialogInsightClient, DialogInsightSystem

from .conftest import Admin, calls_by_method

Factory = Callable[..., DialogInsightSystem]


def test_wrong_key_is_an_auth_error_without_the_key(
    di_info: dict[str, Any], di_admin: Admin
) -> None:
    wrong = "wrong-" + di_info["Key"][:6]
    client = DialogInsightClient(
        base_url=di_info["base_url"],
        id_key=di_info["idKey"],
        key=wrong,
        ca_bundle=di_info["ca_bundle"],
    )
    with pytest.raises(AuthError) as caught:
        client.projects_list()
    error = caught.value
    assert (error.code, error.system, error.method) == (
        "InvalidAuthKey",
        "dialoginsight",
        "Projects.List",
    )  # type: ignore[attr-defined]
    text = "".join(traceback.format_exception(error))
    assert wrong not in text and di_info["Key"] not in text
    assert client.calls["Projects.List"] == 1  # auth failures are not retried


def test_throttling_is_retried_until_it_passes(di_system_factory: Factory, di_admin: Admin) -> None:
    di = di_system_factory(attempts=8)
    di_admin.faults(error_rate={"Throttled": 0.5}, seed=7)
    frame = pd.DataFrame({"f_EMail": [f"t{i}@example.com" for i in range(40)]})
    result = di.write("Contact", frame, operation="upsert", project=1002, key="f_EMail")
    di_admin.faults(error_rate={})
    assert result.ok and len(result) == 40
    merges = di.client.calls["Contacts.Merge"]
    assert merges == result.api_calls and merges > 1  # one batch, retried at least once
    assert calls_by_method(di_admin)["contacts.merge"] == merges
    assert len(di.read("Contact", project=1002)) == 40


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("Throttled", 200, AllowanceError),
        ("503", 503, RetriableError),
        ("429", 429, RetriableError),
    ],
)
def test_retries_are_spent_then_the_error_says_what_to_do(
    di_system_factory: Factory,
    di_admin: Admin,
    code: str,
    status: int,
    error: type[RemoteSystemError],
) -> None:
    """Still throttled after every attempt reads as a spent allowance (stop, resume later)."""
    di = di_system_factory(attempts=3)
    di_admin.faults(error_rate={code: 1.0})
    with pytest.raises(RemoteSystemError) as caught:
        di.projects()
    assert type(caught.value) is error
    assert di.client.calls["Projects.List"] == 3
    assert caught.value.status == status and "Projects.List" in str(caught.value)


def test_rejections_are_not_retried(di_system: DialogInsightSystem, di_admin: Admin) -> None:
    di_admin.faults(error_rate={"InvalidClause": 1.0})
    with pytest.raises(Exception, match="InvalidClause"):
        di_system.projects()
    assert di_system.client.calls["Projects.List"] == 1


def test_ca_bundle_wins_over_an_exported_requests_ca_bundle(
    di_system_factory: Factory, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    assert di_system_factory().projects()["idProject"].tolist() == [1001, 1002]
    untrusted = di_system_factory(ca_bundle=None)
    with pytest.raises(ConfigError, match="ca_bundle"):
        untrusted.projects()


def test_the_key_never_reaches_logs_reprs_or_errors(
    di_system_factory: Factory,
    di_info: dict[str, Any],
    di_admin: Admin,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = di_info["Key"]
    caplog.set_level(logging.DEBUG)
    di = di_system_factory(attempts=2)
    di.describe("Contact")
    di.write(
        "Contact", pd.DataFrame({"f_SalesforceId": ["003000000000000AAA"]}), operation="upsert"
    )
    di_admin.faults(error_rate={"Throttled": 1.0})
    with pytest.raises(AllowanceError) as caught:
        di.read("Contact")
    shown = [
        repr(di),
        repr(di.client),
        str(vars(di)),
        caplog.text,
        "".join(traceback.format_exception(caught.value)),
    ]
    assert "Contacts.Get" in caplog.text and "retrying" in caplog.text
    assert all(secret not in text for text in shown)


@pytest.mark.parametrize(
    "code", ["InvalidAuthKey", "ExpiredAuthKey", "IpNotAllowed", "PermissionDenied"]
)
def test_each_refused_key_is_an_auth_error_at_once(
    di_system: DialogInsightSystem, di_admin: Admin, code: str
) -> None:
    di_admin.faults(error_rate={code: 1.0})
    with pytest.raises(AuthError) as caught:
        di_system.read("Contact")
    assert caught.value.code == code and "Projects.Get" in str(caught.value)
    assert di_system.api_calls == 1


@pytest.mark.parametrize(
    ("spec", "code", "call"),
    [
        ({"expires": "2020-01-31"}, "ExpiredAuthKey", "projects"),
        ({"ips": ["10.9.8.7"]}, "IpNotAllowed", "projects"),
        ({"permissions": {"1001": ["read"]}}, "PermissionDenied", "write"),
        ({"permissions": {"1002": ["read", "write"]}}, "PermissionDenied", "read"),
    ],
)
def test_keys_refused_by_the_service(
    di_system_factory: Factory, di_admin: Admin, spec: dict[str, Any], code: str, call: str
) -> None:
    made = di_admin.post("keys", spec)
    di = di_system_factory(id_key=made["idKey"], key=made["Key"])
    actions = {
        "projects": di.projects,
        "read": lambda: di.read("Contact", project=1001),
        "write": lambda: di.write(
            "Contact", pd.DataFrame({"f_SalesforceId": ["003000000000009AAA"]}), operation="upsert"
        ),
    }
    with pytest.raises(AuthError) as caught:
        actions[call]()
    assert caught.value.code == code
    assert made["Key"] not in str(caught.value) and made["Key"] not in repr(di)

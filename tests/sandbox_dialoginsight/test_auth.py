"""AuthKey: key pair, expiry, IP allow-list, permissions per project."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox_dialoginsight.conftest import DiApi, by_email, clause


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {},
        {"idKey": 1},
        {"idKey": 1, "Key": "not-the-key"},
        {"idKey": 999, "Key": "whatever"},
        {"idKey": "one", "Key": "whatever"},
        "a string",
    ],
)
def test_invalid_auth_keys(di: DiApi, auth: Any) -> None:
    body = {"idProject": 1002} if auth is None else {"AuthKey": auth, "idProject": 1002}
    answer = di.post("contacts.ashx?method=Get", body).json()
    assert answer["Success"] is False
    assert answer["ErrorCode"] == "InvalidAuthKey"
    assert di.info["Key"] not in answer["ErrorMessage"]


def test_idkey_may_be_sent_as_a_string(di: DiApi) -> None:
    auth = {"idKey": str(di.info["idKey"]), "Key": di.info["Key"]}
    assert di.call("Projects.List", auth=auth)["Success"] is True


def test_expired_key(di: DiApi) -> None:
    key = di.new_key(expires="2020-01-31")
    answer = di.call("Projects.List", auth=key)
    assert answer["ErrorCode"] == "ExpiredAuthKey"
    assert di.call("Projects.List", auth=di.new_key(expires="2999-12-31"))["Success"] is True


def test_ip_allow_list(di: DiApi) -> None:
    elsewhere = di.new_key(ips=["10.1.2.3", "192.168.0.0/16"])
    assert di.call("Projects.List", auth=elsewhere)["ErrorCode"] == "IpNotAllowed"
    here = di.new_key(ips=["10.1.2.3", "127.0.0.0/8"])
    assert di.call("Projects.List", auth=here)["Success"] is True


def test_permissions_per_project_and_right(di: DiApi) -> None:
    key = di.new_key(permissions={"1002": ["read"]})
    assert di.call("Contacts.Get", {"idProject": 1002}, auth=key)["Success"] is True
    denied = [
        di.call("Contacts.Get", {"idProject": 1001}, auth=key),
        di.call("Projects.Get", {"idProject": 1001}, auth=key),
        di.call("Contacts.Merge", {"idProject": 1002, "Records": [by_email("a@b.com")]}, auth=key),
        di.call(
            "Contacts.Delete",
            {"idProject": 1002, "Clause": clause("f_EMail", "Equal", "a@b.com")},
            auth=key,
        ),
        di.call("RelationalTables.Get", {"idTable": 2001}, auth=key),
    ]
    assert [a["ErrorCode"] for a in denied] == ["PermissionDenied"] * 5
    assert di.get(1002) == []  # the refused merge wrote nothing


def test_write_and_delete_rights(di: DiApi) -> None:
    key = di.new_key(permissions={"*": ["write"]})
    answer = di.call(
        "Contacts.Merge", {"idProject": 1002, "Records": [by_email("a@b.com")]}, auth=key
    )
    assert answer["Success"] is True and answer["CreatedRecords"] == 1
    gone = {"idProject": 1002, "Clause": clause("f_EMail", "Equal", "a@b.com")}
    assert di.call("Contacts.Delete", gone, auth=key)["ErrorCode"] == "PermissionDenied"
    deleter = di.new_key(permissions={"1002": ["delete"]})
    assert di.call("Contacts.Delete", gone, auth=deleter)["DeletedRecords"] == 1


def test_projects_list_shows_only_projects_the_key_may_use(di: DiApi) -> None:
    key = di.new_key(permissions={"1001": ["read", "write"]})
    records = di.call("Projects.List", auth=key)["Records"]
    assert [r["idProject"] for r in records] == [1001]


def test_admin_refuses_malformed_key_settings(di: DiApi) -> None:
    for bad in ({"expires": "someday"}, {"ips": ["not-an-ip"]}, {"permissions": {"1001": ["own"]}}):
        assert di.admin("POST", "keys", bad).status_code == 400, bad


def test_extra_keys_are_dropped_by_a_data_reset(di: DiApi) -> None:
    key = di.new_key()
    assert di.call("Projects.List", auth=key)["Success"] is True
    di.admin("POST", "reset", {"data": True})
    assert di.call("Projects.List", auth=key)["ErrorCode"] == "InvalidAuthKey"
    assert di.call("Projects.List")["Success"] is True

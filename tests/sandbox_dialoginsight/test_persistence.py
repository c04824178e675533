"""Records and keys survive a restart; the Key is made once, on first start."""

from __future__ import annotations

from pathlib import Path

from ditoolkit.sandbox.process import start_sandbox
from tests.sandbox_dialoginsight.conftest import DiApi, by_email


def test_restart_keeps_records_keys_and_id_sequence(tmp_path: Path) -> None:
    with start_sandbox(tmp_path, seed="empty") as first:
        api = DiApi(first.dialoginsight)
        created = api.merge(1002, [by_email("keep@example.com", optin_Newsletter="1")])
        first_id = created["Records"][0]["IdRecord"]
        extra = api.new_key(permissions={"1002": ["read"]})
        key = api.info["Key"]
    assert (tmp_path / "dialoginsight" / "dialoginsight.sqlite").exists()
    with start_sandbox(tmp_path, seed="demo") as second:
        api = DiApi(second.dialoginsight)
        assert api.info["Key"] == key
        (stored,) = api.get(1002)  # an existing data dir is never re-seeded
        assert (stored["f_EMail"], stored["optin_Newsletter"]) == ("keep@example.com", True)
        assert api.call("Contacts.Get", {"idProject": 1002}, auth=extra)["Success"] is True
        again = api.merge(1002, [by_email("new@example.com")])["Records"][0]["IdRecord"]
        assert again > first_id


def test_each_data_dir_gets_its_own_key(tmp_path: Path) -> None:
    with (
        start_sandbox(tmp_path / "a", seed="empty") as a,
        start_sandbox(tmp_path / "b", seed="empty") as b,
    ):
        assert a.dialoginsight["Key"] != b.dialoginsight["Key"]
        assert len(a.dialoginsight["Key"]) >= 20

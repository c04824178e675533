"""The demo seed: deterministic, realistic, with the traps a real DI account can hold."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from ditoolkit.sandbox.process import start_sandbox
from tests.sandbox_dialoginsight.conftest import DiApi


def _all(api: DiApi, project: int) -> list[dict[str, Any]]:
    return api.get(project, MaxRows=1000)


def test_acquisition_holds_about_280_contacts_with_traps(demo_di: DiApi) -> None:
    records = _all(demo_di, 1002)
    assert 200 <= len(records) <= 400
    assert any(r["f_LastName"] is None for r in records)
    assert any(r["f_FirstName"] and len(r["f_FirstName"]) > 40 for r in records)
    assert any(r["f_LastName"] and len(r["f_LastName"]) > 80 for r in records)
    assert any(r["f_FirstName"] and r["f_FirstName"] != r["f_FirstName"].strip() for r in records)
    assert any(r["f_EMail"] != r["f_EMail"].lower() for r in records)
    assert any(r["f_EMail"].rsplit(".", 1)[1] in ("test", "invalid") for r in records)
    assert any(r["f_Company"] is None for r in records)
    names = Counter((r["f_FirstName"], r["f_LastName"]) for r in records if r["f_LastName"])
    assert any(count > 1 for count in names.values())  # near-duplicate people
    assert {r["optin_Newsletter"] for r in records} == {True, False, None}
    ids = sorted(r["idContact"] for r in records)
    assert len(set(range(1, ids[-1] + 1)) - set(ids)) > 0  # contacts deleted after a push


def test_communications_contacts_and_purchases(demo_di: DiApi) -> None:
    members = _all(demo_di, 1001)
    assert 10 <= len(members) <= 100
    assert all(
        len(r["f_SalesforceId"]) == 18 and r["f_SalesforceId"].startswith("003") for r in members
    )
    assert any(r["f_EMail"] and r["f_EMail"] != r["f_EMail"].lower() for r in members)
    assert any(r["f_FirstName"] != r["f_FirstName"].strip() for r in members)
    assert any(r["f_EMail"] is None for r in members)
    assert {r["optin_Promotions"] for r in members} == {True, False, None}
    purchases = demo_di.ok("RelationalTables.Get", {"idTable": 2001})["Records"]
    assert len(purchases) > 20
    assert {p["idContact"] for p in purchases} <= {m["idContact"] for m in members}


def test_every_demo_record_is_one_di_accepts(demo_di: DiApi, di: DiApi) -> None:
    for project in (1001, 1002):
        records = _all(demo_di, project)
        key = "f_SalesforceId" if project == 1001 else "f_EMail"
        payload = [
            {"ID": {f"key_{key}": r[key]}, "Data": {k: v for k, v in r.items() if k != "idContact"}}
            for r in records
        ]
        answer = di.merge(project, payload)
        assert answer["CreatedRecords"] == len(records), [
            r for r in answer["Records"] if r["Status"] != "Created"
        ][:3]


def test_demo_seed_is_deterministic(demo_di: DiApi, tmp_path: Path) -> None:
    with start_sandbox(tmp_path, seed="demo") as fresh:
        other = DiApi(fresh.dialoginsight)
        for project in (1001, 1002):
            assert _all(other, project) == _all(demo_di, project)
        rows = {"idTable": 2001}
        assert (
            other.ok("RelationalTables.Get", rows)["Records"]
            == demo_di.ok("RelationalTables.Get", rows)["Records"]
        )

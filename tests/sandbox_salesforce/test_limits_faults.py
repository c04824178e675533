"""API allowance, Sforce-Limit-Info, counters and injected faults of the Salesforce sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceRefusedRequest

from tests.sandbox_salesforce.conftest import Admin, Rest


def test_every_call_counts_and_carries_the_header(api: Rest, sf: Salesforce) -> None:
    first = api.call("GET", "/limits")
    used, top = first.headers["Sforce-Limit-Info"].removeprefix("api-usage=").split("/")
    assert int(top) == 100_000
    second = api.call("GET", "/sobjects/Contact/describe")
    assert second.headers["Sforce-Limit-Info"] == f"api-usage={int(used) + 1}/100000"
    limits = api.call("GET", "/limits").json()["DailyApiRequests"]
    assert limits == {"Max": 100_000, "Remaining": 100_000 - (int(used) + 2)}
    sf.query("SELECT Id FROM User")
    assert sf.api_usage["api-usage"].used == int(used) + 3


def test_counters_by_endpoint(sf: Salesforce, admin: Admin) -> None:
    rid = sf.Contact.create({"LastName": "C"})["id"]
    sf.Contact.get(rid)
    sf.query("SELECT Id FROM Contact")
    by_endpoint = admin.counters()["by_endpoint"]
    assert by_endpoint["POST /services/data/v59.0/sobjects/Contact"] == 1
    assert by_endpoint["GET /services/data/v59.0/sobjects/Contact/{id}"] == 1
    assert by_endpoint["GET /services/data/v59.0/query"] == 1


def test_daily_limit_spent_is_403(sf: Salesforce, admin: Admin) -> None:
    admin.faults(daily_limit=admin.counters()["total"] + 1)
    sf.query("SELECT Id FROM User")
    with pytest.raises(SalesforceRefusedRequest) as failure:
        sf.query("SELECT Id FROM User")
    assert failure.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]


def test_injected_503_and_request_limit(sf: Salesforce, admin: Admin) -> None:
    admin.faults(error_rate={"503": 1.0})
    with pytest.raises(SalesforceGeneralError) as failure:
        sf.query("SELECT Id FROM User")
    assert failure.value.status == 503
    admin.faults(error_rate={"REQUEST_LIMIT_EXCEEDED": 1.0})
    with pytest.raises(SalesforceRefusedRequest):
        sf.query("SELECT Id FROM User")
    admin.faults(error_rate={})
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1


def test_lock_row_fails_records_not_the_call(api: Rest, sf: Salesforce, admin: Admin) -> None:
    admin.faults(error_rate={"UNABLE_TO_LOCK_ROW": 1.0})
    records = [{"attributes": {"type": "Contact"}, "LastName": "L"}] * 3
    answer = api.call("POST", "/composite/sobjects", json={"records": records})
    assert answer.status_code == 200
    codes = [r["errors"][0]["statusCode"] for r in answer.json()]
    assert codes == ["UNABLE_TO_LOCK_ROW"] * 3
    single = api.call("POST", "/sobjects/Contact", json={"LastName": "L"})
    assert single.status_code == 400 and single.json()[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1  # reads are not locked
    admin.faults(error_rate={})
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0


def test_partial_lock_rate_fails_some_records(api: Rest, admin: Admin) -> None:
    admin.faults(error_rate={"UNABLE_TO_LOCK_ROW": 0.5})
    records = [{"attributes": {"type": "Contact"}, "LastName": "L"}] * 200
    results = api.call("POST", "/composite/sobjects", json={"records": records}).json()
    failed = [r for r in results if not r["success"]]
    assert 0 < len(failed) < 200
    assert {r["errors"][0]["statusCode"] for r in failed} == {"UNABLE_TO_LOCK_ROW"}


def test_reset_with_data_wipes_records_but_keeps_identity(
    sf: Salesforce, admin: Admin, sf_info: dict[str, Any]
) -> None:
    sf.Contact.create({"LastName": "Temp"})
    admin.reset(data=True)
    assert admin.counters()["total"] == 0
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
    assert sf.query("SELECT Username FROM User")["records"][0]["Username"] == sf_info["username"]


def test_unknown_fault_setting_is_refused(admin: Admin) -> None:
    answer = admin.http.post(f"{admin.base}/faults", json={"nope": 1})
    assert answer.status_code == 400

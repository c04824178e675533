"""Admin API: faults (Throttled, HTTP 500/503, daily limit), counters, reset."""

from __future__ import annotations

from tests.sandbox_dialoginsight.conftest import DiApi, by_email


def test_counters_by_endpoint(di: DiApi) -> None:
    di.call("Projects.List")
    di.post("Contacts.ashx?method=merge", {"AuthKey": di.auth, "idProject": 1002, "Records": []})
    di.call("Contacts.Get", {"idProject": 1002})
    di.call("Contacts.Get", {"idProject": 1002})
    counters = di.admin("GET", "counters").json()
    assert counters["by_endpoint"] == {
        "POST projects.List": 1,
        "POST contacts.Merge": 1,
        "POST contacts.Get": 2,
    }
    assert counters["total"] == 4


def test_throttled_fault(di: DiApi) -> None:
    assert di.admin("POST", "faults", {"error_rate": {"Throttled": 1.0}}).status_code == 200
    answer = di.call("Contacts.Merge", {"idProject": 1002, "Records": [by_email("a@example.com")]})
    assert answer["Success"] is False and answer["ErrorCode"] == "Throttled"
    di.admin("POST", "faults", {"error_rate": {}})
    assert di.get(1002) == []


def test_http_500_and_503_faults(di: DiApi) -> None:
    for status in (500, 503):
        di.admin("POST", "faults", {"error_rate": {str(status): 1.0}})
        response = di.post("projects.ashx?method=List", {"AuthKey": di.auth})
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")


def test_error_rate_is_a_fraction_of_calls(di: DiApi) -> None:
    di.admin("POST", "faults", {"error_rate": {"Throttled": 0.5}, "seed": 7})
    codes = [di.call("Projects.List")["ErrorCode"] for _ in range(40)]
    assert 5 < codes.count("Throttled") < 35 and codes.count(None) > 5


def test_daily_limit_throttles(di: DiApi) -> None:
    di.admin("POST", "faults", {"daily_limit": 2})
    codes = [di.call("Projects.List")["ErrorCode"] for _ in range(3)]
    assert codes == [None, None, "Throttled"]


def test_latency_setting_is_kept(di: DiApi) -> None:
    settings = di.admin("POST", "faults", {"latency_ms": 5}).json()
    assert settings["latency_ms"] == 5
    assert di.call("Projects.List")["Success"] is True


def test_unknown_fault_settings_are_refused(di: DiApi) -> None:
    assert di.admin("POST", "faults", {"brownout": 1}).status_code == 400


def test_reset_without_data_keeps_records_and_clears_counters(di: DiApi) -> None:
    di.merge(1002, [by_email("a@example.com")])
    di.admin("POST", "faults", {"error_rate": {"Throttled": 1.0}})
    assert di.admin("POST", "reset", {}).json() == {"reset": True, "data": False}
    assert di.admin("GET", "counters").json()["total"] == 0
    assert [r["f_EMail"] for r in di.get(1002)] == ["a@example.com"]
    di.admin("POST", "reset", {"data": True})
    assert di.get(1002) == []

"""``/__sandbox__/reset`` with ``{"data": true}`` forgets Bulk API 2.0 jobs along with records."""

from __future__ import annotations

from simple_salesforce import Salesforce

from tests.sandbox_salesforce.conftest import Admin, Rest


def test_data_reset_clears_bulk_jobs(sf: Salesforce, api: Rest, admin: Admin) -> None:
    outcome = sf.bulk2.Contact.insert(records=[{"LastName": "Reset"}], wait=0)
    job_id = outcome[0]["job_id"]
    query = api.call(
        "POST", "/jobs/query", json={"operation": "query", "query": "SELECT Id FROM Contact"}
    )
    assert query.status_code == 200, query.text
    assert [j["id"] for j in api.call("GET", "/jobs/ingest").json()["records"]] == [job_id]

    admin.reset(data=False)
    assert api.call("GET", f"/jobs/ingest/{job_id}").status_code == 200

    admin.reset(data=True)
    assert api.call("GET", "/jobs/ingest").json()["records"] == []
    assert api.call("GET", "/jobs/query").json()["records"] == []
    gone = api.call("GET", f"/jobs/ingest/{job_id}")
    assert gone.status_code == 404
    assert gone.json()[0]["errorCode"] == "NOT_FOUND"
    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 0

"""Bulk API 2.0 of the Salesforce sandbox, over real HTTPS.

simple-salesforce's ``sf.bulk2`` is used unchanged for what it wraps; raw ``requests`` calls
check the wire details other clients (jsforce, the Salesforce CLI) depend on: job info fields,
state transitions and their errors, result files, delimiters, line endings, locators.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceOperationError

from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from tests.sandbox_salesforce.conftest import VERSION, oauth_login

INGEST_INFO_KEYS = {
    "id",
    "operation",
    "object",
    "createdById",
    "createdDate",
    "systemModstamp",
    "state",
    "concurrencyMode",
    "contentType",
    "apiVersion",
    "jobType",
    "lineEnding",
    "columnDelimiter",
    "numberRecordsProcessed",
    "numberRecordsFailed",
    "retries",
    "totalProcessingTime",
    "apiActiveProcessingTime",
    "apexProcessingTime",
}


class Org:
    """A logged-in connection to a running Salesforce sandbox: raw HTTP plus simple-salesforce."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.http, self.token = oauth_login(info)
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.jobs = f"{info['instance_url']}/services/data/v{VERSION}/jobs"
        self.sf = Salesforce(
            instance_url=info["instance_url"],
            session_id=self.token,
            session=self.http,
            version=VERSION,
        )

    def create_ingest(self, **settings: Any) -> dict[str, Any]:
        answer = self.http.post(f"{self.jobs}/ingest", json=settings, timeout=30)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def upload(self, job_id: str, data: str | bytes) -> requests.Response:
        body = data.encode() if isinstance(data, str) else data
        return self.http.put(
            f"{self.jobs}/ingest/{job_id}/batches",
            data=body,
            headers={"Content-Type": "text/csv"},
            timeout=60,
        )

    def set_state(self, kind: str, job_id: str, state: str) -> requests.Response:
        return self.http.patch(f"{self.jobs}/{kind}/{job_id}", json={"state": state}, timeout=120)

    def job(self, kind: str, job_id: str) -> dict[str, Any]:
        answer = self.http.get(f"{self.jobs}/{kind}/{job_id}", timeout=30)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def results(self, job_id: str, part: str) -> list[dict[str, str]]:
        answer = self.http.get(f"{self.jobs}/ingest/{job_id}/{part}/", timeout=30)
        assert answer.status_code == 200, answer.text
        return list(csv.DictReader(io.StringIO(answer.text)))

    def create_query(self, soql: str, **settings: str) -> requests.Response:
        """POST a query job for ``soql`` (``columnDelimiter``, ``lineEnding``... in settings)."""
        body = {"operation": "query", "query": soql, **settings}
        return self.http.post(f"{self.jobs}/query", json=body, timeout=30)

    def query_results(self, job_id: str, **params: str) -> requests.Response:
        """GET a page of a query job's results (``locator``, ``maxRecords`` in params)."""
        return self.http.get(f"{self.jobs}/query/{job_id}/results", params=params, timeout=30)

    def run_ingest(self, data: str, **settings: Any) -> dict[str, Any]:
        """Create, upload, close; return the final job info."""
        settings.setdefault("object", "Contact")
        settings.setdefault("operation", "insert")
        job = self.create_ingest(**settings)
        assert self.upload(job["id"], data).status_code == 201
        closed = self.set_state("ingest", job["id"], "UploadComplete")
        assert closed.status_code == 200, closed.text
        return self.job("ingest", job["id"])


@pytest.fixture(scope="module")
def org(sandbox: SandboxProcess) -> Iterator[Org]:
    connection = Org(sandbox.salesforce)
    yield connection
    connection.http.close()  # an idle keep-alive connection would delay the sandbox's stop


@pytest.fixture
def tag() -> str:
    """A marker unique to one test, so tests sharing the sandbox never see each other's rows."""
    return "T" + uuid.uuid4().hex[:12]


def error_of(answer: requests.Response) -> tuple[int, str]:
    body = answer.json()
    assert isinstance(body, list) and body, answer.text
    return answer.status_code, body[0]["errorCode"]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- simple-salesforce, unchanged ---------------------------------------------------------------


def test_insert_reports_each_row(org: Org, tag: str) -> None:
    records = [
        {"FirstName": "Ann", "LastName": f"{tag}-1", "Email": "ann@example.com"},
        {"FirstName": "Bob", "LastName": f"{tag}-2", "HasOptedOutOfEmail": "true"},
        {"FirstName": "Cy", "LastName": f"{tag}-3", "Birthdate": "1990-02-03"},
        {"FirstName": "Di", "Email": "di@example.com"},  # LastName is required
    ]
    [outcome] = org.sf.bulk2.Contact.insert(records=records, wait=0)
    assert outcome["numberRecordsProcessed"] == 4
    assert outcome["numberRecordsFailed"] == 1
    assert outcome["numberRecordsTotal"] == 4

    job_id = outcome["job_id"]
    good = csv_rows(org.sf.bulk2.Contact.get_successful_records(job_id))
    assert sorted(r["LastName"] for r in good) == [f"{tag}-1", f"{tag}-2", f"{tag}-3"]
    assert all(r["sf__Id"].startswith("003") and r["sf__Created"] == "true" for r in good)
    [bad] = csv_rows(org.sf.bulk2.Contact.get_failed_records(job_id))
    assert bad["sf__Id"] == ""
    assert bad["sf__Error"] == (
        "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"
    )
    assert bad["FirstName"] == "Di"

    stored = org.sf.query(
        f"SELECT LastName, Email, HasOptedOutOfEmail, Birthdate FROM Contact "
        f"WHERE LastName LIKE '{tag}%' ORDER BY LastName"
    )["records"]
    assert [(r["Email"], r["HasOptedOutOfEmail"], r["Birthdate"]) for r in stored] == [
        ("ann@example.com", False, None),
        (None, True, None),
        (None, False, "1990-02-03"),
    ]


def test_upsert_update_delete_and_hard_delete(org: Org, tag: str) -> None:
    bulk = org.sf.bulk2.Contact
    first = [
        {"DI_Contact_Id__c": f"{tag}a", "LastName": f"{tag}-a", "Email": "a@example.com"},
        {"DI_Contact_Id__c": f"{tag}b", "LastName": f"{tag}-b", "Email": "b@example.com"},
    ]
    [done] = bulk.upsert(records=first, external_id_field="DI_Contact_Id__c", wait=0)
    assert (done["numberRecordsProcessed"], done["numberRecordsFailed"]) == (2, 0)

    second = [
        {"DI_Contact_Id__c": f"{tag}b", "LastName": f"{tag}-b2"},
        {"DI_Contact_Id__c": f"{tag}c", "LastName": f"{tag}-c"},
    ]
    [done] = bulk.upsert(records=second, external_id_field="DI_Contact_Id__c", wait=0)
    created = {
        r["DI_Contact_Id__c"]: r["sf__Created"]
        for r in csv_rows(bulk.get_successful_records(done["job_id"]))
    }
    assert created == {f"{tag}b": "false", f"{tag}c": "true"}

    rows = org.sf.query(
        f"SELECT Id, DI_Contact_Id__c, LastName, Email FROM Contact "
        f"WHERE DI_Contact_Id__c LIKE '{tag}%' ORDER BY DI_Contact_Id__c"
    )["records"]
    assert [(r["LastName"], r["Email"]) for r in rows] == [
        (f"{tag}-a", "a@example.com"),
        (f"{tag}-b2", "b@example.com"),  # an empty cell leaves the field as it was
        (f"{tag}-c", None),
    ]
    ids = [r["Id"] for r in rows]

    [done] = bulk.update(records=[{"Id": ids[0], "Email": "#N/A", "FirstName": "Al"}], wait=0)
    assert done["numberRecordsFailed"] == 0
    updated = org.sf.query(f"SELECT FirstName, Email FROM Contact WHERE Id = '{ids[0]}'")
    assert updated["records"][0]["FirstName"] == "Al"
    assert updated["records"][0]["Email"] is None  # #N/A clears

    [done] = bulk.delete(records=[{"Id": ids[1]}], wait=0)
    assert done["numberRecordsFailed"] == 0
    [done] = bulk.hard_delete(records=[{"Id": ids[2]}], wait=0)
    assert done["numberRecordsFailed"] == 0
    everything = org.sf.query_all(
        f"SELECT Id, IsDeleted FROM Contact WHERE DI_Contact_Id__c LIKE '{tag}%'",
        include_deleted=True,
    )["records"]
    assert {r["Id"]: r["IsDeleted"] for r in everything} == {ids[0]: False, ids[1]: True}


def test_query_pages_query_all_and_download(org: Org, tag: str, tmp_path: Path) -> None:
    records = [
        {"LastName": f"{tag}-{i:02d}", "DI_Contact_Id__c": f"{tag}{i:02d}"} for i in range(25)
    ]
    [done] = org.sf.bulk2.Contact.insert(records=records, wait=0)
    assert done["numberRecordsFailed"] == 0
    soql = f"SELECT Id, LastName FROM Contact WHERE LastName LIKE '{tag}%' ORDER BY LastName"

    pages = list(org.sf.bulk2.Contact.query(soql, max_records=10, wait=0))
    assert len(pages) == 3
    names = [row["LastName"] for page in pages for row in csv_rows(page)]
    assert names == [f"{tag}-{i:02d}" for i in range(25)]
    assert all(page.startswith('"Id","LastName"\n') for page in pages)

    doomed = next(csv.DictReader(io.StringIO(pages[0])))["Id"]
    org.sf.bulk2.Contact.delete(records=[{"Id": doomed}], wait=0)
    live = [r for page in org.sf.bulk2.Contact.query(soql, wait=0) for r in csv_rows(page)]
    every = [r for page in org.sf.bulk2.Contact.query_all(soql, wait=0) for r in csv_rows(page)]
    assert (len(live), len(every)) == (24, 25)

    files = org.sf.bulk2.Contact.download(soql, path=str(tmp_path), max_records=20, wait=0)
    assert [f["number_of_records"] for f in files] == [20, 4]
    downloaded = [r for f in files for r in csv_rows(Path(f["file"]).read_text())]
    assert len(downloaded) == 24


def test_failed_job_surfaces_as_operation_error(org: Org, tag: str) -> None:
    with pytest.raises(SalesforceOperationError, match="Field name not found : Nope__c"):
        org.sf.bulk2.Contact.insert(records=[{"LastName": tag, "Nope__c": "x"}], wait=0)


# --- the wire, raw --------------------------------------------------------------------------------


def test_job_lifecycle_and_invalid_transitions(org: Org, tag: str) -> None:
    job = org.create_ingest(object="contact", operation="insert", contentType="CSV")
    assert job["state"] == "Open"
    assert job["object"] == "Contact"
    assert job["id"].startswith("750") and len(job["id"]) == 18
    assert job["contentUrl"] == f"services/data/v{VERSION}/jobs/ingest/{job['id']}/batches"
    assert set(org.job("ingest", job["id"])) >= INGEST_INFO_KEYS
    [user] = org.sf.query("SELECT Id FROM User")["records"]
    assert job["createdById"] == user["Id"]

    data = f"LastName,Email\n{tag},x@example.com\n"
    assert org.upload(job["id"], data).status_code == 201
    again = org.upload(job["id"], data)
    assert error_of(again) == (400, "INVALIDJOBSTATE")

    closed = org.set_state("ingest", job["id"], "UploadComplete")
    assert closed.status_code == 200 and closed.json()["state"] == "UploadComplete"
    info = org.job("ingest", job["id"])
    assert info["state"] == "JobComplete"
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (1, 0)
    assert info["apiVersion"] == float(VERSION) and info["jobType"] == "V2Ingest"

    for state in ("UploadComplete", "Aborted", "Open"):
        assert error_of(org.set_state("ingest", job["id"], state)) == (400, "INVALIDJOBSTATE")
    assert error_of(org.upload(job["id"], data)) == (400, "INVALIDJOBSTATE")

    listed = org.http.get(f"{org.jobs}/ingest", timeout=30).json()
    assert listed["done"] is True and job["id"] in {j["id"] for j in listed["records"]}

    assert org.http.delete(f"{org.jobs}/ingest/{job['id']}", timeout=30).status_code == 204
    gone = org.http.get(f"{org.jobs}/ingest/{job['id']}", timeout=30)
    assert error_of(gone) == (404, "NOT_FOUND")


def test_abort_leaves_rows_unprocessed(org: Org, tag: str) -> None:
    job = org.create_ingest(object="Contact", operation="insert")
    assert org.upload(job["id"], f"LastName\n{tag}-1\n{tag}-2\n").status_code == 201
    aborted = org.set_state("ingest", job["id"], "Aborted")
    assert aborted.status_code == 200 and aborted.json()["state"] == "Aborted"
    assert org.job("ingest", job["id"])["state"] == "Aborted"
    assert [r["LastName"] for r in org.results(job["id"], "unprocessedrecords")] == [
        f"{tag}-1",
        f"{tag}-2",
    ]
    assert org.results(job["id"], "successfulResults") == []
    count = org.sf.query(f"SELECT COUNT() FROM Contact WHERE LastName LIKE '{tag}%'")
    assert count["totalSize"] == 0


def test_open_job_cannot_be_deleted_or_read(org: Org) -> None:
    job = org.create_ingest(object="Contact", operation="insert")
    assert error_of(org.http.delete(f"{org.jobs}/ingest/{job['id']}")) == (400, "INVALIDJOBSTATE")
    results = org.http.get(f"{org.jobs}/ingest/{job['id']}/successfulResults")
    assert error_of(results) == (400, "INVALIDJOBSTATE")


def test_failed_results_format_and_type_errors(org: Org, tag: str) -> None:
    data = (
        "LastName,HasOptedOutOfEmail,Birthdate,Email,DI_Contact_Id__c\n"
        f"{tag}-ok,1,2001-12-31,ok@example.com,{tag}1\n"
        f"{tag}-bool,maybe,,,{tag}2\n"
        f"{tag}-date,0,31/12/2001,,{tag}3\n"
        f"{tag}-email,0,,not-an-email,{tag}4\n"
        f'"{tag}-""quoted"", name",false,,,{tag}5\n'
    )
    info = org.run_ingest(data)
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (5, 3)

    answer = org.http.get(f"{org.jobs}/ingest/{info['id']}/failedResults/", timeout=30)
    assert answer.text.startswith(
        '"sf__Id","sf__Error",LastName,HasOptedOutOfEmail,Birthdate,Email,DI_Contact_Id__c\n'
    )
    errors = {r["LastName"]: r["sf__Error"] for r in csv_rows(answer.text)}
    assert errors[f"{tag}-bool"] == (
        "INVALID_TYPE_ON_FIELD_IN_RECORD:Email Opt Out: value not of required type: maybe:"
        "HasOptedOutOfEmail --"
    )
    assert errors[f"{tag}-date"].startswith("INVALID_TYPE_ON_FIELD_IN_RECORD:")
    assert errors[f"{tag}-date"].endswith(":Birthdate --")
    assert errors[f"{tag}-email"].startswith("INVALID_EMAIL_ADDRESS:")

    good = org.results(info["id"], "successfulResults")
    assert sorted(r["LastName"] for r in good) == [f'{tag}-"quoted", name', f"{tag}-ok"]
    rows = org.sf.query(
        f"SELECT HasOptedOutOfEmail, Birthdate FROM Contact WHERE DI_Contact_Id__c = '{tag}1'"
    )["records"]
    assert (rows[0]["HasOptedOutOfEmail"], rows[0]["Birthdate"]) == (True, "2001-12-31")


@pytest.mark.parametrize(
    ("delimiter", "char", "line_ending", "newline"),
    [
        ("PIPE", "|", "CRLF", "\r\n"),
        ("TAB", "\t", "LF", "\n"),
        ("SEMICOLON", ";", "CRLF", "\r\n"),
        ("BACKQUOTE", "`", "LF", "\n"),
        ("CARET", "^", "LF", "\n"),
    ],
)
def test_delimiters_and_line_endings(
    org: Org, tag: str, delimiter: str, char: str, line_ending: str, newline: str
) -> None:
    lines = [
        char.join(["LastName", "FirstName", "Email"]),
        char.join([f"{tag}-1", "Ann, Jr", "a@example.com"]),
        char.join([f"{tag}-2", "", ""]),
    ]
    info = org.run_ingest(
        newline.join(lines) + newline, columnDelimiter=delimiter, lineEnding=line_ending
    )
    assert (info["state"], info["numberRecordsFailed"]) == ("JobComplete", 0)
    assert (info["columnDelimiter"], info["lineEnding"]) == (delimiter, line_ending)

    query = org.create_query(
        f"SELECT LastName, FirstName FROM Contact WHERE LastName LIKE '{tag}%' ORDER BY LastName",
        columnDelimiter=delimiter,
        lineEnding=line_ending,
    ).json()
    page = org.query_results(query["id"]).text
    assert (
        page
        == newline.join(
            [
                char.join(['"LastName"', '"FirstName"']),
                char.join([f'"{tag}-1"', '"Ann, Jr"']),
                char.join([f'"{tag}-2"', ""]),
            ]
        )
        + newline
    )


def test_line_ending_mismatch_fails_the_job(org: Org, tag: str) -> None:
    info = org.run_ingest(f"LastName\r\n{tag}\r\n", lineEnding="LF")
    assert info["state"] == "Failed"
    assert "LineEnding is invalid on user data" in info["errorMessage"]
    assert info["numberRecordsProcessed"] == 0
    assert [r["LastName"] for r in org.results(info["id"], "unprocessedrecords")] == [tag]


def test_unknown_column_fails_the_job(org: Org, tag: str) -> None:
    info = org.run_ingest(f"LastName,Nope__c\n{tag},1\n")
    assert info["state"] == "Failed"
    assert info["errorMessage"] == "InvalidBatch : Field name not found : Nope__c"


def test_na_clears_empty_leaves_and_headers_ignore_case(org: Org, tag: str) -> None:
    info = org.run_ingest(f"lastname,EMAIL,phone\n{tag},a@example.com,555-0100\n")
    [row] = org.results(info["id"], "successfulResults")
    record_id = row["sf__Id"]
    info = org.run_ingest(f"Id,Email,Phone\n{record_id},#N/A,\n", operation="update")
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (1, 0)
    [record] = org.sf.query(f"SELECT Email, Phone FROM Contact WHERE Id = '{record_id}'")["records"]
    assert (record["Email"], record["Phone"]) == (None, "555-0100")


def test_relationship_column_by_external_id(org: Org, tag: str) -> None:
    account = org.run_ingest(
        f"Name,Legacy_Id__c\n{tag} Inc,{tag}\n", object="Account", operation="insert"
    )
    assert account["numberRecordsFailed"] == 0
    info = org.run_ingest(
        f"LastName,Account.Legacy_Id__c,HasOptedOutOfEmail\n{tag}-1,{tag},true\n"
        f"{tag}-2,missing-{tag},false\n{tag}-3,,false\n"
    )
    assert info["numberRecordsFailed"] == 1
    [failure] = org.results(info["id"], "failedResults")
    assert failure["sf__Error"] == (
        f"INVALID_FIELD:Foreign key external ID: missing-{tag} not found for field "
        "Legacy_Id__c in entity Account:--"
    )

    created = org.create_query(
        f"SELECT LastName, Account.Name, HasOptedOutOfEmail, Email FROM Contact "
        f"WHERE LastName LIKE '{tag}%' ORDER BY LastName"
    )
    assert created.status_code == 200 and created.json()["state"] == "UploadComplete"
    page = org.query_results(created.json()["id"])
    assert page.headers["Sforce-Locator"] == "null"
    assert page.headers["Sforce-NumberOfRecords"] == "2"
    assert page.text == (
        '"LastName","Account.Name","HasOptedOutOfEmail","Email"\n'
        f'"{tag}-1","{tag} Inc","true",\n'
        f'"{tag}-3",,"false",\n'
    )


def test_locators_and_max_records(org: Org, tag: str) -> None:
    lines = "\n".join(f"{tag}-{i:02d}" for i in range(9))
    assert org.run_ingest(f"LastName\n{lines}\n")["numberRecordsFailed"] == 0
    job = org.create_query(
        f"SELECT LastName FROM Contact WHERE LastName LIKE '{tag}%' ORDER BY LastName"
    ).json()
    assert org.job("query", job["id"])["state"] == "JobComplete"
    assert org.job("query", job["id"])["numberRecordsProcessed"] == 9

    names: list[str] = []
    counts: list[int] = []
    locator = ""
    while True:
        params = {"maxRecords": "4", **({"locator": locator} if locator else {})}
        page = org.query_results(job["id"], **params)
        assert page.status_code == 200 and page.text.startswith('"LastName"\n')
        counts.append(int(page.headers["Sforce-NumberOfRecords"]))
        names += [r["LastName"] for r in csv_rows(page.text)]
        locator = page.headers["Sforce-Locator"]
        if locator == "null":
            break
    assert counts == [4, 4, 1]
    assert names == [f"{tag}-{i:02d}" for i in range(9)]

    whole = org.query_results(job["id"])
    assert whole.headers["Sforce-NumberOfRecords"] == "9"
    assert whole.headers["Sforce-Locator"] == "null"
    assert error_of(org.query_results(job["id"], locator="not-a-locator"))[0] == 400
    assert error_of(org.query_results(job["id"], maxRecords="0"))[0] == 400


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"object": "Nope", "operation": "insert"}, (400, "INVALIDENTITY")),
        ({"object": "Contact", "operation": "merge"}, (400, "JSON_PARSER_ERROR")),
        ({"object": "Contact"}, (400, "API_ERROR")),
        ({"object": "Contact", "operation": "upsert"}, (400, "API_ERROR")),
        (
            {"object": "Contact", "operation": "insert", "columnDelimiter": "COLON"},
            (400, "JSON_PARSER_ERROR"),
        ),
        (
            {"object": "Contact", "operation": "insert", "contentType": "XML"},
            (400, "JSON_PARSER_ERROR"),
        ),
    ],
)
def test_bad_ingest_job_requests(org: Org, body: dict[str, Any], expected: tuple[int, str]) -> None:
    assert error_of(org.http.post(f"{org.jobs}/ingest", json=body, timeout=30)) == expected


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("SELECT Nope FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Nope", "INVALID_TYPE"),
        ("SELECT FROM Contact", "MALFORMED_QUERY"),
        ("SELECT COUNT() FROM Contact", "API_ERROR"),
        ("SELECT Id FROM Contact LIMIT 5 OFFSET 5", "API_ERROR"),
    ],
)
def test_bad_query_jobs_are_refused_at_creation(org: Org, query: str, code: str) -> None:
    assert error_of(org.create_query(query)) == (400, code)


def test_paths_methods_and_content_types(org: Org) -> None:
    base = org.info["instance_url"]
    upper = org.http.get(f"{base}/SERVICES/DATA/V{VERSION}/JOBS/INGEST/", timeout=30)
    assert upper.status_code == 200 and upper.json()["done"] is True
    other_version = org.http.get(f"{base}/services/data/v52.0/jobs/query", timeout=30)
    assert other_version.status_code == 200

    unknown = org.http.get(f"{org.jobs}/ingest/7505g0000000000AAA", timeout=30)
    assert error_of(unknown) == (404, "NOT_FOUND")
    assert error_of(org.http.put(f"{org.jobs}/ingest", timeout=30)) == (405, "METHOD_NOT_ALLOWED")

    job = org.create_ingest(object="Contact", operation="insert")
    as_json = org.http.put(
        f"{org.jobs}/ingest/{job['id']}/batches",
        data=b"LastName\nx\n",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert as_json.status_code == 415
    not_json = org.http.post(
        f"{org.jobs}/ingest",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert error_of(not_json) == (400, "JSON_PARSER_ERROR")
    org.set_state("ingest", job["id"], "Aborted")


def chunked(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), 7):
        yield data[start : start + 7]


def test_chunked_upload_without_content_length(org: Org, tag: str) -> None:
    job = org.create_ingest(object="Contact", operation="insert")
    body = f"LastName,FirstName\n{tag}-1,Ann\n{tag}-2,Bob\n".encode()
    answer = org.http.put(
        f"{org.jobs}/ingest/{job['id']}/batches",
        data=chunked(body),
        headers={"Content-Type": "text/csv"},
        timeout=30,
    )
    assert answer.status_code == 201
    assert org.set_state("ingest", job["id"], "UploadComplete").status_code == 200
    assert org.job("ingest", job["id"])["numberRecordsProcessed"] == 2


def test_jobs_survive_a_restart(tmp_path: Path) -> None:
    with start_sandbox(tmp_path, seed="empty") as first:
        org = Org(first.salesforce)
        done = org.run_ingest("LastName\nKeep\n")
        query = org.create_query("SELECT LastName FROM Contact").json()
        org.http.close()
    with start_sandbox(tmp_path, seed="empty") as second:
        org = Org(second.salesforce)
        again = org.job("ingest", done["id"])
        assert (again["state"], again["numberRecordsProcessed"]) == ("JobComplete", 1)
        assert [r["LastName"] for r in org.results(done["id"], "successfulResults")] == ["Keep"]
        with org.query_results(query["id"]) as page:
            assert page.status_code == 200 and page.headers["Sforce-NumberOfRecords"] == "1"
        # a response still holding its TLS connection would stall the sandbox's shutdown
        org.http.close()


@pytest.mark.slow
def test_large_ingest_and_query_in_internal_chunks(org: Org, tag: str) -> None:
    total = 25_000
    records = [{"LastName": f"{tag}-{i:05d}", "Email": f"p{i}@example.com"} for i in range(total)]
    [done] = org.sf.bulk2.Contact.insert(records=records, wait=0)
    assert (done["numberRecordsProcessed"], done["numberRecordsFailed"]) == (total, 0)
    soql = f"SELECT Id, LastName FROM Contact WHERE LastName LIKE '{tag}%'"
    pages = list(org.sf.bulk2.Contact.query(soql, max_records=10_000, wait=0))
    assert len(pages) == 3
    ids = {r["Id"] for page in pages for r in csv_rows(page)}
    assert len(ids) == total


def test_query_csv_escapes_quotes_and_newlines(org: Org, tag: str) -> None:
    data = f'LastName,FirstName,Email\n{tag},"Say ""hi""\nthere",\n'
    assert org.run_ingest(data)["numberRecordsFailed"] == 0
    job = org.create_query(
        f"SELECT FirstName, Email, CreatedDate FROM Contact WHERE LastName = '{tag}'"
    ).json()
    page = org.query_results(job["id"])
    assert page.headers["Sforce-NumberOfRecords"] == "1"
    header, first, second = page.text.split("\n", 2)
    assert header == '"FirstName","Email","CreatedDate"'
    assert first == '"Say ""hi""'
    assert re.fullmatch(r'there",,"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"\n', second)

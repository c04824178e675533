"""REST query on the Salesforce sandbox: pages, locators, batch size, queryAll, errors."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.sandbox_salesforce.conftest import Rest


def _load(api: Rest, count: int) -> list[str]:
    ids: list[str] = []
    for start in range(0, count, 200):
        records = [
            {"attributes": {"type": "Contact"}, "LastName": f"P{n:05d}"}
            for n in range(start, min(count, start + 200))
        ]
        ids += [
            r["id"]
            for r in api.call("POST", "/composite/sobjects", json={"records": records}).json()
        ]
    return ids


def test_pages_of_2000_with_root_relative_locators(api: Rest, sf: Salesforce) -> None:
    _load(api, 4100)
    first = sf.query("SELECT Id, LastName FROM Contact ORDER BY LastName")
    assert (first["totalSize"], first["done"], len(first["records"])) == (4100, False, 2000)
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-2000")
    everything = sf.query_all("SELECT Id, LastName FROM Contact ORDER BY LastName")
    names = [r["LastName"] for r in everything["records"]]
    assert names == [f"P{n:05d}" for n in range(4100)]
    locator = first["nextRecordsUrl"].rsplit("/", 1)[1]
    second = sf.query_more(locator)
    assert second["records"][0]["LastName"] == "P02000"


def test_batch_size_header(api: Rest, sf: Salesforce) -> None:
    _load(api, 450)
    page = api.call(
        "GET",
        "/query",
        params={"q": "SELECT Id FROM Contact"},
        headers={"Sforce-Query-Options": "batchSize=200"},
    ).json()
    assert len(page["records"]) == 200 and page["totalSize"] == 450
    tiny = api.call(
        "GET",
        "/query",
        params={"q": "SELECT Id FROM Contact"},
        headers={"Sforce-Query-Options": "batchSize=10"},
    ).json()
    assert len(tiny["records"]) == 200  # the minimum is 200
    assert sf.query("SELECT Id FROM Contact")["done"] is True


def test_query_all_sees_soft_deleted_rows(sf: Salesforce) -> None:
    rid = sf.Contact.create({"LastName": "Bin"})["id"]
    sf.Contact.delete(rid)
    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 0
    everything = sf.query_all("SELECT Id, IsDeleted FROM Contact", include_deleted=True)
    assert [(r["Id"], r["IsDeleted"]) for r in everything["records"]] == [(rid, True)]


def test_count_and_relationships(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    sf.Contact.create({"LastName": "A", "AccountId": account})
    sf.Contact.create({"LastName": "B"})
    assert sf.query("SELECT COUNT() FROM Contact") == {"totalSize": 2, "done": True, "records": []}
    rows = sf.query("SELECT LastName, Account.Name FROM Contact ORDER BY LastName")["records"]
    assert rows[0]["Account"]["Name"] == "Acme" and rows[1]["Account"] is None


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FROM Nope", "INVALID_TYPE"),
        ("SELECT Nope FROM Contact", "INVALID_FIELD"),
        ("SELECT FROM Contact", "MALFORMED_QUERY"),
    ],
)
def test_query_errors(sf: Salesforce, soql: str, code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.query(soql)
    assert failure.value.content[0]["errorCode"] == code


def test_unknown_locator(api: Rest) -> None:
    answer = api.call("GET", "/query/01g5g0000000zzzAAA-2000")
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_columns_metadata(api: Rest, sf: Salesforce) -> None:
    sf.Contact.create({"LastName": "Meta"})
    answer = api.call(
        "GET",
        "/query",
        params={"q": "SELECT Id, LastName, Account.Name FROM Contact", "columns": "true"},
    ).json()
    assert (answer["entityName"], answer["idSelected"], answer["keyPrefix"]) == (
        "Contact",
        True,
        "003",
    )
    names = [c["columnName"] for c in answer["columnMetadata"]]
    assert names == ["Id", "LastName", "Account"]
    assert answer["columnMetadata"][1]["apexType"] == "String"
    assert answer["columnMetadata"][2]["joinColumns"][0]["columnName"] == "Name"
    assert "records" not in answer

"""Projects.List and Projects.Get: the default world's schema."""

from __future__ import annotations

from tests.sandbox_dialoginsight.conftest import DiApi


def test_projects_list(di: DiApi) -> None:
    records = di.ok("Projects.List")["Records"]
    assert records == [
        {"idProject": 1001, "ProjectName": "Communications"},
        {"idProject": 1002, "ProjectName": "Acquisition"},
    ]


def test_connection_info_lists_projects_and_tables(di: DiApi) -> None:
    assert di.info["base_url"].endswith("/webservices/ofc4/")
    assert di.info["projects"] == [
        {"idProject": 1001, "name": "Communications", "type": "A"},
        {"idProject": 1002, "name": "Acquisition", "type": "B"},
    ]
    assert di.info["tables"] == [
        {"idTable": 2001, "code": "Purchases", "idProject": 1001, "key": "idPurchase"}
    ]


def test_projects_get_communications(di: DiApi) -> None:
    info = di.ok("Projects.Get", {"idProject": 1001})["ProjectInfo"]
    fields = {f["Code"]: f for f in info["ProjectFields"]}
    assert list(fields) == [
        "SalesforceId", "EMail", "FirstName", "LastName", "Phone", "dateNaissance", "Company",
    ]  # fmt: skip
    assert fields["SalesforceId"] | {"Labels": None} == {
        "Code": "SalesforceId", "Labels": None, "isRequired": True, "isPrimaryKey": True,
        "DataType": "ShortText", "Length": 18,
    }  # fmt: skip
    assert fields["EMail"]["DataType"] == "Email" and not fields["EMail"]["isPrimaryKey"]
    assert fields["LastName"]["DataType"] == "ShortText" and fields["LastName"]["Length"] == 100
    assert fields["dateNaissance"]["DataType"] == "Date"
    assert fields["Phone"]["DataType"] == "Phone"
    assert all(f["Labels"][0]["Value"] for f in info["ProjectFields"])
    assert [o["Code"] for o in info["OptinFields"]] == ["Newsletter", "Promotions"]


def test_projects_get_acquisition(di: DiApi) -> None:
    info = di.ok("Projects.Get", {"idProject": 1002})["ProjectInfo"]
    keys = [f["Code"] for f in info["ProjectFields"] if f["isPrimaryKey"]]
    assert keys == ["EMail"]
    assert [f["Code"] for f in info["ProjectFields"]] == [
        "EMail", "FirstName", "LastName", "Company", "Phone",
    ]  # fmt: skip
    assert [o["Code"] for o in info["OptinFields"]] == ["Newsletter"]


def test_unknown_project_and_table(di: DiApi) -> None:
    assert di.call("Projects.Get", {"idProject": 4242})["ErrorCode"] == "ProjectNotFound"
    assert di.call("Contacts.Get", {"idProject": 4242})["ErrorCode"] == "ProjectNotFound"
    assert di.call("RelationalTables.Get", {"idTable": 4242})["ErrorCode"] == "TableNotFound"

"""RelationalTables.Get / Merge / Delete: rows linked to contacts by idContact."""

from __future__ import annotations

from typing import Any

from tests.sandbox_dialoginsight.conftest import DiApi, clause


def _contacts(di: DiApi) -> list[int]:
    records = [
        {"ID": {"key_f_SalesforceId": f"00300000000000{i}AAA"}, "Data": {"f_FirstName": f"M{i}"}}
        for i in range(1, 4)
    ]
    return [r["IdRecord"] for r in di.merge(1001, records)["Records"]]


def _purchase(id_purchase: str, id_contact: Any, **data: Any) -> dict[str, Any]:
    return {
        "ID": {"key_idPurchase": id_purchase},
        "Data": {"idPurchase": id_purchase, "idContact": id_contact, **data},
    }


def _merge(di: DiApi, records: list[dict], **options: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"idTable": 2001, "Records": records}
    if options:
        body["MergeOptions"] = options
    return di.ok("RelationalTables.Merge", body)


def _rows(di: DiApi, where: Any = None, **extra: Any) -> list[dict[str, Any]]:
    body = {"idTable": 2001, **extra}
    if where is not None:
        body["Clause"] = where
    return list(di.ok("RelationalTables.Get", body)["Records"])


def test_merge_and_get_purchases(di: DiApi) -> None:
    ids = _contacts(di)
    answer = _merge(
        di,
        [
            _purchase("P-2", ids[0], product="Spa day", amount="129.50", purchaseDate="2024.03.01"),
            _purchase("P-1", ids[1], product="Gift card", amount=50, purchaseDate="2024-02-14"),
        ],
        ReturnRecordsOnSuccess=True,
    )
    assert answer["CreatedRecords"] == 2
    assert [r["Status"] for r in answer["Records"]] == ["Created", "Created"]
    assert answer["Records"][0]["Record"]["idContact"] == ids[0]
    assert _rows(di) == [  # ordered by the table's key
        {"idPurchase": "P-1", "idContact": ids[1], "product": "Gift card", "amount": 50.0,
         "purchaseDate": "2024.02.14"},
        {"idPurchase": "P-2", "idContact": ids[0], "product": "Spa day", "amount": 129.5,
         "purchaseDate": "2024.03.01"},
    ]  # fmt: skip
    again = _merge(di, [_purchase("P-1", ids[1], amount="55")])
    assert again["Records"][0]["Status"] == "Updated" and again["UpdatedRecords"] == 1
    assert [r["amount"] for r in _rows(di)] == [55.0, 129.5]


def test_get_by_contact_with_a_clause_array(di: DiApi) -> None:
    ids = _contacts(di)
    _merge(di, [_purchase(f"P-{i}", ids[i % 2], amount=i) for i in range(6)])
    mine = _rows(di, [clause("idContact", "Equal", ids[1])])
    assert [r["idPurchase"] for r in mine] == ["P-1", "P-3", "P-5"]
    big = _rows(di, [clause("idContact", "Equal", ids[1]), clause("amount", "GreaterThan", 2)])
    assert [r["idPurchase"] for r in big] == ["P-3", "P-5"]
    page = _rows(di, clause("idPurchase", "GreaterThan", "P-2"), MaxRows=2)
    assert [r["idPurchase"] for r in page] == ["P-3", "P-4"]


def test_unknown_contact_is_a_per_record_error(di: DiApi) -> None:
    ids = _contacts(di)
    answer = _merge(
        di, [_purchase("P-1", 999999), _purchase("P-2", ids[0]), _purchase("P-3", None)]
    )
    assert [r["ValidationResult"] for r in answer["Records"]] == [
        "UnknownContact",
        "OK",
        "MissingValue",
    ]
    assert [r["idPurchase"] for r in _rows(di)] == ["P-2"]


def test_table_validation_is_per_record(di: DiApi) -> None:
    ids = _contacts(di)
    answer = _merge(
        di,
        [
            _purchase("P-1", ids[0], amount="12,50"),
            _purchase("P-2", ids[0], purchaseDate="2024/01/01"),
            _purchase("P-3", "abc"),
            {"ID": {}, "Data": {"idContact": ids[0]}},
        ],
    )
    codes = [r["ValidationResult"] for r in answer["Records"]]
    assert codes == ["InvalidDecimal", "InvalidDate", "InvalidInteger", "MissingKey"]
    assert _rows(di) == []


def test_unknown_table_fields_fail_the_call(di: DiApi) -> None:
    answer = di.call(
        "RelationalTables.Merge", {"idTable": 2001, "Records": [_purchase("P-1", 1, price=3)]}
    )
    assert answer["ErrorCode"] == "InvalidField"
    answer = di.call(
        "RelationalTables.Get", {"idTable": 2001, "Clause": clause("Product", "Equal", "x")}
    )
    assert answer["ErrorCode"] == "InvalidField"
    answer = di.call("RelationalTables.Merge", {"idTable": 2002, "Records": []})
    assert answer["ErrorCode"] == "TableNotFound"


def test_relational_delete_and_cascade_from_contacts(di: DiApi) -> None:
    ids = _contacts(di)
    _merge(di, [_purchase(f"P-{i}", ids[i % 3]) for i in range(6)])
    answer = di.ok(
        "RelationalTables.Delete",
        {"idTable": 2001, "Clause": [clause("idPurchase", "In", ["P-0", "P-1"])]},
    )
    assert answer["DeletedRecords"] == 2
    assert di.call("RelationalTables.Delete", {"idTable": 2001})["ErrorCode"] == "InvalidClause"
    di.ok("Contacts.Delete", {"idProject": 1001, "Clause": clause("idContact", "Equal", ids[2])})
    assert [r["idPurchase"] for r in _rows(di)] == ["P-3", "P-4"]

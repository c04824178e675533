"""Relational tables over HTTPS: merge by ``key_<code>``, paged reads by key, deletes."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from ditoolkit.errors import ConfigError
from ditoolkit.port import FieldType
from ditoolkit.systems.dialoginsight import DialogInsightSystem, read_di_table, write_di_table

PURCHASE_FIELDS = {
    "idPurchase": "string",
    "idContact": "reference",
    "product": "string",
    "amount": "decimal",
    "purchaseDate": "date",
}


def contacts(di: DialogInsightSystem, n: int) -> list[str]:
    frame = pd.DataFrame({"f_SalesforceId": [f"003{i:015d}" for i in range(n)]})
    result = di.write("Contact", frame, operation="upsert", project=1001)
    assert result.ok
    return [r.id or "" for r in result.rows]


def purchases(owners: list[str]) -> pd.DataFrame:
    n = len(owners)
    return pd.DataFrame(
        {
            "idPurchase": [f"P-{i:03d}" for i in range(n)],
            "idContact": owners,
            "product": [f"item {i}" for i in range(n)],
            "amount": [10.5 + i for i in range(n)],
            "purchaseDate": pd.to_datetime(["2024-01-31"] * n),
        }
    )


@pytest.fixture
def typed(di_system_factory: Callable[..., DialogInsightSystem]) -> DialogInsightSystem:
    table = {"idTable": 2001, "code": "Purchases", "idProject": 1001, "key": "idPurchase"}
    return di_system_factory(tables=[{**table, "fields": PURCHASE_FIELDS}], page_size=2)


def test_write_read_and_page_by_key(typed: DialogInsightSystem) -> None:
    owners = contacts(typed, 5)
    result = write_di_table(typed, "Purchases", purchases(owners))
    assert result.ok and {r.status.value for r in result.rows} == {"created"}
    before = typed.client.calls["RelationalTables.Get"]
    back = read_di_table(typed, "Purchases")
    assert typed.client.calls["RelationalTables.Get"] - before == 3  # pages of 2, 2, 1
    assert back["idPurchase"].tolist() == [f"P-{i:03d}" for i in range(5)]
    assert back["idContact"].tolist() == owners
    assert str(back["amount"].dtype) == "Float64" and back["amount"].iloc[1] == 11.5
    assert back["purchaseDate"].iloc[0] == pd.Timestamp("2024-01-31")
    schema = typed.describe("Purchases")
    assert schema.key == "idPurchase" and schema.field("amount").type is FieldType.DECIMAL


def test_update_failures_and_filters(typed: DialogInsightSystem) -> None:
    owners = contacts(typed, 2)
    write_di_table(typed, "Purchases", purchases(owners))
    change = pd.DataFrame({"idPurchase": ["P-000", "P-001", "P-404"], "amount": [99.0, None, 1.0]})
    result = typed.write("Purchases", change, operation="update")
    assert [(r.status.value, r.error_code) for r in result.rows] == [
        ("updated", None),
        ("unchanged", None),
        ("failed", "RecordNotFound"),
    ]
    mine = typed.read("Purchases", where={"idContact": owners[0]})
    assert mine["amount"].tolist() == [99.0]


def test_invalid_values_fail_their_rows(di_system: DialogInsightSystem) -> None:
    owners = contacts(di_system, 1)
    frame = pd.DataFrame(  # no declared types: strings go as they are, the service checks them
        {
            "idPurchase": ["P-1", "P-2"],
            "idContact": owners * 2,
            "product": ["x", "y"],
            "amount": ["abc", "12.50"],
            "purchaseDate": ["2024.02.03", "2024.02.03"],
        }
    )
    result = di_system.write("Purchases", frame, operation="upsert")
    assert [(r.status.value, r.error_code) for r in result.rows] == [
        ("failed", "InvalidDecimal"),
        ("created", None),
    ]
    assert di_system.read("Purchases")["idPurchase"].tolist() == ["P-2"]


def test_delete_rows_by_key(typed: DialogInsightSystem) -> None:
    write_di_table(typed, "Purchases", purchases(contacts(typed, 3)))
    keys = pd.DataFrame({"idPurchase": ["P-002", "P-999", "P-000"]})
    result = typed.write("Purchases", keys, operation="delete")
    assert [r.status.value for r in result.rows] == ["deleted", "failed", "deleted"]
    assert result.rows[1].error_code == "NotFound"
    assert typed.read("Purchases")["idPurchase"].tolist() == ["P-001"]


def test_table_without_known_key_reads_one_page_only(
    di_system_factory: Callable[..., DialogInsightSystem],
) -> None:
    loose = di_system_factory(
        tables=[{"idTable": 2001, "code": "Purchases", "idProject": 1001}], page_size=2
    )
    owners = contacts(loose, 3)
    write_di_table(loose, "Purchases", purchases(owners), key="idPurchase")
    with pytest.raises(ConfigError, match="no known key to page by"):
        loose.read("Purchases")
    assert len(loose.read("Purchases", where={"idContact": owners[0]})) == 1

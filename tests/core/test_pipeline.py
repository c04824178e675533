"""The preview pipeline on in-memory systems: each direction, project rules, hold-backs, both."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from pipeline_world import RecordingSystem, lead_transfer, recording_systems

from ditoolkit.core.mapping import Transfer
from ditoolkit.core.pipeline import TYPE_A_NO_CREATE, Endpoint, preview_transfer
from ditoolkit.core.summary import (
    ERROR_FILE_COLUMNS,
    PLAN_FILE_COLUMNS,
    RESULT_FILE_COLUMNS,
    summary_document,
    write_preview_files,
)
from ditoolkit.port import FieldSchema, FieldType, TableSchema
from ditoolkit.systems.memory import MemorySystem

T = FieldType
SF_LEAD = TableSchema(
    "salesforce",
    "Lead",
    (
        FieldSchema("Ext__c", T.STRING, length=20, unique=True, external_id=True),
        FieldSchema("Email", T.EMAIL, length=80),
        FieldSchema("LastName", T.STRING, length=80, required=True),
        FieldSchema("Birthdate", T.DATE),
        FieldSchema("Rating", T.STRING, length=20),
    ),
)
DI_CONTACT = TableSchema(
    "dialoginsight",
    "Contact",
    (
        FieldSchema("f_Ext", T.STRING, length=20, key=True, unique=True),
        FieldSchema("f_EMail", T.EMAIL, length=255),
        FieldSchema("f_LastName", T.STRING, length=100),
        FieldSchema("f_Birth", T.STRING, length=20),
    ),
    key="f_Ext",
)
FIELDS = [
    {"salesforce": "Email", "dialoginsight": "f_EMail", "transform": "lower"},
    {"salesforce": "LastName", "dialoginsight": "f_LastName"},
]


def transfer(direction: str, **changes: Any) -> Transfer:
    return lead_transfer(direction, project=1001, **{"fields": FIELDS, **changes})


def systems(sf_csv: str, di_csv: str) -> tuple[RecordingSystem, RecordingSystem]:
    return recording_systems(sf_csv, di_csv, lead=SF_LEAD, contact=DI_CONTACT)


def endpoints(sf: MemorySystem, di: MemorySystem, where: Any = None) -> dict[str, Endpoint]:
    return {
        "salesforce": Endpoint(sf, "Lead", where),
        "dialoginsight": Endpoint(di, "Contact"),
    }


SF = """Ext__c,Email,LastName,Birthdate,Rating
A1,a1@x.com,Alpha,1980-01-02,Hot
A2,A2@X.COM,Beta,,Cold
A3,a3@x.com,Gamma-new,,Hot
A4,not-an-email,Delta,,Hot
"""
DI = """f_Ext,f_EMail,f_LastName,f_Birth
A2,a2@x.com,Beta,
A3,a3@x.com,Gamma,
Z9,z9@x.com,Zed,
,nokey@x.com,Nobody,
"""


def test_sf_to_di_reads_only_mapped_fields_and_plans_rows() -> None:
    sf, di = systems(SF, DI)
    preview = preview_transfer(transfer("sf_to_di"), endpoints=endpoints(sf, di))
    assert preview.summary() == {
        "insert": 1,  # A1
        "update": 1,  # A3 last name
        "delete": 0,  # Z9: delete is not allowed
        "conflict": 0,
        "unchanged": 1,  # A2: the email differs only by case
        "held_back": 1,  # A4: invalid email
        "failed": 0,
    }
    assert sf.reads == [{"columns": ["Ext__c", "Email", "LastName"], "where": None}]
    assert di.reads == [{"columns": ["f_Ext", "f_EMail", "f_LastName"]}]
    plan = preview.plan()
    update = plan.rows[plan.rows["operation"] == "update"].iloc[0]
    assert (update["key"], update["before"], update["after"]) == (
        "A3",
        {"f_LastName": "Gamma"},
        {"f_LastName": "Gamma-new"},
    )
    assert preview.direction().target_unkeyed == 1
    errors = preview.error_rows()
    assert list(errors["key"]) == ["A4"] and list(errors["reason"]) == ["INVALID_EMAIL"]
    assert list(plan.skipped["key"]) == ["Z9"]


def test_source_where_is_passed_and_deletes_only_when_allowed() -> None:
    sf, di = systems(SF, DI)
    chosen = transfer("sf_to_di", operations=["insert", "update", "delete"])
    preview = preview_transfer(chosen, endpoints=endpoints(sf, di, where="Rating == 'Hot'"))
    assert sf.reads[0]["where"] == "Rating == 'Hot'"
    counts = preview.summary()
    # A2 (Cold) is filtered out of the source, so the target's A2 and Z9 are deletes
    assert (counts["insert"], counts["update"], counts["delete"]) == (1, 1, 2)
    deleted = preview.plan().rows.query("operation == 'delete'")["key"]
    assert sorted(deleted) == ["A2", "Z9"]


@pytest.mark.parametrize(("project_type", "held"), [("A", 2), ("B", 0)])
def test_type_a_project_never_creates_salesforce_records(project_type: str, held: int) -> None:
    sf, di = systems(
        "Ext__c,Email,LastName,Birthdate,Rating\nA2,a2@x.com,Old,,\n",
        "f_Ext,f_EMail,f_LastName,f_Birth\nA2,a2@x.com,New,\nN1,n1@x.com,Newone,\nN2,n2@x.com,Two,\n",
    )
    preview = preview_transfer(
        transfer("di_to_sf"), endpoints=endpoints(sf, di), project_type=project_type
    )
    counts = preview.summary()
    assert counts["update"] == 1
    assert counts["insert"] == 2 - held and counts["held_back"] == held
    reasons = preview.error_rows()["reason"]
    assert list(reasons) == [TYPE_A_NO_CREATE] * held


def test_rows_a_transform_cannot_convert_are_held_back() -> None:
    sf, di = systems(
        "Ext__c,Email,LastName,Birthdate,Rating\nA2,a2@x.com,Same,1990-05-01,\n",
        "f_Ext,f_EMail,f_LastName,f_Birth\nA2,a2@x.com,Same,01/05/1990\n"
        "B1,b1@x.com,Bee,31/02/1990\nB2,b2@x.com,Bee,12/03/1991\n",
    )
    fields = [
        *FIELDS,
        {"dialoginsight": "f_Birth", "salesforce": "Birthdate", "format": "%d/%m/%Y"},
    ]
    preview = preview_transfer(
        transfer("di_to_sf", fields=fields), endpoints=endpoints(sf, di), project_type="B"
    )
    counts = preview.summary()
    assert (counts["unchanged"], counts["insert"], counts["held_back"]) == (1, 1, 1)
    errors = preview.error_rows()
    assert list(errors["key"]) == ["B1"] and list(errors["reason"]) == ["UNPARSABLE_DATE"]


@pytest.mark.parametrize(("nulls", "updates"), [("leave", 0), ("clear", 1)])
def test_null_policy_decides_whether_an_empty_source_clears(nulls: str, updates: int) -> None:
    sf, di = systems(
        "Ext__c,Email,LastName,Birthdate,Rating\nA1,,Alpha,,\n",
        "f_Ext,f_EMail,f_LastName,f_Birth\nA1,a1@x.com,Alpha,\n",
    )
    preview = preview_transfer(transfer("sf_to_di", nulls=nulls), endpoints=endpoints(sf, di))
    assert preview.summary()["update"] == updates
    if updates:
        row = preview.plan().rows.iloc[0]
        assert row["after"] == {"f_EMail": None} and row["before"] == {"f_EMail": "a1@x.com"}


BOTH_SF = """Ext__c,Email,LastName,Birthdate,Rating
K1,k1@x.com,SfChanged,,
K2,k2@x.com,Same,,
K3,k3@x.com,Both-sf,,
S1,s1@x.com,OnlySf,,
"""
BOTH_DI = """f_Ext,f_EMail,f_LastName,f_Birth
K1,k1@x.com,Base,
K2,k2@x.com,DiChanged,
K3,k3@x.com,Both-di,
D1,d1@x.com,OnlyDi,
"""


def test_both_without_base_reports_differences_as_conflicts_and_never_deletes() -> None:
    sf, di = systems(BOTH_SF, BOTH_DI)
    chosen = transfer("both", operations=["insert", "update", "delete"])
    preview = preview_transfer(chosen, endpoints=endpoints(sf, di))
    assert set(preview.directions) == {"sf_to_di", "di_to_sf"}
    counts = preview.summary()
    assert (counts["conflict"], counts["update"], counts["delete"]) == (3, 0, 0)
    inserts = {d: list(p.rows["key"]) for d, p in preview.plans.items()}
    assert inserts == {"sf_to_di": ["S1"], "di_to_sf": ["D1"]}


def test_both_with_base_sends_each_change_its_own_way() -> None:
    sf, di = systems(BOTH_SF, BOTH_DI)
    base = pd.DataFrame(
        {
            "f_Ext": ["K1", "K2", "K3", "D1", "GONE"],
            "f_EMail": ["k1@x.com", "k2@x.com", "k3@x.com", "d1@x.com", "g@x.com"],
            "f_LastName": ["Base", "Same", "Both-base", "OnlyDi", "Gone"],
        }
    )
    chosen = transfer("both", operations=["insert", "update", "delete"])
    preview = preview_transfer(chosen, endpoints=endpoints(sf, di), base=base)
    to_di, to_sf = preview.plan("sf_to_di").rows, preview.plan("di_to_sf").rows
    # K1 changed in SF only, K2 in DI only; K3 changed on both sides: a conflict
    assert to_di.query("operation == 'update'")["key"].tolist() == ["K1"]
    assert to_sf.query("operation == 'update'")["key"].tolist() == ["K2"]
    assert preview.summary()["conflict"] == 1
    # S1 is new in SF (not in base); D1 was in base and is gone from SF: delete it in DI
    assert to_di.query("operation == 'insert'")["key"].tolist() == ["S1"]
    assert to_di.query("operation == 'delete'")["key"].tolist() == ["D1"]
    assert to_sf.query("operation in ['insert', 'delete']").empty


def test_run_files_have_headers_and_count_rows(tmp_path: Any) -> None:
    sf, di = systems("Ext__c,Email,LastName,Birthdate,Rating\n", DI)
    preview = preview_transfer(transfer("sf_to_di"), endpoints=endpoints(sf, di))
    document = summary_document(
        command="plan",
        transfer="t",
        dry_run=True,
        counts=preview.summary(),
        api_calls={"salesforce": 2},
        seconds=0.5,
    )
    files = write_preview_files(tmp_path, preview, summary=document)
    assert json.loads(files.summary.read_text()) == document
    assert list(document) == [
        "command",
        "transfer",
        "dry_run",
        "run_id",
        "counts",
        "api_calls",
        "seconds",
    ]
    assert document["api_calls"] == {"salesforce": 2, "dialoginsight": 0}
    for path, columns in (
        (files.plan, PLAN_FILE_COLUMNS),
        (files.results, RESULT_FILE_COLUMNS),
        (files.errors, ERROR_FILE_COLUMNS),
    ):
        frame = pd.read_csv(path)
        assert list(frame.columns) == columns and frame.empty
    assert files.report is not None and "Plan of t" in files.report.read_text()

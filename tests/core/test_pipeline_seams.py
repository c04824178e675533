"""The pipeline where it meets apply: incremental reads, required fields, key lengths, counts."""

from __future__ import annotations

from typing import Any

import pytest
from pipeline_world import (
    DI_CONTACT,
    MARK,
    NEW,
    OLD,
    SF_LEAD,
    RecordingSystem,
    csv_frame,
    lead_transfer,
    recording_systems,
)

from ditoolkit.core.mapping import Transfer
from ditoolkit.core.pipeline import Endpoint, preview_transfer
from ditoolkit.errors import MappingError
from ditoolkit.systems.memory import MemorySystem


def transfer(direction: str, **changes: Any) -> Transfer:
    operations = ["insert", "update", "delete"]
    return lead_transfer(direction, project=1002, **{"operations": operations, **changes})


def sides(sf_csv: str, di_csv: str) -> tuple[RecordingSystem, RecordingSystem]:
    return recording_systems(sf_csv, di_csv, lead=SF_LEAD, contact=DI_CONTACT)


def endpoints(sf: MemorySystem, di: MemorySystem) -> dict[str, Endpoint]:
    return {
        "salesforce": Endpoint(sf, "Lead", modstamp="SystemModstamp"),
        "dialoginsight": Endpoint(di, "Contact"),
    }


# K1 changed in Salesforce after the watermark; K2 changed in DI; K3 unchanged; Z9 DI only.
SF = f"""Ext__c,Email,LastName,SystemModstamp
K1,k1@x.com,SfChanged,{NEW}
K2,k2@x.com,Same,{OLD}
K3,k3@x.com,Same,{OLD}
"""
DI = """f_Ext,f_EMail,f_LastName
K1,k1@x.com,Same
K2,k2@x.com,DiChanged
K3,k3@x.com,Same
Z9,z9@x.com,Zed
"""


def test_an_incremental_read_compares_only_the_keys_read() -> None:
    sf, di = sides(SF, DI)
    chosen = transfer("sf_to_di")
    full = preview_transfer(chosen, endpoints=endpoints(sf, di))
    assert (full.summary()["delete"], full.summary()["unchanged"]) == (1, 1)  # Z9; K3

    since = preview_transfer(chosen, endpoints=endpoints(sf, di), since={"sf_to_di": MARK})
    assert sf.reads[-1]["since"] == MARK
    assert "SystemModstamp" in sf.reads[-1]["columns"]
    d = since.direction()
    assert list(d.source["Ext__c"]) == ["K1"]
    assert d.source["SystemModstamp"].notna().all()  # the next watermark
    counts = since.summary()
    # Z9, K2 and K3 were not re-read: neither deletes nor unchanged nor anything else
    assert (counts["update"], counts["delete"], counts["unchanged"], counts["insert"]) == (
        1,
        0,
        0,
        0,
    )
    assert since.plan().rows["key"].tolist() == ["K1"]
    # the fingerprint is of the whole target, as apply re-reads it
    assert since.plan().target_fingerprint == full.plan().target_fingerprint


def test_a_both_transfer_reads_salesforce_from_its_watermark_and_di_whole() -> None:
    sf, di = sides(SF, DI)
    base = csv_frame(
        "f_Ext,f_EMail,f_LastName\nK1,k1@x.com,Same\nK2,k2@x.com,Same\nK3,k3@x.com,Same\n"
    )
    preview = preview_transfer(
        transfer("both"), endpoints=endpoints(sf, di), base=base, since={"sf_to_di": MARK}
    )
    to_di, to_sf = preview.plan("sf_to_di").rows, preview.plan("di_to_sf").rows
    # K2 and K3 are in the base and absent from the incremental read: not deleted in DI
    assert to_di[["key", "operation"]].values.tolist() == [["K1", "update"]]
    # DI has no modification time: it is read whole, and its change flows to Salesforce
    assert sorted(to_sf[["key", "operation"]].values.tolist()) == [
        ["K2", "update"],
        ["Z9", "insert"],
    ]
    assert all("since" not in r for r in di.reads)
    assert preview.summary()["conflict"] == 0


def test_since_on_a_side_without_modification_time_is_refused() -> None:
    sf, di = sides(SF, DI)
    with pytest.raises(MappingError, match="cannot be read incrementally"):
        preview_transfer(
            transfer("di_to_sf"), endpoints=endpoints(sf, di), since={"di_to_sf": MARK}
        )


@pytest.mark.parametrize(
    ("nulls", "held", "updates"),
    [("leave", ["N1"], ["A2"]), ("clear", ["A2", "N1"], [])],
)
def test_an_empty_required_field_holds_back_inserts_and_clearing_updates_only(
    nulls: str, held: list[str], updates: list[str]
) -> None:
    sf, di = sides(
        f"Ext__c,Email,LastName,SystemModstamp\nA2,old@x.com,Kept,{OLD}\n",
        "f_Ext,f_EMail,f_LastName\nA2,new@x.com,\nN1,n1@x.com,\n",
    )
    preview = preview_transfer(
        transfer("di_to_sf", nulls=nulls), endpoints=endpoints(sf, di), project_type="B"
    )
    errors = preview.error_rows()
    assert sorted(errors["key"]) == held
    assert set(errors["reason"]) == {"REQUIRED_MISSING"}
    assert preview.summary()["held_back"] == len(held)
    plan = preview.plan().rows
    assert plan.loc[plan["operation"] == "update", "key"].tolist() == updates
    if updates:  # the update sends the email only: LastName stays "Kept"
        assert plan.iloc[0]["after"] == {"Email": "new@x.com"}
        warnings = preview.quality().warnings()
        assert warnings["reason"].tolist() == ["REQUIRED_MISSING"]


def test_a_key_longer_than_its_field_is_held_back() -> None:
    sf, di = sides(
        "Ext__c,Email,LastName,SystemModstamp\n",
        "f_Ext,f_EMail,f_LastName\nSHORT,s@x.com,S\nMUCH-TOO-LONG,l@x.com,L\n",
    )
    preview = preview_transfer(transfer("di_to_sf"), endpoints=endpoints(sf, di), project_type="B")
    errors = preview.error_rows()
    assert errors[["key", "reason"]].values.tolist() == [["MUCH-TOO-LONG", "TOO_LONG"]]
    assert preview.plan().rows["key"].tolist() == ["SHORT"]


def test_held_back_counts_source_rows_only() -> None:
    # the target repeats Z9 (no source row carries it) and D1 (one source row does)
    sf, di = sides(
        f"Ext__c,Email,LastName,SystemModstamp\nD1,d@x.com,D,{OLD}\nOK,ok@x.com,Ok,{OLD}\n"
        f",nokey@x.com,Nobody,{OLD}\n",
        "f_Ext,f_EMail,f_LastName\nZ9,z@x.com,Z\nZ9,z@x.com,Z\nD1,d@x.com,D\nD1,d@x.com,D\n",
    )
    preview = preview_transfer(transfer("sf_to_di"), endpoints=endpoints(sf, di))
    errors = preview.error_rows()
    assert sorted(errors.loc[errors["side"] == "target", "key"]) == ["D1", "D1", "Z9", "Z9"]
    # the source rows held back: D1 (its key repeats in the target) and the row without key
    assert preview.summary()["held_back"] == 2
    assert preview.plan().summary()["held_back"] == 2

"""Incremental reads find deletes: a fake reader of deleted rows on memory systems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
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

# Live Salesforce leads: K1 changed after the watermark, K2 unchanged, K4 re-created (or
# undeleted) after the watermark with the key of a deleted lead.
SF = f"""Ext__c,Email,LastName,LeadSource,SystemModstamp
K1,k1@x.com,SfChanged,Web,{NEW}
K2,k2@x.com,Same,Web,{OLD}
K4,k4@x.com,Back,Web,{NEW}
"""
DI = """f_Ext,f_EMail,f_LastName
K1,k1@x.com,Same
K2,k2@x.com,Same
K3,k3@x.com,Gone
K4,k4@x.com,Back
K5,k5@x.com,Gone too
Z9,z9@x.com,Never in Salesforce
"""
# Deleted since the watermark: K3 and K5 (k5 in lower case and padded: the key's transforms
# make it K5), K4 (deleted, then re-created), K7 (DI never had it). Old deletions are not listed.
DELETED = f"""Ext__c,Email,LastName,LeadSource,SystemModstamp
K3,k3@x.com,Gone,Web,{NEW}
 k5 ,k5@x.com,Gone too,Web,{NEW}
K4,k4@x.com,Back,Web,{NEW}
K7,k7@x.com,Other,Web,{NEW}
"""


class FakeDeleted:
    """A reader of deleted rows: the rows of ``DELETED`` stamped at or after ``since``."""

    def __init__(self, text: str = DELETED) -> None:
        self.rows = csv_frame(text)
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self, table: str, *, columns: Sequence[str], where: Any, since: Any
    ) -> pd.DataFrame:
        self.calls.append({"table": table, "columns": list(columns), "where": where})
        stamps = pd.to_datetime(self.rows["SystemModstamp"], utc=True)
        return self.rows.loc[stamps >= since, list(columns)].reset_index(drop=True)


#: The key is upper-cased on its way to DI (deleted keys take the same road).
KEY = {"salesforce": "Ext__c", "dialoginsight": "f_Ext", "transform": ["trim", "upper"]}


def transfer(direction: str = "sf_to_di", **changes: Any) -> Transfer:
    settings = {"operations": ["insert", "update", "delete"], "key": KEY, **changes}
    return lead_transfer(direction, project=1002, **settings)


def world(
    reader: FakeDeleted | None, *, where: Any = None
) -> tuple[dict[str, Endpoint], RecordingSystem]:
    sf, di = recording_systems(SF, DI, lead=SF_LEAD, contact=DI_CONTACT)
    ends = {
        "salesforce": Endpoint(sf, "Lead", where, modstamp="SystemModstamp", read_deleted=reader),
        "dialoginsight": Endpoint(di, "Contact"),
    }
    return ends, sf


def planned(preview: Any, flow: str = "sf_to_di") -> list[list[str]]:
    rows = preview.plan(flow).rows
    return sorted(rows[["key", "operation"]].values.tolist())


def test_an_incremental_read_deletes_the_keys_deleted_since_the_watermark() -> None:
    reader = FakeDeleted()
    ends, sf = world(reader)
    preview = preview_transfer(transfer(), endpoints=ends, since={"sf_to_di": MARK})
    # K3 and K5 (after the key's normalisation) deleted; K4 is live again: compared, equal;
    # K2 not re-read and Z9 never in Salesforce: not looked at; K7: DI has no such contact
    assert planned(preview) == [["K1", "update"], ["K3", "delete"], ["K5", "delete"]]
    counts = preview.summary()
    assert (counts["delete"], counts["unchanged"], counts["insert"]) == (2, 1, 0)
    assert sf.reads[-1]["since"] == MARK  # the live read stays incremental
    assert reader.calls == [{"table": "Lead", "columns": sf.reads[-1]["columns"], "where": None}]
    assert preview.direction().source.attrs["deleted_read"] == 4


def test_without_delete_in_operations_nothing_deleted_is_read() -> None:
    reader = FakeDeleted()
    ends, _ = world(reader)
    chosen = transfer(operations=["insert", "update"])
    preview = preview_transfer(chosen, endpoints=ends, since={"sf_to_di": MARK})
    assert planned(preview) == [["K1", "update"]]
    assert reader.calls == []
    assert "deleted_read" not in preview.direction().source.attrs


def test_a_full_read_does_not_ask_for_deleted_rows() -> None:
    reader = FakeDeleted()
    ends, _ = world(reader)
    preview = preview_transfer(transfer(), endpoints=ends)
    # the full read finds K3, K5 and Z9 missing from Salesforce by itself
    assert [k for k, op in planned(preview) if op == "delete"] == ["K3", "K5", "Z9"]
    assert reader.calls == []


def test_a_side_that_cannot_list_its_deletes_deletes_nothing_incrementally() -> None:
    ends, _ = world(None)
    preview = preview_transfer(transfer(), endpoints=ends, since={"sf_to_di": MARK})
    assert planned(preview) == [["K1", "update"]]
    assert "deleted_read" not in preview.direction().source.attrs


def test_deleted_rows_go_through_the_filters_and_the_side_where() -> None:
    reader = FakeDeleted(DELETED.replace("Gone too,Web", "Gone too,Phone"))
    ends, _ = world(reader, where="LeadSource.notna()")
    web_only = [{"salesforce": "LeadSource", "op": "eq", "value": "Web"}]
    preview = preview_transfer(transfer(filters=web_only), endpoints=ends, since={"sf_to_di": MARK})
    # K5 was outside the transfer's filter when deleted: not this transfer's to delete
    assert [k for k, op in planned(preview) if op == "delete"] == ["K3"]
    assert reader.calls[0]["where"] == "LeadSource.notna()"
    assert "LeadSource" in reader.calls[0]["columns"]


def test_deletes_older_than_the_watermark_are_not_planned() -> None:
    reader = FakeDeleted(
        DELETED.replace(f"K3,k3@x.com,Gone,Web,{NEW}", f"K3,k3@x.com,Gone,Web,{OLD}")
    )
    ends, _ = world(reader)
    preview = preview_transfer(transfer(), endpoints=ends, since={"sf_to_di": MARK})
    assert [k for k, op in planned(preview) if op == "delete"] == ["K5"]


@pytest.mark.parametrize("in_base", [True, False])
def test_a_both_transfer_deletes_in_di_what_salesforce_deleted_since_the_base(
    in_base: bool,
) -> None:
    ends, _ = world(FakeDeleted())
    keys = ["K1", "K2", "K3", "K4", "K5"] if in_base else ["K1", "K2", "K4"]
    base = pd.DataFrame(
        {
            "f_Ext": keys,
            "f_EMail": [f"{k.lower()}@x.com" for k in keys],
            "f_LastName": ["Same" if k in ("K1", "K2") else "Back" for k in keys],
        }
    ).astype(object)
    base.loc[base["f_Ext"] == "K3", "f_LastName"] = "Gone"
    base.loc[base["f_Ext"] == "K5", "f_LastName"] = "Gone too"
    preview = preview_transfer(
        transfer("both"), endpoints=ends, base=base, since={"sf_to_di": MARK}
    )
    to_di = planned(preview, "sf_to_di")
    to_sf = planned(preview, "di_to_sf")
    if in_base:  # agreed at the last sync, deleted in Salesforce since: deleted in DI
        assert to_di == [["K1", "update"], ["K3", "delete"], ["K5", "delete"]]
        assert to_sf == [["Z9", "insert"]]  # not K3 and K5 back into Salesforce
    else:  # never agreed: new on the DI side, nothing to delete there
        assert to_di == [["K1", "update"]]
        assert to_sf == [["K3", "insert"], ["K5", "insert"], ["Z9", "insert"]]

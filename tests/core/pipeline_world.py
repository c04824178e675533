"""The world of the pipeline tests: in-memory Salesforce leads and DI contacts that record
their reads, and the lead transfer between them."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pandas as pd

from ditoolkit.core.mapping import Mapping, Transfer
from ditoolkit.port import FieldSchema, FieldType, TableSchema
from ditoolkit.systems.memory import MemorySystem

#: Salesforce leads keyed by the external id ``Ext__c``, stamped (the incremental tests).
SF_LEAD = TableSchema(
    "salesforce",
    "Lead",
    (
        FieldSchema("Ext__c", FieldType.STRING, length=8, unique=True, external_id=True),
        FieldSchema("Email", FieldType.EMAIL, length=80),
        FieldSchema("LastName", FieldType.STRING, length=80, required=True),
        FieldSchema("LeadSource", FieldType.STRING, length=40),
        FieldSchema("SystemModstamp", FieldType.DATETIME),
    ),
)
#: Dialog Insight contacts keyed by ``f_Ext`` (the incremental tests' target or source).
DI_CONTACT = TableSchema(
    "dialoginsight",
    "Contact",
    (
        FieldSchema("f_Ext", FieldType.STRING, length=8, key=True),
        FieldSchema("f_EMail", FieldType.EMAIL, length=255),
        FieldSchema("f_LastName", FieldType.STRING, length=100),
    ),
    key="f_Ext",
)
#: Modification times around a watermark: before it, the watermark, after it.
OLD = "2024-01-01T00:00:00Z"
MARK = pd.Timestamp("2024-06-01T00:00:00Z")
NEW = "2024-07-01T00:00:00Z"


class RecordingSystem(MemorySystem):
    """A memory system that remembers the arguments (columns, filter, since) of every read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads: list[dict[str, Any]] = []

    def read(self, table: str, **kwargs: Any) -> pd.DataFrame:
        self.reads.append(kwargs)
        return super().read(table, **kwargs)


def lead_transfer(direction: str, *, project: int, **changes: Any) -> Transfer:
    """Salesforce ``Lead`` (key ``Ext__c``) to or from DI ``Contact`` (key ``f_Ext``), email
    and last name mapped, insert and update allowed, nulls left; ``changes`` replace parts."""
    body: dict[str, Any] = {
        "name": "t",
        "direction": direction,
        "salesforce": {"object": "Lead"},
        "dialoginsight": {"table": "Contact"},
        "key": {"salesforce": "Ext__c", "dialoginsight": "f_Ext"},
        "fields": [
            {"salesforce": "Email", "dialoginsight": "f_EMail"},
            {"salesforce": "LastName", "dialoginsight": "f_LastName"},
        ],
        "operations": ["insert", "update"],
        "nulls": "leave",
    }
    body.update(changes)
    return Mapping.from_dict({"version": 1, "project": project, "transfers": [body]}).transfers[0]


def csv_frame(text: str) -> pd.DataFrame:
    """A frame of strings from CSV text (an empty cell is missing)."""
    return pd.read_csv(StringIO(text), dtype="string")


def recording_systems(
    sf_csv: str, di_csv: str, *, lead: TableSchema, contact: TableSchema
) -> tuple[RecordingSystem, RecordingSystem]:
    """Salesforce holding ``Lead`` rows and Dialog Insight holding ``Contact`` rows."""
    return (
        RecordingSystem({"Lead": (lead, csv_frame(sf_csv))}),
        RecordingSystem({"Contact": (contact, csv_frame(di_csv))}),
    )

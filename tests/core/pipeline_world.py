"""The world of the pipeline tests: in-memory Salesforce leads and DI contacts that record
their reads, and the lead transfer between them."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pandas as pd

from ditoolkit.core.mapping import Mapping, Transfer
from ditoolkit.port import TableSchema
from ditoolkit.systems.memory import MemorySystem


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

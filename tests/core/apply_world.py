"""A small world for apply tests: a source frame, a memory target, a plan between them."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pandas as pd

from ditoolkit.core.destination import Destination
from ditoolkit.core.diff import diff_frames
from ditoolkit.core.plan import Plan, build_plan
from ditoolkit.port import FieldSchema, FieldType, System, TableSchema, WriteResult
from ditoolkit.systems.memory import MemorySystem

T = FieldType
KEY = "DI_Contact_Id__c"
TABLE = "Lead"
SCHEMA = TableSchema(
    "memory",
    TABLE,
    (
        FieldSchema("Id", T.ID, key=True, createable=False, updateable=False),
        FieldSchema(KEY, T.STRING, length=20, external_id=True, unique=True),
        FieldSchema("Email", T.EMAIL),
        FieldSchema("LastName", T.STRING, length=20, required=True),
        FieldSchema("Birthdate", T.DATE),
        FieldSchema("SystemModstamp", T.DATETIME, createable=False, updateable=False),
    ),
    key="Id",
)
FIELDS = ["Email", "LastName", "Birthdate"]
TARGET = f"""{KEY},Email,LastName,Birthdate
K1,k1@x.com,Same,2000-01-01
K2,K2@X.com,Before,2000-01-02
K3,k3@x.com,Old,
K9,gone@x.com,Deleted,1999-12-31
"""
SOURCE = f"""{KEY},Email,LastName,Birthdate
K1,k1@x.com,Same,2000-01-01
K2,k2@x.com,After,2000-01-02
K3,k3@x.com,New,2001-03-04
K4,k4@x.com,Inserted,
"""


def csv_frame(text: str) -> pd.DataFrame:
    """A CSV text as a string frame (empty cells are nulls)."""
    return pd.read_csv(io.StringIO(text), dtype="string")


def memory_target(text: str = TARGET) -> MemorySystem:
    """A memory system holding ``text`` in its Lead table."""
    return MemorySystem({TABLE: (SCHEMA, csv_frame(text))})


def destination(system: System, **options: Any) -> Destination:
    """The Lead table as a run's destination, keyed by the external id."""
    return Destination(system, TABLE, KEY, **options)


def read_target(system: System) -> pd.DataFrame:
    """The target as the preview reads it: key and compared fields."""
    return system.read(TABLE, columns=[KEY, *FIELDS])


def make_plan(
    system: System,
    source: str = SOURCE,
    *,
    operations: tuple[str, ...] = ("insert", "update"),
    nulls: str = "leave",
) -> Plan:
    """Diff ``source`` against the system's Lead rows and freeze the plan."""
    diff = diff_frames(
        csv_frame(source), read_target(system), key=KEY, schema=SCHEMA, null_policy=nulls
    )
    return build_plan(
        diff,
        operations=list(operations),
        transfer_name="leads",
        direction="di_to_sf",
        mapping_fingerprint="fp-leads",
    )


def state(system: MemorySystem) -> dict[str, dict[str, Any]]:
    """The Lead rows by key (without Id and stamp), for comparisons."""
    frame = system.read(TABLE, columns=[KEY, *FIELDS]).astype(object)
    frame = frame.where(frame.notna(), None)
    return {str(r[KEY]): {f: r[f] for f in FIELDS} for r in frame.to_dict("records")}


class Spy:
    """A system that records every write and can fail on the n-th write call.

    Args:
        inner: the real system.
        crash_on: 1-based write call after which ``crash`` is raised (after the write landed
            when ``after_write``, before it otherwise).
        crash: the exception factory (a ``BaseException`` simulates a killed process).
    """

    def __init__(
        self,
        inner: MemorySystem,
        *,
        crash_on: int | None = None,
        after_write: bool = True,
        crash: Callable[[], BaseException] = lambda: SystemExit("killed"),
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.writes: list[tuple[str, pd.DataFrame]] = []
        self.crash_on = crash_on
        self.after_write = after_write
        self.crash = crash

    def tables(self) -> list[str]:
        return self.inner.tables()

    def describe(self, table: str) -> TableSchema:
        return self.inner.describe(table)

    def read(self, table: str, **kwargs: Any) -> pd.DataFrame:
        return self.inner.read(table, **kwargs)

    def write(self, table: str, frame: pd.DataFrame, **kwargs: Any) -> WriteResult:
        self.writes.append((kwargs["operation"], frame.copy()))
        number = len(self.writes)
        if number == self.crash_on and not self.after_write:
            raise self.crash()
        result = self.inner.write(table, frame, **kwargs)
        if number == self.crash_on:
            raise self.crash()
        return result

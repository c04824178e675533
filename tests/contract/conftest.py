"""System factories for the contract suite: every adapter of the System port must pass it.

Each factory takes a fresh temporary folder and returns a :class:`SystemCase`: a system ready
to write to, one of its tables, the field that keys rows, and makers of valid and invalid rows.

Salesforce and Dialog Insight run against the sandboxes. Adding an adapter:

1. write a factory ``def salesforce_case(tmp_path: Path, request: pytest.FixtureRequest)``
   that takes the ``sandbox`` fixture with ``request.getfixturevalue("sandbox")``, resets the
   sandbox's state (``POST /__sandbox__/reset``) so each test starts from the empty seed,
   connects the adapter with the sandbox's settings, and returns
   ``SystemCase("salesforce", system, table="Contact", key="DI_Contact_Id__c",
   delete_key="Id", text_field="LastName", make_rows=..., make_invalid_row=...)``;
   an invalid row should fail on the server alone (``LastName`` missing on Contact);
2. append it to :data:`SYSTEM_FACTORIES`. Every test in ``tests/contract`` then runs for it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from ditoolkit.port import FieldSchema, FieldType, System, TableSchema
from ditoolkit.sandbox.admin import SandboxAdmin
from ditoolkit.systems.csvfile import CsvSystem
from ditoolkit.systems.memory import MemorySystem


@dataclass
class SystemCase:
    """One adapter under the contract.

    Attributes:
        name: the adapter's name (test ids).
        system: the system, with an empty (or known) table to write to.
        table: the table the tests write to.
        key: the field that keys rows for upsert (an external id).
        make_rows: ``n -> frame`` of ``n`` valid rows with keys never used before.
        make_invalid_row: ``() -> frame`` of one row the system must refuse on insert alone.
        text_field: a text field the tests change to prove updates.
        delete_key: the field delete matches on (``Id`` on Salesforce), default ``key``.
    """

    name: str
    system: System
    table: str
    key: str
    make_rows: Callable[[int], pd.DataFrame]
    make_invalid_row: Callable[[], pd.DataFrame]
    text_field: str
    delete_key: str | None = None


def _row_maker(key: str, text: str) -> Callable[[int], pd.DataFrame]:
    batches = itertools.count()

    def make_rows(n: int) -> pd.DataFrame:
        batch = next(batches)
        return pd.DataFrame(
            {
                key: [f"K{batch}-{i}" for i in range(n)],
                text: [f"Name {batch}-{i}" for i in range(n)],
                "Score": [i * 10 for i in range(n)],
                "Active": [i % 2 == 0 for i in range(n)],
                "Birthdate": [f"199{i % 10}-0{1 + i % 9}-1{i % 10}" for i in range(n)],
            }
        )

    return make_rows


def _fields(key: str) -> tuple[FieldSchema, ...]:
    return (
        FieldSchema(key, FieldType.STRING, length=20, external_id=True, unique=True),
        FieldSchema("LastName", FieldType.STRING, length=80, required=True),
        FieldSchema("Score", FieldType.INTEGER),
        FieldSchema("Active", FieldType.BOOLEAN),
        FieldSchema("Birthdate", FieldType.DATE),
    )


def memory_case(tmp_path: Path, request: pytest.FixtureRequest) -> SystemCase:
    """The memory system, with a Salesforce-like generated ``Id``."""
    id_field = FieldSchema("Id", FieldType.ID, key=True, createable=False, updateable=False)
    schema = TableSchema("memory", "Contact", (id_field, *_fields("ExternalId")), key="Id")
    return SystemCase(
        "memory",
        MemorySystem({"Contact": (schema, None)}),
        table="Contact",
        key="ExternalId",
        delete_key="Id",
        text_field="LastName",
        make_rows=_row_maker("ExternalId", "LastName"),
        make_invalid_row=lambda: pd.DataFrame({"ExternalId": ["BAD-1"], "LastName": [None]}),
    )


def csv_case(tmp_path: Path, request: pytest.FixtureRequest) -> SystemCase:
    """A CSV file typed by a schema, in a fresh folder."""
    schema = TableSchema("csv", "contacts.csv", _fields("Ref"), key="Ref")
    return SystemCase(
        "csv",
        CsvSystem(tmp_path, schemas={"contacts.csv": schema}),
        table="contacts.csv",
        key="Ref",
        text_field="LastName",
        make_rows=_row_maker("Ref", "LastName"),
        make_invalid_row=lambda: pd.DataFrame({"Ref": ["BAD-1"], "LastName": ["x" * 81]}),
    )


def _people(key: str, *, prefix: str, email_key: bool) -> Callable[[int], pd.DataFrame]:
    batches = itertools.count()

    def make_rows(n: int) -> pd.DataFrame:
        batch = next(batches)
        keys = [
            f"{prefix}{batch}-{i}@example.com" if email_key else f"{prefix}{batch}-{i}"
            for i in range(n)
        ]
        return pd.DataFrame({key: keys, "LastName": [f"Name {batch}-{i}" for i in range(n)]})

    return make_rows


def salesforce_case(tmp_path: Path, request: pytest.FixtureRequest) -> SystemCase:
    """Salesforce ``Contact`` in the sandbox, through simple-salesforce over HTTPS."""
    from tests.systems_salesforce.conftest import connect

    info = request.getfixturevalue("sandbox").salesforce
    SandboxAdmin.of(info).reset()
    system = connect(info)
    make = _people("DI_Contact_Id__c", prefix="C", email_key=False)

    def rows(n: int) -> pd.DataFrame:
        frame = make(n)
        frame["Birthdate"] = [f"199{i % 10}-0{1 + i % 9}-1{i % 10}" for i in range(n)]
        frame["HasOptedOutOfEmail"] = [i % 2 == 0 for i in range(n)]
        return frame

    return SystemCase(
        "salesforce",
        system,
        table="Contact",
        key="DI_Contact_Id__c",
        delete_key="Id",
        text_field="LastName",
        make_rows=rows,
        make_invalid_row=lambda: pd.DataFrame({"DI_Contact_Id__c": ["BAD-1"], "LastName": [None]}),
    )


def dialoginsight_case(tmp_path: Path, request: pytest.FixtureRequest) -> SystemCase:
    """Dialog Insight project 1002's contacts in the sandbox, over the OFC4 JSON API."""
    from ditoolkit.systems.dialoginsight import DialogInsightSystem

    info = request.getfixturevalue("sandbox").dialoginsight
    SandboxAdmin.of(info).reset()
    system = DialogInsightSystem.from_settings(info, default_project=1002)
    make = _people("f_EMail", prefix="p", email_key=True)

    def rows(n: int) -> pd.DataFrame:
        return make(n).rename(columns={"LastName": "f_LastName"})

    return SystemCase(
        "dialoginsight",
        system,
        table="Contact",
        key="f_EMail",
        text_field="f_LastName",
        make_rows=rows,
        make_invalid_row=lambda: pd.DataFrame(
            {"f_EMail": ["bad@example.com"], "f_LastName": ["x" * 101]}
        ),
    )


#: Every adapter the contract suite runs against.
SYSTEM_FACTORIES: list[Callable[[Path, pytest.FixtureRequest], SystemCase]] = [
    memory_case,
    csv_case,
    salesforce_case,
    dialoginsight_case,
]


@pytest.fixture(params=SYSTEM_FACTORIES, ids=lambda f: f.__name__.removesuffix("_case"))
def case(request: pytest.FixtureRequest, tmp_path: Path) -> SystemCase:
    """Each registered adapter in turn, fresh for every test."""
    factory: Callable[[Path, pytest.FixtureRequest], SystemCase] = request.param
    return factory(tmp_path, request)

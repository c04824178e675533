"""A small two-system world in memory: a transfer previewed without any HTTP."""

from __future__ import annotations

import io

import pandas as pd

from ditoolkit.core.mapping import Mapping
from ditoolkit.core.pipeline import Endpoint, preview_transfer
from ditoolkit.core.preview import Preview
from ditoolkit.port import FieldSchema, FieldType, TableSchema
from ditoolkit.systems.memory import MemorySystem

T = FieldType
SF_SCHEMA = TableSchema(
    "salesforce",
    "Contact",
    (
        FieldSchema("Id", T.ID, key=True, createable=False, updateable=False),
        FieldSchema("Email", T.EMAIL, length=80),
        FieldSchema("LastName", T.STRING, length=80, required=True),
        FieldSchema("Phone", T.PHONE, length=40),
    ),
    key="Id",
)
DI_SCHEMA = TableSchema(
    "dialoginsight",
    "Contact",
    (
        FieldSchema("f_SalesforceId", T.STRING, length=18, key=True, unique=True),
        FieldSchema("f_EMail", T.EMAIL, length=255),
        FieldSchema("f_LastName", T.STRING, length=100),
        FieldSchema("f_Phone", T.PHONE, length=50),
    ),
    key="f_SalesforceId",
)
SOURCE = """Email,LastName,Phone
a@example.com,Alpha,514-555-0101
b.new@example.com,Bravo,514-555-0102
c@example.com,Charlie-New,514-555-0103
d@example.com,Delta,
not-an-email,Echo,514-555-0105
f@example.com,Foxtrot,514-555-0106
"""
MAPPING = """
version: 1
project: 1001
transfers:
  - name: contacts_to_di
    direction: sf_to_di
    salesforce: {object: Contact}
    dialoginsight: {table: Contact}
    key: {salesforce: Id, dialoginsight: f_SalesforceId}
    fields:
      - {salesforce: Email, dialoginsight: f_EMail}
      - {salesforce: LastName, dialoginsight: f_LastName}
      - {salesforce: Phone, dialoginsight: f_Phone}
    operations: [insert, update]
"""


def build_world() -> tuple[MemorySystem, MemorySystem, Preview]:
    """Salesforce holds six contacts; DI holds the first four, some with older values."""
    sf = MemorySystem({"Contact": (SF_SCHEMA, None)})
    source = pd.read_csv(io.StringIO(SOURCE), dtype="string")
    ids = sf.write("Contact", source, operation="insert").frame["id"].tolist()
    target = pd.DataFrame(
        {
            "f_SalesforceId": ids[:4],
            "f_EMail": ["a@example.com", "b.old@example.com", "c@example.com", "d@example.com"],
            "f_LastName": ["Alpha", "Bravo", "Charlie", "Delta"],
            "f_Phone": ["514-555-0101", "514-555-0102", "514-555-0103", None],
        }
    )
    di = MemorySystem({"Contact": (DI_SCHEMA, target)})
    transfer = Mapping.from_yaml(MAPPING).transfer("contacts_to_di")
    preview = preview_transfer(
        transfer,
        endpoints={
            "salesforce": Endpoint(sf, "Contact", label="Salesforce Contact"),
            "dialoginsight": Endpoint(di, "Contact", label="DI Contact"),
        },
        project_type="A",
    )
    return sf, di, preview

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from mapping_world import default_catalog, di_schemas, salesforce_schemas

from ditoolkit.core.compatibility import (
    SchemaCatalog,
    findings_frame,
    type_compatibility,
    validate_mapping,
    validate_transfer,
)
from ditoolkit.core.compatibility_rules import length_finding
from ditoolkit.core.mapping import Mapping, Transfer
from ditoolkit.port import FieldSchema, FieldType, TableSchema

REPO = Path(__file__).resolve().parents[2]
T = FieldType

TO_LEADS = """\
version: 1
project: 1002
transfers:
  - name: to_leads
    direction: {direction}
    salesforce: {{object: Lead}}
    dialoginsight: {{table: Contact}}
    key: {key}
    fields:
      - {{dialoginsight: f_LastName, salesforce: LastName}}
{company}{fields}    operations: {operations}
"""
COMPANY = '      - {salesforce: Company, value: "[not provided]"}\n'
LAST_NAME_WARNING = ("warning", "LastName", "length_overflow")


def leads(
    *,
    fields: str = "",
    key: str = "{dialoginsight: idContact, salesforce: DI_Contact_Id__c}",
    direction: str = "di_to_sf",
    operations: str = "[insert, update]",
    optins: str = "",
    company: str = COMPANY,
) -> Transfer:
    text = TO_LEADS.format(
        direction=direction, key=key, fields=fields, operations=operations, company=company
    )
    if optins:
        text += f"    optins:\n      - {optins}\n"
    return Mapping.from_yaml(text).transfers[0]


def field_line(pair: str) -> str:
    return f"      - {pair}\n"


def check(
    transfer: Transfer, *, project: int = 1002, project_type: str = "B"
) -> set[tuple[str, str | None, str]]:
    found = validate_transfer(
        transfer,
        salesforce=salesforce_schemas()["Lead"],
        dialoginsight=di_schemas()[(project, "Contact")],
        project_type=project_type,
    )
    return {(f.severity, f.field, f.code) for f in found}


def test_a_clean_transfer_has_only_the_length_warning() -> None:
    assert check(leads()) == {LAST_NAME_WARNING}


def test_demo_mapping_validates_without_errors_against_the_default_world() -> None:
    mapping = Mapping.load(REPO / "mappings" / "demo.yml", project_dir=REPO)
    findings = validate_mapping(mapping, default_catalog())
    assert [str(f) for f in findings if f.blocking] == []
    frame = findings_frame(findings)
    assert set(frame["severity"]) == {"warning"}
    assert ("tradeshow_csv_to_di", "length_overflow") in set(
        zip(frame["transfer"], frame["code"], strict=True)
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("{dialoginsight: f_Emial, salesforce: Email}", ("error", "f_Emial", "unknown_field")),
        ("{dialoginsight: f_EMail, salesforce: Emial}", ("error", "Emial", "unknown_field")),
        ("{dialoginsight: f_email, salesforce: Email}", ("error", "f_email", "field_case")),
        ("{dialoginsight: f_Company, salesforce: Name}", ("error", "Name", "not_writable")),
        (
            "{dialoginsight: f_FirstName, salesforce: FirstName}",
            ("warning", "FirstName", "length_overflow"),
        ),
        ("{dialoginsight: f_EMail, salesforce: Phone}", ("error", "Phone", "type_mismatch")),
        (
            "{dialoginsight: f_FirstName, salesforce: DI_Optin_Newsletter__c}",
            ("warning", "DI_Optin_Newsletter__c", "type_conversion"),
        ),
        (
            "{dialoginsight: f_FirstName, salesforce: Status}",
            ("warning", "Status", "picklist_values"),
        ),
        ("{salesforce: Status, value: Maybe}", ("error", "Status", "bad_constant")),
        (
            "{salesforce: DI_Optin_Newsletter__c, value: 'yes'}",
            ("error", "DI_Optin_Newsletter__c", "bad_constant"),
        ),
        (
            "{dialoginsight: optin_Newsletter, salesforce: HasOptedOutOfEmail}",
            ("warning", "HasOptedOutOfEmail", "optin_as_field"),
        ),
    ],
)
def test_field_rules(fields: str, expected: tuple[str, str, str]) -> None:
    assert expected in check(leads(fields=field_line(fields)))


def test_unknown_field_suggests_the_close_name() -> None:
    transfer = leads(fields=field_line("{dialoginsight: f_Emial, salesforce: Email}"))
    found = validate_transfer(
        transfer, salesforce=None, dialoginsight=di_schemas()[(1002, "Contact")]
    )
    assert [f.hint for f in found] == ["did you mean 'f_EMail'?"]
    assert found[0].line == 12


def test_key_into_salesforce_must_be_external_id_or_id() -> None:
    assert ("error", "Email", "key_not_external_id") in check(
        leads(key="{dialoginsight: f_EMail, salesforce: Email}")
    )
    assert not {c for *_, c in check(leads(key="{dialoginsight: f_Company, salesforce: Id}"))} & {
        "key_not_external_id",
        "not_writable",
    }


def test_key_into_di_must_be_the_primary_key_or_idcontact() -> None:
    wrong = leads(
        direction="sf_to_di", key="{salesforce: Email, dialoginsight: f_Phone}", company=""
    )
    assert ("error", "f_Phone", "key_not_primary") in check(wrong)
    for di_key in ("f_EMail", "idContact"):
        right = leads(
            direction="sf_to_di", key=f"{{salesforce: Email, dialoginsight: {di_key}}}", company=""
        )
        assert "key_not_primary" not in {c for *_, c in check(right)}


def test_source_key_that_is_not_unique_is_a_warning() -> None:
    found = check(leads(key="{dialoginsight: f_Company, salesforce: DI_Contact_Id__c}"))
    assert ("warning", "f_Company", "key_not_unique") in found


def test_required_fields_left_unmapped_on_insert_only() -> None:
    assert ("error", "Company", "required_unmapped") in check(leads(company=""))
    updating = leads(company="", operations="[update]")
    assert "required_unmapped" not in {c for *_, c in check(updating)}


def test_non_createable_field_is_a_warning_when_update_still_writes_it() -> None:
    schema = salesforce_schemas()["Lead"]
    fields = tuple(
        FieldSchema("Company", T.STRING, length=255, createable=False) if x.name == "Company" else x
        for x in schema.fields
    )
    lead = TableSchema(schema.system, schema.name, fields, key="Id")
    pair = field_line("{dialoginsight: f_Company, salesforce: Company}")
    both_ops = leads(company=pair)
    found = validate_transfer(both_ops, salesforce=lead, dialoginsight=None)
    assert [(x.severity, x.code) for x in found] == [("warning", "not_writable")]
    insert_only = leads(company=pair, operations="[insert]")
    found = validate_transfer(insert_only, salesforce=lead, dialoginsight=None)
    assert [(x.severity, x.code) for x in found] == [("error", "not_writable")]


def test_optins_must_come_from_di_optins_into_booleans() -> None:
    good = leads(optins="{dialoginsight: optin_Newsletter, salesforce: DI_Optin_Newsletter__c}")
    assert check(good) == {LAST_NAME_WARNING}
    not_optin = leads(optins="{dialoginsight: f_FirstName, salesforce: DI_Optin_Newsletter__c}")
    assert ("error", "f_FirstName", "not_an_optin") in check(not_optin)
    not_boolean = leads(optins="{dialoginsight: optin_Newsletter, salesforce: FirstName}")
    assert ("error", "FirstName", "optin_target_type") in check(not_boolean)


def test_fields_writing_di_optins_from_salesforce_are_refused() -> None:
    transfer = Mapping.from_yaml(
        """\
version: 1
project: 1001
transfers:
  - name: back
    direction: sf_to_di
    salesforce: {object: Contact}
    dialoginsight: {table: Contact}
    key: {salesforce: Id, dialoginsight: f_SalesforceId}
    fields:
      - {salesforce: DI_Optin_Newsletter__c, dialoginsight: optin_Newsletter}
"""
    ).transfers[0]
    found = validate_transfer(
        transfer,
        salesforce=salesforce_schemas()["Contact"],
        dialoginsight=di_schemas()[(1001, "Contact")],
    )
    assert [(f.code, f.field, f.line) for f in found] == [
        ("optin_direction", "optin_Newsletter", 10)
    ]


def test_type_a_project_never_creates_salesforce_records() -> None:
    found = check(leads(), project_type="A")
    assert ("error", None, "type_a_insert") in found
    assert "type_a_insert" not in {
        c for *_, c in check(leads(operations="[update]"), project_type="A")
    }
    both = leads(
        direction="both", fields=field_line("{dialoginsight: f_FirstName, salesforce: FirstName}")
    )
    assert ("error", None, "type_a_insert") in check(both, project_type="A")


def test_unknown_object_table_project_and_fed_twice() -> None:
    mapping = Mapping.load(REPO / "mappings" / "demo.yml", project_dir=REPO)
    catalog = default_catalog()
    broken = SchemaCatalog(
        salesforce={"Leads": catalog.salesforce["Lead"], "Contact": catalog.salesforce["Contact"]},
        dialoginsight={(1001, "Contacts"): catalog.dialoginsight[(1001, "Contact")]},
        csv=catalog.csv,
        project_types={1001: "A"},
    )
    found = {(f.transfer, f.code, f.hint) for f in validate_mapping(mapping, broken)}
    assert ("acquisition_to_leads", "unknown_object", "did you mean 'Leads'?") in found
    assert ("contacts_to_di", "unknown_table", "did you mean 'Contacts'?") in found
    assert any(code == "unknown_project" for t, code, _ in found if t == "tradeshow_csv_to_di")
    again = dataclasses.replace(mapping.transfers[1], name="again")
    twice = Mapping(1, 1001, (mapping.transfers[1], again))
    codes = [
        (f.transfer, f.code) for f in validate_mapping(twice, catalog) if f.code == "fed_twice"
    ]
    assert codes == [("contacts_to_di", "fed_twice"), ("again", "fed_twice")]


def f(name: str, kind: FieldType, **kw: object) -> FieldSchema:
    return FieldSchema(name, kind, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "target", "codes"),
    [
        (f("Email", T.EMAIL, length=80), f("f_EMail", T.EMAIL, length=255), []),
        (f("Email", T.EMAIL, length=80), f("f_Note", T.STRING, length=100), []),
        (f("Title", T.STRING, length=80), f("f_EMail", T.EMAIL), ["type_conversion"]),
        (f("Notes", T.TEXT), f("f_Notes", T.TEXT), []),
        (
            f("Source", T.PICKLIST, picklist_values=("Web", "Other")),
            f("f_Source", T.STRING, length=100),
            ["type_conversion"],
        ),
        (f("OptOut", T.BOOLEAN), f("optin_News", T.BOOLEAN, optin=True), []),
        (f("Count", T.INTEGER), f("f_Count", T.DECIMAL), []),
        (f("Amount", T.DECIMAL), f("f_Count", T.INTEGER), ["type_conversion"]),
        (
            f("Amount", T.DECIMAL, precision=18, scale=4),
            f("amount", T.DECIMAL, precision=10, scale=2),
            ["precision", "precision"],
        ),
        (f("Birthdate", T.DATE), f("f_Birth", T.DATE), []),
        (f("Seen", T.DATETIME), f("f_Seen", T.DATE), ["type_conversion"]),
        (f("Seen", T.DATE), f("f_Seen", T.DATETIME), []),
        (f("Id", T.ID), f("f_SalesforceId", T.STRING, length=18), []),
        (f("AccountId", T.REFERENCE), f("f_Account", T.STRING, length=15), ["id_too_short"]),
        (f("Phone", T.PHONE), f("f_Phone", T.PHONE), []),
        (f("Phone", T.PHONE), f("f_Phone", T.STRING, length=100), []),
        (f("Birthdate", T.DATE), f("f_Flag", T.BOOLEAN), ["type_mismatch"]),
        (f("Active", T.BOOLEAN), f("f_Birth", T.DATE), ["type_mismatch"]),
        (f("Email", T.EMAIL), f("f_Phone", T.PHONE), ["type_mismatch"]),
    ],
)
def test_type_matrix(source: FieldSchema, target: FieldSchema, codes: list[str]) -> None:
    assert [code for _, code, _, _ in type_compatibility(source, target)] == codes


def test_picklist_to_text_lists_its_values() -> None:
    source = f("LeadSource", T.PICKLIST, picklist_values=("Web", "Other"))
    [(severity, _, message, _)] = type_compatibility(source, f("f_Source", T.STRING, length=100))
    assert severity == "warning" and "values: Web, Other" in message


def test_type_mismatch_says_what_fits() -> None:
    [(severity, _, message, hint)] = type_compatibility(f("B", T.BOOLEAN), f("d", T.DATE))
    assert severity == "error" and "B (boolean) → d (date)" in message
    assert hint == "map B to a field of type date, or map d from another field"


@pytest.mark.parametrize(
    ("source", "target", "warned"),
    [
        (f("Company", T.STRING, length=255), f("f_Company", T.STRING, length=100), True),
        (f("FirstName", T.STRING, length=40), f("f_FirstName", T.STRING, length=100), False),
        (f("Notes", T.TEXT), f("f_Notes", T.STRING, length=100), True),
        (f("S", T.PICKLIST, picklist_values=("Short",)), f("t", T.STRING, length=5), False),
        (f("S", T.PICKLIST, picklist_values=("Longer",)), f("t", T.STRING, length=5), True),
        (f("N", T.INTEGER), f("t", T.STRING, length=5), False),
    ],
)
def test_lengths_that_can_overflow(source: FieldSchema, target: FieldSchema, warned: bool) -> None:
    found = length_finding(source, target)
    assert bool(found) is warned
    if warned:
        assert f"values longer than {target.length} will be held back" in found[0][2]


def test_date_format_makes_text_a_date() -> None:
    transfer = Mapping.from_yaml(
        """\
version: 1
project: 1001
transfers:
  - name: t
    direction: sf_to_di
    salesforce: {object: Contact}
    dialoginsight: {table: Contact}
    key: {salesforce: Id, dialoginsight: f_SalesforceId}
    fields:
      - {salesforce: FirstName, dialoginsight: f_dateNaissance, format: "%d/%m/%Y"}
      - {salesforce: LastName, dialoginsight: f_EMail}
"""
    ).transfers[0]
    found = validate_transfer(
        transfer,
        salesforce=salesforce_schemas()["Contact"],
        dialoginsight=di_schemas()[(1001, "Contact")],
    )
    assert [(x.field, x.code) for x in found] == [("f_EMail", "type_conversion")]

"""The mapping editor on the demo mapping, against the demo sandbox's live schemas."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from ditoolkit.core.compatibility_rules import length_finding, type_compatibility
from ditoolkit.core.mapping import Mapping
from ditoolkit.port import FieldType
from ditoolkit.ui.mapping_editor import NEW_TRANSFER, MappingEditor
from ditoolkit.ui.schemas import LiveSchemas
from ditoolkit.ui.survey import ConnectionCheck
from tests.ui.conftest import DEMO_MAPPING, widget_texts


@pytest.fixture(scope="module")
def schemas(demo_connections: ConnectionCheck) -> LiveSchemas:
    return demo_connections.schemas()


@pytest.fixture
def editor(schemas: LiveSchemas, tmp_path: Path) -> MappingEditor:
    return MappingEditor(schemas, Mapping.load(DEMO_MAPPING), path=tmp_path / "edited.yml")


def _contains(widget: object, part: object) -> bool:
    if widget is part:
        return True
    return any(_contains(c, part) for c in getattr(widget, "children", ()) or ())


def test_rows_start_with_the_key_pair(editor: MappingEditor):
    editor.select("contacts_to_di")
    transfer = Mapping.load(DEMO_MAPPING).transfer("contacts_to_di")
    rows = editor.form.rows
    assert rows[0] is editor.form.key_row
    assert rows[0].names == {
        "salesforce": transfer.key.salesforce,
        "dialoginsight": "f_SalesforceId",
    }
    expected = [(p.salesforce, p.dialoginsight) for p in transfer.fields if not p.constant]
    assert [(r.names["salesforce"], r.names["dialoginsight"]) for r in rows[1:]] == expected


def test_badges_follow_the_type_rules(editor: MappingEditor, schemas: LiveSchemas):
    editor.select("contacts_to_di")
    sf = schemas.salesforce("Contact")
    di = schemas.dialoginsight(1001, "Contact")
    assert sf is not None and di is not None
    checked = 0
    for row in editor.form.field_rows:
        source, target = row.names["salesforce"], row.names["dialoginsight"]
        if row.original.transform or "." in (source or ""):
            continue
        src, tgt = sf.field(source or ""), di.field(target or "")
        rules = [*type_compatibility(src, tgt), *length_finding(src, tgt)]
        worst = "blocking" if any(r[0] == "error" for r in rules) else None
        worst = worst or ("warning" if rules else "ok")
        assert row.level == worst, (source, target, rules)
        checked += 1
    assert checked >= 3


def test_an_incompatible_pair_is_blocking_with_a_hint(editor: MappingEditor, schemas: LiveSchemas):
    editor.select("contacts_to_di")
    sf = schemas.salesforce("Contact")
    assert sf is not None
    boolean = next(f.name for f in sf.fields if f.type is FieldType.BOOLEAN and f.createable)
    row = editor.form.field_rows[0]
    row.left.value = boolean
    row.right.value = "f_EMail"
    assert row.level == "blocking"
    assert "blocking" in row.badge.value
    assert row.findings[0].code == "type_mismatch"
    assert row.findings[0].hint in html.unescape(row.hint.value)
    assert "1 blocking" in editor.status.value
    assert row.original.transform  # the pair's own transforms go with its old fields
    assert editor.form.transfer().fields[0].transform == ()


def test_the_length_warning_of_account_name(editor: MappingEditor):
    editor.select("contacts_to_di")
    row = next(r for r in editor.form.field_rows if r.names["dialoginsight"] == "f_Company")
    assert row.level == "warning"
    assert any(f.code == "length_overflow" for f in row.findings)


def test_optins_only_for_di_to_salesforce(editor: MappingEditor, schemas: LiveSchemas):
    editor.select("acquisition_to_leads")
    form = editor.form
    assert _contains(form.widget, form.add_optin_button)
    assert len(form.optin_rows) == 1
    lead = schemas.salesforce("Lead")
    contacts = schemas.dialoginsight(1002, "Contact")
    assert lead is not None and contacts is not None
    row = form.optin_rows[0]
    booleans = {f.name for f in lead.fields if f.type is FieldType.BOOLEAN}
    optins = {f.name for f in contacts.fields if f.optin}
    assert set(row.left.options) - {""} == booleans
    assert set(row.right.options) - {""} == optins
    assert row.level == "ok"

    form.direction.value = "sf_to_di"
    assert not _contains(form.widget, form.add_optin_button)
    assert form.transfer().optins == ()
    form.direction.value = "di_to_sf"
    assert form.transfer().optins == editor.mapping.transfer("acquisition_to_leads").optins


def test_type_a_project_never_creates_salesforce_records(editor: MappingEditor):
    editor.select("contacts_to_di")
    editor.form.direction.value = "di_to_sf"
    assert "type A projects update Salesforce records" in html.unescape(editor.form.form_hint.value)
    editor.form.operation_boxes["insert"].value = False
    assert not any(f.code == "type_a_insert" for f in editor.findings)


def test_a_new_transfer_has_delete_off(editor: MappingEditor):
    editor.transfer_picker.value = NEW_TRANSFER
    boxes = editor.form.operation_boxes
    assert (boxes["insert"].value, boxes["update"].value, boxes["delete"].value) == (
        True,
        True,
        False,
    )
    assert editor.form.key_row.names == {"salesforce": None, "dialoginsight": None}
    assert editor.form.key_row.level == "warning"
    assert any(f.transfer == editor.form.original.name for f in editor.findings)


def test_save_writes_what_loads_back(editor: MappingEditor, tmp_path: Path):
    unchanged = editor.save()
    assert unchanged is not None
    assert Mapping.load(unchanged) == Mapping.load(DEMO_MAPPING)

    editor.select("contacts_to_di")
    phone = next(r for r in editor.form.field_rows if r.names["dialoginsight"] == "f_Phone")
    editor.form.remove_row(phone)
    row = editor.form.add_field()
    row.left.value = "LeadSource"
    row.right.value = "f_Phone"
    editor.form.operation_boxes["delete"].value = True
    target = editor.save(tmp_path / "changed.yml")
    assert target is not None and "saved" in editor.status.value
    saved = Mapping.load(target).transfer("contacts_to_di")
    pairs = [(p.salesforce, p.dialoginsight) for p in saved.fields]
    assert ("LeadSource", "f_Phone") in pairs and ("Phone", "f_Phone") not in pairs
    assert "delete" in saved.operations
    assert saved.key == Mapping.load(DEMO_MAPPING).transfer("contacts_to_di").key


def test_renaming_keeps_the_picker_in_step(editor: MappingEditor):
    editor.select("contacts_to_di")
    editor.form.name_text.value = "contacts_renamed"
    mapping = editor.commit()
    assert "contacts_renamed" in mapping.names and "contacts_to_di" not in mapping.names
    assert editor.transfer_picker.value == "contacts_renamed"
    editor.select("acquisition_to_leads")
    assert editor.form.original.name == "acquisition_to_leads"


def test_csv_transfer_offers_the_file_columns(editor: MappingEditor):
    editor.select("tradeshow_csv_to_di")
    key = editor.form.key_row
    assert key.names == {"csv": "Courriel", "dialoginsight": "f_EMail"}
    assert "Prénom" in key.left.options
    assert "data/tradeshow.csv" in "\n".join(widget_texts(editor.form.widget))

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from ditoolkit.core.mapping import Mapping, MappingFileError
from ditoolkit.errors import MappingError

REPO = Path(__file__).resolve().parents[2]

BASE = """\
version: 1
project: 1001
transfers:
  - name: contacts_to_di
    direction: sf_to_di
    salesforce: {object: Contact, where: "Email != null"}
    dialoginsight: {table: Contact}
    key: {salesforce: Id, dialoginsight: f_SalesforceId}
    fields:
      - {salesforce: Email, dialoginsight: f_EMail, transform: lower}
      - {salesforce: LastName, dialoginsight: f_LastName}
"""


def load(text: str, **kwargs: object) -> Mapping:
    return Mapping.from_yaml(textwrap.dedent(text), source="m.yml", **kwargs)  # type: ignore[arg-type]


def problems(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(MappingFileError) as caught:
        load(text)
    return [(f.line, f.field, f.code) for f in caught.value.findings]


def test_architecture_example_loads_with_defaults() -> None:
    mapping = load(BASE)
    transfer = mapping.transfer("contacts_to_di")
    assert transfer.project == 1001
    assert transfer.operations == frozenset({"insert", "update"})
    assert transfer.nulls == "leave"
    assert transfer.source_side() == "salesforce"
    assert transfer.target_side() == "dialoginsight"
    routes = transfer.pairs_for()
    assert [(r.source, r.target, r.role) for r in routes] == [
        ("Id", "f_SalesforceId", "key"),
        ("Email", "f_EMail", "field"),
        ("LastName", "f_LastName", "field"),
    ]
    assert routes[1].transforms == ("lower",)


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        # unknown key, with a suggestion, on its own line
        (
            "{salesforce: Email,",
            "{salesforc: Email,",
            (10, "transfers[0].fields[0].salesforc", "unknown_key"),
        ),
        ("direction: sf_to_di", "direction: sideways", (5, "transfers[0].direction", "bad_value")),
        (
            "transform: lower",
            "transform: lowr",
            (10, "transfers[0].fields[0].transform", "unknown_transform"),
        ),
        (
            "key: {salesforce: Id, dialoginsight: f_SalesforceId}",
            "key: {salesforce: Id}",
            (8, "transfers[0].key", "missing_side"),
        ),
        (
            "    key: {salesforce: Id, dialoginsight: f_SalesforceId}\n",
            "",
            (4, "transfers[0].key", "missing_key"),
        ),
        ("version: 1", "version: 2", (1, "version", "bad_version")),
        ("project: 1001", "project: Communications", (2, "project", "wrong_type")),
        ("fields:", "fields: nope\n    extra:", (9, "transfers[0].fields", "wrong_type")),
        (
            "{salesforce: LastName, dialoginsight: f_LastName}",
            "{salesforce: LastName, value: x}",
            (11, "transfers[0].fields[1].salesforce", "constant_on_source"),
        ),
        (
            "{salesforce: LastName, dialoginsight: f_LastName}",
            "{salesforce: LastName, csv: Nom}",
            (11, "transfers[0].fields[1].csv", "no_such_side"),
        ),
        (
            "{salesforce: LastName, dialoginsight: f_LastName}",
            "{salesforce: LastName, dialoginsight: f_EMail}",
            (4, "transfers[0]", "duplicate_target"),
        ),
    ],
)
def test_each_shape_problem_names_its_line_and_key_path(
    replace: str, by: str, expected: tuple[int, str, str]
) -> None:
    assert replace in BASE
    found = problems(BASE.replace(replace, by, 1))
    assert expected in found, found


def test_unknown_key_suggests_the_close_name() -> None:
    with pytest.raises(MappingFileError, match=r"line 10.*did you mean 'salesforce'\?"):
        load(BASE.replace("{salesforce: Email,", "{salesforc: Email,"))


def test_every_problem_is_reported_at_once() -> None:
    text = BASE.replace("direction: sf_to_di", "direction: x").replace("lower", "lowr")
    codes = {code for _, _, code in problems(text)}
    assert {"bad_value", "unknown_transform"} <= codes


def test_duplicate_transfer_names_and_duplicate_keys() -> None:
    second = BASE.split("transfers:\n", 1)[1]
    assert (12, "transfers[1].name", "duplicate_name") in problems(BASE + second)
    assert (3, "project", "duplicate_key") in problems(
        BASE.replace("transfers:", "project: 1002\ntransfers:")
    )


def test_optins_only_on_di_to_sf() -> None:
    text = (
        BASE
        + "    optins:\n      - {dialoginsight: optin_Newsletter, salesforce: DI_Optin_Newsletter__c}\n"
    )
    assert (12, "transfers[0].optins", "optin_direction") in problems(text)


def test_delete_is_allowed_but_warned() -> None:
    mapping = load(BASE + "    operations: [insert, update, delete]\n")
    assert "delete" in mapping.transfers[0].operations
    assert [(w.line, w.code, w.severity) for w in mapping.warnings] == [
        (12, "delete_allowed", "warning")
    ]


@pytest.mark.parametrize(
    "yaml_text",
    [
        "a: &x [1, 2]\nb: *x\n",
        'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n',
        "base: &base {direction: sf_to_di}\nt: {<<: *base}\n",
    ],
)
def test_anchors_and_aliases_are_refused(yaml_text: str) -> None:
    with pytest.raises(MappingFileError, match="anchors and aliases are not allowed") as caught:
        load(yaml_text)
    assert caught.value.findings[0].line == 1


def test_unsafe_tags_and_bad_yaml_are_refused() -> None:
    with pytest.raises(MappingFileError, match=r"line 1: not valid YAML: the tag .*python"):
        load("version: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(MappingFileError, match=r"line 3: not valid YAML"):
        load("version: 1\nproject: 1001\n  transfers: []\n")


CSV_TRANSFER = """\
version: 1
transfers:
  - name: file_to_leads
    direction: {direction}
    csv: {{path: {path}}}
    {other}: {{{block}}}
    key: {{csv: ExternalId, salesforce: DI_Contact_Id__c}}
"""


def csv_text(direction: str, other: str, path: str = "data/x.csv") -> str:
    block = "object: Lead" if other == "salesforce" else "table: Contact, project: 1002"
    return CSV_TRANSFER.format(direction=direction, other=other, path=path, block=block)


def test_csv_side_replaces_the_source_and_resolves_beside_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.yml"
    path.write_text(csv_text("di_to_sf", "salesforce"), encoding="utf-8")
    transfer = Mapping.load(path, project_dir=tmp_path).transfers[0]
    assert transfer.source_side() == "csv" and transfer.target_side() == "salesforce"
    assert transfer.csv is not None and transfer.csv.resolved == tmp_path / "data" / "x.csv"
    assert transfer.pairs_for()[0].source == "ExternalId"


@pytest.mark.parametrize(
    ("direction", "other", "code"),
    [("sf_to_di", "salesforce", "csv_pairing"), ("both", "salesforce", "csv_pairing")],
)
def test_csv_side_paired_wrongly(direction: str, other: str, code: str) -> None:
    assert (5, "transfers[0].csv", code) in problems(csv_text(direction, other))


def test_csv_path_may_not_leave_the_project_folder(tmp_path: Path) -> None:
    inner = tmp_path / "project" / "mappings"
    inner.mkdir(parents=True)
    path = inner / "m.yml"
    path.write_text(csv_text("di_to_sf", "salesforce", path="../../secret.csv"), encoding="utf-8")
    with pytest.raises(MappingFileError, match="outside the project folder") as caught:
        Mapping.load(path, project_dir=tmp_path / "project")
    assert caught.value.findings[0].line == 5


def test_di_project_comes_from_transfer_block_or_top() -> None:
    text = csv_text("sf_to_di", "dialoginsight").replace(
        "{csv: ExternalId, salesforce: DI_Contact_Id__c}", "{csv: Email, dialoginsight: f_EMail}"
    )
    assert load(text).transfers[0].project == 1002
    no_project = text.replace(", project: 1002", "")
    assert (3, "transfers[0]", "missing_project") in problems(no_project)


def test_unknown_transfer_name_lists_the_names() -> None:
    mapping = load(BASE)
    with pytest.raises(MappingError, match="use one of: contacts_to_di"):
        mapping.transfer("contacts")


def test_both_needs_a_direction_for_its_sides() -> None:
    transfer = load(BASE.replace("sf_to_di", "both")).transfers[0]
    assert transfer.flows == ("sf_to_di", "di_to_sf")
    with pytest.raises(MappingError, match="runs both ways"):
        transfer.source_side()
    back = transfer.pairs_for("di_to_sf")
    assert [(r.source, r.target) for r in back][:1] == [("f_SalesforceId", "Id")]


def test_constant_routes_only_in_the_direction_it_fills() -> None:
    text = BASE.replace("sf_to_di", "both") + "      - {dialoginsight: f_Company, value: ACME}\n"
    transfer = load(text).transfers[0]
    assert [r.target for r in transfer.pairs_for("sf_to_di") if r.constant] == ["f_Company"]
    assert not [r for r in transfer.pairs_for("di_to_sf") if r.constant]


def test_round_trip_to_yaml_from_dict_keeps_every_definition() -> None:
    original = Mapping.load(REPO / "mappings" / "demo.yml", project_dir=REPO)
    again = Mapping.from_dict(
        yaml.safe_load(original.to_yaml()), source=original.source, project_dir=REPO
    )
    assert again == original
    assert [t.fingerprint() for t in again.transfers] == [
        t.fingerprint() for t in original.transfers
    ]


def test_value_map_keys_stay_text_and_round_trip() -> None:
    text = BASE.replace("transform: lower", "value_map: {yes: Y, 1: One, 'N/A': null}")
    pair = load(text).transfers[0].fields[0]
    assert pair.value_map == (("yes", "Y"), ("1", "One"), ("N/A", None))
    again = Mapping.from_dict(yaml.safe_load(load(text).to_yaml()))
    assert again.transfers[0].fields[0].value_map == pair.value_map


def test_fingerprint_changes_with_the_definition_only() -> None:
    first = load(BASE).transfers[0]
    assert load(BASE).transfers[0].fingerprint() == first.fingerprint()
    changed = load(BASE.replace("transform: lower", "transform: upper")).transfers[0]
    assert changed.fingerprint() != first.fingerprint()


def test_demo_mapping_loads() -> None:
    mapping = Mapping.load(REPO / "mappings" / "demo.yml", project_dir=REPO)
    assert mapping.names == ["acquisition_to_leads", "contacts_to_di", "tradeshow_csv_to_di"]
    assert mapping.transfer("acquisition_to_leads").project == 1002
    csv = mapping.transfer("tradeshow_csv_to_di").csv
    assert csv is not None and csv.resolved is not None and csv.resolved.is_file()

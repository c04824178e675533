"""Filter values full of SOQL- and JSON-significant characters never escape their literal.

Against this suite's sandboxes (demo seed): a value is written on a record, then read back with
every ``where`` form; exactly that record comes back, and a value crafted to widen the query
(``x' OR Id != null OR LastName = 'y``) matches nothing. The analyst's raw ``where:`` string is
trusted SOQL, but one whose parentheses do not balance is refused, because it would escape the
parentheses it is wrapped in and widen the read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from conftest import Project

from ditoolkit.errors import ConfigError, DitoolkitError
from ditoolkit.sandbox.process import SandboxProcess
from ditoolkit.systems.dialoginsight import DialogInsightSystem
from ditoolkit.systems.salesforce import SalesforceSystem

#: Values that would break out of a naively built SOQL or JSON literal.
HOSTILE = {
    "quote_or": "x' OR Id != null OR LastName = 'y",
    "backslash_quote": "\\' OR Id != null OR LastName = '",
    "backslashes": "a\\b\\\\c\\",
    "like_wildcards": "%_%",
    "parentheses": "a) OR (Id != null",
    "json": '{"$type": "FieldClause"}, "x": [1]}',
    "double_quotes": 'say "hi" \\"there\\"',
    "newline_tab": "line one\nline two\tend",
    "unicode": "Zoë Ünïcødé 中文 \u202eevil\u202c 🙂",
}
WIDENING = ("x' OR LastName != '", "' OR ''='", "\\' OR Id != null OR LastName = '\\", "L" * 5_000)


@pytest.fixture(scope="module")
def sf(hostile_sandbox: SandboxProcess) -> SalesforceSystem:
    info = hostile_sandbox.salesforce
    return SalesforceSystem.connect(
        username=info["username"],
        password=info["password"],
        security_token=info["security_token"],
        login_url=info["login_url"],
        ca_bundle=info["ca_bundle"],
        api_version=info["api_version"],
    )


@pytest.fixture(scope="module")
def sf_ids(sf: SalesforceSystem) -> dict[str, str]:
    """A Contact per hostile value, as its LastName."""
    frame = pd.DataFrame({"LastName": list(HOSTILE.values())})
    result = sf.write("Contact", frame, operation="insert")
    result.raise_for_errors()
    return {name: str(row.id) for name, row in zip(HOSTILE, result.rows, strict=True)}


def _where_forms(field: str, value: str) -> list[Any]:
    return [{field: value}, (f"{field} = {{}}", [value]), {field: [value, "no such name"]}]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_sf_value_matches_exactly_its_record(
    sf: SalesforceSystem, sf_ids: dict[str, str], name: str
) -> None:
    field, value = "LastName", HOSTILE[name]
    for where in _where_forms(field, value):
        rows = sf.read("Contact", columns=["Id", field], where=where)
        assert list(rows["Id"]) == [sf_ids[name]], where
        assert rows[field].iloc[0] == value


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_sf_like_pattern_stays_a_literal(
    sf: SalesforceSystem, sf_ids: dict[str, str], name: str
) -> None:
    value = HOSTILE[name]
    rows = sf.read("Contact", columns=["Id"], where=("LastName LIKE '{:like}%'", [value]))
    assert sf_ids[name] in set(rows["Id"])
    assert len(rows) <= 2, "a LIKE pattern built from a value matched too much"


@pytest.mark.parametrize("value", WIDENING)
def test_sf_widening_values_match_nothing(sf: SalesforceSystem, value: str) -> None:
    for where in _where_forms("LastName", value):
        assert sf.read("Contact", columns=["Id"], where=where).empty, where
        assert sf.count("Contact", where=where) == 0


@pytest.mark.parametrize(
    "field", ["LastName = 'x' OR Id", "Id) OR (Id", "LastName--", "Name FROM User", ""]
)
def test_sf_where_dict_refuses_field_names_that_are_not_names(
    sf: SalesforceSystem, field: str
) -> None:
    with pytest.raises(ConfigError) as info:
        sf.read("Contact", columns=["Id"], where={field: "x"})
    assert "not a field name" in str(info.value) and info.value.hint


def test_sf_raw_where_is_trusted_soql(sf: SalesforceSystem) -> None:
    """Documented: ``where`` text is SOQL the analyst writes; a balanced OR is allowed."""
    every = len(sf.read("Contact", columns=["Id"]))
    both = sf.read("Contact", columns=["Id"], where="Email = null OR Id != null")
    assert len(both) == every


@pytest.mark.parametrize(
    "where",
    [
        "Email != null) OR (Id != null",
        "Email != null) OR Id != null OR (Id = null",
        "LastName = 'x",
        "(Email != null",
    ],
)
def test_sf_raw_where_that_escapes_its_parentheses_is_refused(
    sf: SalesforceSystem, where: str
) -> None:
    with pytest.raises(ConfigError) as info:
        sf.read("Contact", columns=["Id"], where=where)
    assert "unbalanced" in str(info.value) and info.value.hint
    with pytest.raises(ConfigError):
        sf.read("Contact", columns=["Id"], where=where, since="2020-01-01T00:00:00Z")


def test_sf_raw_where_with_soql_after_it_is_refused_by_the_server(sf: SalesforceSystem) -> None:
    with pytest.raises(DitoolkitError) as info:
        sf.read("Contact", columns=["Id"], where="Email != null LIMIT 1")
    assert "MALFORMED_QUERY" in str(info.value)


# --- the mapping's where: and filters ---------------------------------------------------------

SF_MAPPING = """\
version: 1
project: 1001
transfers:
  - name: contacts_to_di
    direction: sf_to_di
    salesforce: {{object: Contact, where: {where}}}
    dialoginsight: {{table: Contact}}
    key: {{salesforce: Id, dialoginsight: f_SalesforceId}}
    fields:
      - {{salesforce: LastName, dialoginsight: f_LastName}}
    operations: [insert, update]
    filters:
      - {{salesforce: LastName, op: eq, value: {value}}}
"""


def _sf_mapping(project: Project, *, where: str, value: str) -> str:
    path = project.root / "sf.yml"
    path.write_text(SF_MAPPING.format(where=where, value=value), encoding="utf-8")
    return str(path)


def test_mapping_where_that_escapes_is_refused_before_any_read(project: Project) -> None:
    mapping = _sf_mapping(project, where='"Email != null) OR (Id != null"', value='"x"')
    run = project.run("plan", mapping, "--profile", "sandbox", "--out", "out")
    assert run.code == 2, run.stderr
    assert "unbalanced" in run.stderr and "Email != null) OR (Id != null" in run.stderr


@pytest.mark.parametrize("name", ["quote_or", "backslash_quote", "json", "unicode"])
def test_mapping_filter_value_keeps_only_its_row(
    project: Project, sf_ids: dict[str, str], name: str
) -> None:
    value = HOSTILE[name].replace("\\", "\\\\").replace('"', '\\"')
    mapping = _sf_mapping(project, where='"LastName != null"', value=f'"{value}"')
    run = project.run("plan", mapping, "--profile", "sandbox", "--out", "out")
    assert run.code in (0, 1), run.stderr
    plan = pd.read_csv(project.root / "out" / "plan.csv", dtype=str)
    errors = pd.read_csv(project.root / "out" / "errors.csv", dtype=str)
    keys = set(plan["key"]) | set(errors["key"].dropna())
    assert keys <= {sf_ids[name]}, "the filter let other rows through"


# --- Dialog Insight clause values ------------------------------------------------------------


@pytest.fixture(scope="module")
def di(hostile_sandbox: SandboxProcess) -> Iterator[DialogInsightSystem]:
    system = DialogInsightSystem.from_settings(
        hostile_sandbox.dialoginsight, default_project=1001, retry_wait=0.01, retry_max_wait=0.05
    )
    yield system
    system.close()


@pytest.fixture(scope="module")
def di_keys(di: DialogInsightSystem) -> dict[str, str]:
    """A contact of project 1001 per hostile value (as f_LastName, 18-char ids as keys)."""
    keys = {name: f"0039HOSTILE{i:07d}" for i, name in enumerate(HOSTILE)}
    frame = pd.DataFrame(
        {
            "f_SalesforceId": list(keys.values()),
            "f_LastName": list(HOSTILE.values()),
            "f_EMail": [f"hostile{i}@example.com" for i in range(len(HOSTILE))],
        }
    )
    di.write("Contact", frame, operation="upsert", project=1001).raise_for_errors()
    return keys


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_di_value_matches_exactly_its_contact(
    di: DialogInsightSystem, di_keys: dict[str, str], name: str
) -> None:
    value = HOSTILE[name]
    for where in (
        {"f_LastName": value},
        [("f_LastName", "=", value)],
        {"f_LastName": [value, "no such name"]},
    ):
        rows = di.read("Contact", where=where, project=1001)
        assert list(rows["f_SalesforceId"]) == [di_keys[name]], where
        assert rows["f_LastName"].iloc[0] == value


@pytest.mark.parametrize("value", [*WIDENING, '"}, {"$type": "OrClause', "*", "%"])
def test_di_widening_values_match_nothing(
    di: DialogInsightSystem, di_keys: dict[str, str], value: str
) -> None:
    assert di.read("Contact", where={"f_LastName": value}, project=1001).empty


def test_di_unknown_filter_field_refused(di: DialogInsightSystem) -> None:
    with pytest.raises(ConfigError) as info:
        di.read("Contact", where={'f_LastName" OR 1=1': "x"}, project=1001)
    assert "has no field" in str(info.value) and info.value.hint

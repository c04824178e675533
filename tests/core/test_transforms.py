from __future__ import annotations

import io
import textwrap

import pandas as pd
import pytest

from ditoolkit.core.mapping import Mapping, Transfer
from ditoolkit.core.transforms import apply_transforms
from ditoolkit.errors import MappingError


def transfer(fields: str, *, extra: str = "", direction: str = "sf_to_di") -> Transfer:
    text = f"""\
version: 1
project: 1001
transfers:
  - name: t
    direction: {direction}
    salesforce: {{object: Contact}}
    dialoginsight: {{table: Contact}}
    key: {{salesforce: Id, dialoginsight: f_SalesforceId}}
    fields:
{textwrap.indent(textwrap.dedent(fields).rstrip() + chr(10), "      ")}{extra}"""
    return Mapping.from_yaml(text).transfers[0]


def frame(csv: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(textwrap.dedent(csv)), dtype="string", keep_default_na=False)


@pytest.mark.parametrize(
    ("transform", "raw", "expected"),
    [
        ("trim", "  Ana Lopez ", "Ana Lopez"),
        ("lower", "Ana@X.COM", "ana@x.com"),
        ("upper", "qc", "QC"),
        ("title", "ana LOPEZ", "Ana Lopez"),
        ("digits", "+1 (514) 555-0142", "15145550142"),
        ("[trim, lower]", "  Ana@X.COM ", "ana@x.com"),
    ],
)
def test_text_transforms(transform: str, raw: str, expected: str) -> None:
    t = transfer(f"- {{salesforce: Email, dialoginsight: f_EMail, transform: {transform}}}")
    source = pd.DataFrame({"Id": ["003A"], "Email": [raw]})
    out, findings = apply_transforms(source, t)
    assert out.loc[0, "f_EMail"] == expected
    assert findings == []


def test_output_is_in_target_names_key_first_same_index() -> None:
    t = transfer(
        """\
        - {salesforce: LastName, dialoginsight: f_LastName}
        - {salesforce: Email, dialoginsight: f_EMail}
        """
    )
    source = frame(
        """\
        Email,LastName,Id,Unused
        a@x.com,Ali,003A,z
        b@x.com,Bo,003B,z
        """
    )
    source.index = pd.Index([7, 9])
    out, _ = apply_transforms(source, t)
    assert list(out.columns) == ["f_SalesforceId", "f_LastName", "f_EMail"]
    assert list(out.index) == [7, 9]
    assert out.loc[9, "f_LastName"] == "Bo"


def test_unparsable_dates_become_nat_and_findings_never_silently() -> None:
    t = transfer('- {salesforce: Birthdate, dialoginsight: f_dateNaissance, format: "%d/%m/%Y"}')
    source = frame(
        """\
        Id,Birthdate
        003A,31/12/1990
        003B,1990-12-31
        003C,
        003D,31/02/1990
        """
    )
    out, findings = apply_transforms(source, t)
    column = out["f_dateNaissance"]
    assert str(column.dtype) == "datetime64[s]"
    assert column[0] == pd.Timestamp("1990-12-31")
    assert column[1:].isna().all()
    assert [(f.row, f.value, f.code, f.field) for f in findings] == [
        (1, "1990-12-31", "unparsable_date", "f_dateNaissance"),
        (3, "31/02/1990", "unparsable_date", "f_dateNaissance"),
    ]
    assert all(f.severity == "error" for f in findings)


def test_datetime_transform_gives_utc() -> None:
    t = transfer(
        '- {salesforce: Seen, dialoginsight: f_Seen, transform: "datetime:%Y-%m-%d %H:%M%z"}'
    )
    out, findings = apply_transforms(
        pd.DataFrame({"Id": ["a"], "Seen": ["2024-03-10 08:30-0500"]}), t
    )
    assert out.loc[0, "f_Seen"] == pd.Timestamp("2024-03-10 13:30", tz="UTC")
    assert findings == []


@pytest.mark.parametrize(
    ("unmapped", "codes", "third"),
    [("keep", [], "Other"), ("flag", ["unmapped_value"], "Other")],
)
def test_value_map_keeps_or_flags_unmapped(unmapped: str, codes: list[str], third: str) -> None:
    t = transfer(
        "- {salesforce: LeadSource, dialoginsight: f_Source, "
        f"value_map: {{Web: W, 'Phone Inquiry': P}}, unmapped: {unmapped}}}"
    )
    source = pd.DataFrame(
        {"Id": ["a", "b", "c", "d"], "LeadSource": ["Web", "Phone Inquiry", "Other", None]}
    )
    out, findings = apply_transforms(source, t)
    assert list(out["f_Source"][:3]) == ["W", "P", third]
    assert pd.isna(out.loc[3, "f_Source"])
    assert [f.code for f in findings] == codes
    assert all(f.row == 2 for f in findings)


def test_value_map_matches_numbers_as_text() -> None:
    t = transfer("- {salesforce: Code, dialoginsight: f_Code, value_map: {1: one, 2: two}}")
    out, _ = apply_transforms(pd.DataFrame({"Id": ["a", "b"], "Code": [1, 3]}), t)
    assert list(out["f_Code"]) == ["one", 3]


def test_constants_and_defaults() -> None:
    t = transfer(
        """\
        - {dialoginsight: f_Company, value: ACME}
        - {salesforce: FirstName, dialoginsight: f_FirstName, transform: trim, default: "[none]"}
        """
    )
    source = pd.DataFrame({"Id": ["a", "b", "c"], "FirstName": [" Ana ", "  ", None]})
    out, _ = apply_transforms(source, t)
    assert list(out["f_Company"]) == ["ACME"] * 3
    assert list(out["f_FirstName"]) == ["Ana", "[none]", "[none]"]


@pytest.mark.parametrize(
    ("rule", "kept"),
    [
        ("{salesforce: Email, op: not_null}", ["a", "c"]),
        ("{salesforce: Email, op: is_null}", ["b", "d"]),
        ("{salesforce: Status, op: eq, value: Open}", ["a", "b"]),
        ("{salesforce: Status, op: ne, value: Open}", ["c", "d"]),
        ("{salesforce: Status, op: in, value: [Closed, Lost]}", ["c"]),
        ("{salesforce: Score, op: ge, value: 5}", ["b", "c"]),
        ("{salesforce: Seen, op: lt, value: '2024-02-01'}", ["a"]),
    ],
)
def test_filters_keep_matching_source_rows(rule: str, kept: list[str]) -> None:
    t = transfer(
        "- {salesforce: Email, dialoginsight: f_EMail}", extra=f"    filters:\n      - {rule}\n"
    )
    source = pd.DataFrame(
        {
            "Id": ["a", "b", "c", "d"],
            "Email": ["a@x.com", "", "c@x.com", None],
            "Status": ["Open", "Open", "Closed", None],
            "Score": pd.array([1, 5, 9, None], dtype="Int64"),
            "Seen": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", None], utc=True),
        }
    )
    out, _ = apply_transforms(source, t)
    assert list(out["f_SalesforceId"]) == kept


def test_missing_source_column_names_it() -> None:
    t = transfer("- {salesforce: Email, dialoginsight: f_EMail}")
    with pytest.raises(MappingError, match=r"reads Email.*columns: Id, Mail"):
        apply_transforms(pd.DataFrame({"Id": ["a"], "Mail": ["x"]}), t)


def test_salesforce_columns_match_case_insensitively() -> None:
    t = transfer("- {salesforce: Email, dialoginsight: f_EMail}")
    out, _ = apply_transforms(pd.DataFrame({"ID": ["a"], "email": ["x@y.z"]}), t)
    assert out.loc[0, "f_EMail"] == "x@y.z"


def test_both_directions_use_their_own_source() -> None:
    t = transfer(
        "- {salesforce: Email, dialoginsight: f_EMail, transform: lower}", direction="both"
    )
    back, _ = apply_transforms(
        pd.DataFrame({"f_SalesforceId": ["a"], "f_EMail": ["A@X.COM"]}), t, direction="di_to_sf"
    )
    assert list(back.columns) == ["Id", "Email"] and back.loc[0, "Email"] == "a@x.com"
    with pytest.raises(MappingError, match="runs both ways"):
        apply_transforms(back, t)

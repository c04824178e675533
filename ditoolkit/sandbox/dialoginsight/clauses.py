"""``Clause`` of ``Get`` and ``Delete`` calls: FieldClauses combined by AND, turned into SQL.

A clause is one ``FieldClause`` object or an array of them (AND), as public clients send both
(``dialog-insight-api.md`` §2.3, §2.6, §4). Comparison values are read by the field's type, so
``GreaterThan`` on a date or an ``idContact`` compares dates and numbers, not text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ditoolkit.sandbox.dialoginsight.store import Collection
from ditoolkit.sandbox.dialoginsight.values import ValueProblem, parse_value
from ditoolkit.sandbox.dialoginsight.world import FieldSpec

OPERATORS = {
    "equal": "=",
    "notequal": "!=",
    "greaterthan": ">",
    "lessthan": "<",
    "isnull": "IS NULL",
    "isnotnull": "IS NOT NULL",
    "in": "IN",
}


class ClauseError(ValueError):
    """A clause DI refuses; ``code`` is ``InvalidClause`` or ``InvalidField``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _field_spec(coll: Collection, name: Any) -> FieldSpec:
    if name == coll.id_column == "idContact":
        return FieldSpec("idContact", "Contact", "Integer")
    if isinstance(name, str):
        spec = coll.field(name)
        if spec is not None:
            # a comparison value is not a stored value: no length or syntax check
            text_like = spec.data_type in ("ShortText", "LongText", "Email", "Phone")
            return replace(spec, data_type="LongText", length=None) if text_like else spec
        if name in coll.optins:
            return FieldSpec(name, name, "Boolean")
    known = ", ".join(c for c in coll.columns if c != "idRecord")
    raise ClauseError("InvalidField", f"unknown field {name!r} in Clause; known: {known}")


def _comparison_value(spec: FieldSpec, raw: Any) -> Any:
    try:
        value = parse_value(spec, raw)
    except ValueProblem as exc:
        raise ClauseError("InvalidClause", f"ComparisonValue: {exc.message}") from exc
    if value is None:
        raise ClauseError(
            "InvalidClause", f"ComparisonValue for {spec.name} is empty; use IsNull instead"
        )
    return value


def _one(coll: Collection, clause: Any) -> tuple[str, list[Any]]:
    if not isinstance(clause, dict) or clause.get("$type") != "FieldClause":
        raise ClauseError("InvalidClause", "a clause must be an object with $type FieldClause")
    field = clause.get("Field")
    spec = _field_spec(coll, field.get("Name") if isinstance(field, dict) else None)
    operator = OPERATORS.get(str(clause.get("TypeOperator", "")).lower())
    if operator is None:
        raise ClauseError(
            "InvalidClause",
            f"unknown TypeOperator {clause.get('TypeOperator')!r}; "
            "use Equal, NotEqual, GreaterThan, LessThan, IsNull, IsNotNull or In",
        )
    column = '"' + spec.name + '"'
    if operator in ("IS NULL", "IS NOT NULL"):
        return f"{column} {operator}", []
    raw = clause.get("ComparisonValue")
    if operator == "IN":
        if not isinstance(raw, list):
            raise ClauseError("InvalidClause", "TypeOperator In needs a ComparisonValue array")
        values = [_comparison_value(spec, item) for item in raw]
        if not values:
            return "0", []
        return f"{column} IN ({', '.join('?' * len(values))})", values
    return f"{column} {operator} ?", [_comparison_value(spec, raw)]


def build_where(coll: Collection, clause: Any) -> tuple[str, list[Any]]:
    """SQL and parameters for ``clause`` (``None`` or ``[]`` selects every record).

    Raises:
        ClauseError: the clause is malformed, names an unknown field or has a bad value.
    """
    if clause is None:
        return "", []
    parts = clause if isinstance(clause, list) else [clause]
    sql: list[str] = []
    params: list[Any] = []
    for part in parts:
        text, values = _one(coll, part)
        sql.append(text)
        params += values
    return " AND ".join(sql), params

"""The type-compatibility matrix: can values of one field be written to another?

Both systems' types are normalized to :class:`~ditoolkit.port.FieldType` by their adapters
(Salesforce ``textarea`` and DI ``LongText`` → ``text``; DI ``ShortText`` → ``string`` of length
100), so one matrix serves both directions. Each rule answers ``ok``, a ``warning`` (values are
converted or checked row by row; the ones that do not fit are held back) or an ``error`` (no
value can fit).
"""

from __future__ import annotations

from ditoolkit.port import FieldSchema, FieldType

#: (severity, code, message, hint)
Rule = tuple[str, str, str, str | None]

T = FieldType
TEXTUAL = frozenset({T.STRING, T.TEXT, T.EMAIL, T.PHONE, T.URL, T.PICKLIST, T.ID, T.REFERENCE})
FREE_TEXT = frozenset({T.STRING, T.TEXT})
#: Salesforce ids are 18 characters (15 in the case-sensitive form).
SALESFORCE_ID_LENGTH = 18

#: target type → {source type: (severity, why)}; a source type absent from a row is an error.
MATRIX: dict[FieldType, dict[FieldType, tuple[str, str]]] = {
    T.STRING: {
        **{s: ("ok", "") for s in TEXTUAL | {T.INTEGER, T.DECIMAL}},
        T.PICKLIST: ("warning", "picklist values are copied as text"),
        T.BOOLEAN: ("warning", "written as the text true/false"),
        T.DATE: ("warning", "written as the text YYYY-MM-DD"),
        T.DATETIME: ("warning", "written as ISO text in UTC"),
    },
    T.EMAIL: {
        T.EMAIL: ("ok", ""),
        **{s: ("warning", "values are checked as email addresses") for s in FREE_TEXT},
    },
    T.PHONE: {
        T.PHONE: ("ok", ""),
        T.INTEGER: ("warning", "numbers are written as phone text"),
        **{s: ("warning", "values are written as phone numbers") for s in FREE_TEXT},
    },
    T.URL: {T.URL: ("ok", ""), **{s: ("warning", "values must be URLs") for s in FREE_TEXT}},
    T.PICKLIST: {
        **{s: ("ok", "") for s in TEXTUAL - {T.ID, T.REFERENCE}},
    },
    T.ID: {
        T.ID: ("ok", ""),
        T.REFERENCE: ("ok", ""),
        **{s: ("warning", "values must be Salesforce ids") for s in FREE_TEXT},
    },
    T.BOOLEAN: {
        T.BOOLEAN: ("ok", ""),
        T.INTEGER: ("warning", "1/0 are read as true/false"),
        T.PICKLIST: ("warning", "values are read as true/false (1/0, yes/no)"),
        **{s: ("warning", "text is read as true/false (1/0, yes/no)") for s in FREE_TEXT},
    },
    T.INTEGER: {
        T.INTEGER: ("ok", ""),
        T.DECIMAL: ("warning", "fractions are rounded to whole numbers"),
        T.BOOLEAN: ("warning", "true/false are written as 1/0"),
        **{s: ("warning", "text is read as whole numbers") for s in FREE_TEXT | {T.PICKLIST}},
    },
    T.DECIMAL: {
        T.INTEGER: ("ok", ""),
        T.DECIMAL: ("ok", ""),
        **{s: ("warning", "text is read as numbers") for s in FREE_TEXT},
    },
    T.DATE: {
        T.DATE: ("ok", ""),
        T.DATETIME: ("warning", "the time of day is dropped (date in UTC)"),
        **{s: ("warning", "text is read as dates; add `format:` to the pair") for s in FREE_TEXT},
    },
    T.DATETIME: {
        T.DATETIME: ("ok", ""),
        T.DATE: ("ok", ""),
        **{s: ("warning", "text is read as datetimes; add `format:`") for s in FREE_TEXT},
    },
}
MATRIX[T.TEXT] = {**MATRIX[T.STRING], T.PICKLIST: ("ok", "")}
MATRIX[T.REFERENCE] = MATRIX[T.ID]


def type_compatibility(source: FieldSchema, target: FieldSchema) -> list[Rule]:
    """What writing ``source`` values into ``target`` implies (empty when simply fine)."""
    row = MATRIX.get(target.type, {})
    severity, why = row.get(source.type, ("error", ""))
    pair = f"{source.name} ({source.type.value}) → {target.name} ({target.type.value})"
    if severity == "error":
        fits = sorted(s.value for s, (sev, _) in row.items() if sev == "ok")
        return [
            (
                "error",
                "type_mismatch",
                f"{pair}: no value of this type can be written there",
                f"map {source.name} to a field of type {', '.join(fits) or 'another type'}, "
                f"or map {target.name} from another field",
            )
        ]
    rules: list[Rule] = []
    if severity == "warning":
        listed = _picklist_note(source)
        rules.append(("warning", "type_conversion", f"{pair}: {why}{listed}", None))
    rules.extend(_picklist_target(source, target, pair))
    rules.extend(_id_target(source, target, pair))
    rules.extend(_precision(source, target, pair))
    return rules


def length_finding(source: FieldSchema, target: FieldSchema) -> list[Rule]:
    """A warning when source text can be longer than the target holds."""
    if target.length is None or target.type not in TEXTUAL or source.type not in TEXTUAL:
        return []
    longest = _longest(source)
    if longest is not None and longest <= target.length:
        return []
    held = (
        f"{source.name} holds up to {longest} characters"
        if longest is not None
        else f"{source.name} has no length limit"
    )
    return [
        (
            "warning",
            "length_overflow",
            f"{held}, {target.name} {target.length}: values longer than {target.length} "
            "will be held back",
            f"shorten them at the source, or widen {target.name}",
        )
    ]


def _longest(field: FieldSchema) -> int | None:
    if field.type is T.PICKLIST and field.picklist_values:
        return max(len(v) for v in field.picklist_values)
    if field.type in (T.ID, T.REFERENCE):
        return SALESFORCE_ID_LENGTH
    return field.length


def _picklist_note(source: FieldSchema) -> str:
    if source.type is not T.PICKLIST or not source.picklist_values:
        return ""
    return f" (values: {', '.join(source.picklist_values)})"


def _picklist_target(source: FieldSchema, target: FieldSchema, pair: str) -> list[Rule]:
    if target.type is not T.PICKLIST or not target.restricted or not target.picklist_values:
        return []
    allowed = ", ".join(target.picklist_values)
    if source.type is T.PICKLIST and source.picklist_values:
        extra = [v for v in source.picklist_values if v not in target.picklist_values]
        if not extra:
            return []
        return [
            (
                "warning",
                "picklist_values",
                f"{pair}: {', '.join(extra)} are not allowed in {target.name}; such rows are "
                "held back",
                f"add a value_map to one of: {allowed}",
            )
        ]
    return [
        (
            "warning",
            "picklist_values",
            f"{pair}: {target.name} is a restricted picklist; other values are held back",
            f"allowed: {allowed}",
        )
    ]


def _id_target(source: FieldSchema, target: FieldSchema, pair: str) -> list[Rule]:
    if source.type not in (T.ID, T.REFERENCE) or target.type not in FREE_TEXT:
        return []
    if target.length is None or target.length >= SALESFORCE_ID_LENGTH:
        return []
    return [
        (
            "error",
            "id_too_short",
            f"{pair}: Salesforce ids have {SALESFORCE_ID_LENGTH} characters, "
            f"{target.name} holds {target.length}",
            f"widen {target.name} to at least {SALESFORCE_ID_LENGTH} characters",
        )
    ]


def _precision(source: FieldSchema, target: FieldSchema, pair: str) -> list[Rule]:
    if source.type is not T.DECIMAL or target.type is not T.DECIMAL:
        return []
    known = None not in (source.precision, source.scale, target.precision, target.scale)
    if not known:
        return []
    assert source.precision is not None and source.scale is not None  # narrowed above
    assert target.precision is not None and target.scale is not None
    rules: list[Rule] = []
    if source.scale > target.scale:
        rules.append(
            ("warning", "precision", f"{pair}: decimals beyond {target.scale} are rounded", None)
        )
    if source.precision - source.scale > target.precision - target.scale:
        rules.append(
            (
                "warning",
                "precision",
                f"{pair}: numbers above {target.precision - target.scale} digits do not fit "
                "and are held back",
                f"widen {target.name}",
            )
        )
    return rules

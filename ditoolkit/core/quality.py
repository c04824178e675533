"""Data-quality checks before anything is sent: findings as a DataFrame, rows held back.

:func:`check_quality` looks at every row of a frame (in target field names) against the
target's schema, lazily: it collects every finding, it does not stop at the first. Each
finding names the row, its key, its source line (when the frame has a line column, as a CSV
load does), the field, the value, a :class:`~ditoolkit.core.quality_rules.Reason` and a
severity. Rows with a blocking finding are held back whole — never half-sent; rows with
warnings only pass. The key is checked too: empty, repeated, or longer than the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ditoolkit.core.normalize import NUMBER_TYPES, normalize_series
from ditoolkit.core.quality_rules import (
    DEFAULT_SEVERITY,
    MESSAGES,
    Reason,
    Severity,
    blank,
    invalid_emails,
    invalid_phones,
    not_in_picklist,
    out_of_range,
    too_long,
)
from ditoolkit.errors import DitoolkitError, QualityError
from ditoolkit.port import FieldSchema, FieldType, TableSchema

FINDING_COLUMNS = ["row", "key", "line", "field", "value", "reason", "severity", "message"]

#: The column a CSV reader adds with each row's physical line in the file.
LINE_COLUMN = "_line"

#: Field types whose length is not checked (their values are not text).
_UNSIZED = (*NUMBER_TYPES, FieldType.DATE, FieldType.DATETIME, FieldType.BOOLEAN)


@dataclass(frozen=True)
class QualityReport:
    """Every finding of a quality check, and the rows it holds back.

    Attributes:
        findings: one row per finding: :data:`FINDING_COLUMNS` (``row`` is the index label).
        passed: the rows with no blocking finding.
        held_back: the rows with at least one blocking finding, whole.
        key: the key column.
        held_keys: the normalized keys of held-back rows (as the diff spells them).
    """

    findings: pd.DataFrame
    passed: pd.DataFrame
    held_back: pd.DataFrame
    key: str
    held_keys: pd.Index

    @property
    def ok(self) -> bool:
        """True when no row is held back."""
        return self.held_back.empty

    def blocking(self) -> pd.DataFrame:
        """The findings that hold rows back."""
        return self.findings[self.findings["severity"] == Severity.BLOCKING.value]

    def warnings(self) -> pd.DataFrame:
        """The findings that let rows through."""
        return self.findings[self.findings["severity"] == Severity.WARNING.value]

    def counts_by_reason(self) -> pd.Series:
        """How many findings of each reason, most first."""
        return self.findings["reason"].value_counts().rename("findings")

    def held_back_keys(self) -> pd.Index:
        """The normalized keys of held-back rows (empty keys left out)."""
        return self.held_keys

    def errors_frame(self) -> pd.DataFrame:
        """One row per held-back row: ``row, key, line, reason, message`` (reasons joined)."""
        blocking = self.blocking()
        grouped = blocking.groupby("row", sort=False, dropna=False)
        return pd.DataFrame(
            {
                "row": list(grouped.groups),
                "key": grouped["key"].first().to_numpy(),
                "line": grouped["line"].first().to_numpy(),
                "reason": grouped["reason"].agg(";".join).to_numpy(),
                "message": grouped["message"].agg("; ".join).to_numpy(),
            },
            columns=["row", "key", "line", "reason", "message"],
        )

    def raise_for_blocking(self, *, table: str = "the input") -> None:
        """Raise :class:`QualityError` naming the first held-back rows, if any."""
        errors = self.errors_frame()
        if errors.empty:
            return
        sample = "; ".join(
            f"row {r.row} (key {r.key!r}): {r.message}" for r in errors.head(5).itertuples()
        )
        raise QualityError(
            f"{len(errors)} row(s) of {table} fail quality checks: {sample}",
            hint="fix them at the source, or see QualityReport.findings for every finding",
        )


def _finding_frame(
    frame: pd.DataFrame, mask: np.ndarray, *, name: str, reason: Reason, context: dict[str, object]
) -> pd.DataFrame:
    """The findings of one reason on one field, for the masked rows."""
    rows = frame.loc[mask]
    severity: Severity = context["severities"][reason]  # type: ignore[index]
    line_column = str(context["line_column"])
    key = str(context["key"])
    line = rows[line_column] if line_column in rows.columns else pd.NA
    message = MESSAGES[reason].format(field=name, limit=context.get("limit"))
    return pd.DataFrame(
        {
            "row": rows.index.to_numpy(dtype=object),
            "key": rows[key].astype(object).to_numpy() if key in rows.columns else None,
            "line": line,
            "field": name,
            "value": rows[name].astype(object).to_numpy(),
            "reason": reason.value,
            "severity": severity.value,
            "message": message,
        },
        columns=FINDING_COLUMNS,
    )


def _value_masks(
    raw: pd.Series, field: FieldSchema, *, phone_region: str | None
) -> list[tuple[Reason, np.ndarray, object]]:
    """(reason, mask, limit) for every value check of one field."""
    normalized = normalize_series(raw, field)
    unparsed = ~blank(raw) & normalized.isna().to_numpy(dtype=bool)
    kind = field.type
    checks: list[tuple[Reason, np.ndarray, object]] = []
    if field.required and not field.key:
        checks.append((Reason.REQUIRED_MISSING, normalized.isna().to_numpy(dtype=bool), None))
    if kind is FieldType.EMAIL:
        checks.append((Reason.INVALID_EMAIL, invalid_emails(normalized), None))
    if kind is FieldType.PHONE and phone_region:
        checks.append(
            (Reason.INVALID_PHONE, invalid_phones(normalized, region=phone_region), phone_region)
        )
    if kind is FieldType.PICKLIST:
        checks.append((Reason.NOT_IN_PICKLIST, not_in_picklist(normalized, field), None))
    if kind in (FieldType.DATE, FieldType.DATETIME):
        checks.append((Reason.UNPARSABLE_DATE, unparsed, None))
        checks.append((Reason.DATE_OUT_OF_RANGE, out_of_range(normalized), None))
    elif kind in NUMBER_TYPES:
        checks.append((Reason.NOT_A_NUMBER, unparsed, None))
    elif kind is FieldType.BOOLEAN:
        checks.append((Reason.NOT_A_BOOLEAN, unparsed, None))
    else:
        checks.append((Reason.TOO_LONG, too_long(normalized, field), field.length))
    return checks


def _key_masks(
    keys: pd.Series, field: FieldSchema | None
) -> list[tuple[Reason, np.ndarray, object]]:
    """Missing, duplicate and (for a text key) too long keys."""
    missing = keys.isna().to_numpy(dtype=bool)
    duplicate = keys.duplicated(keep=False).to_numpy(dtype=bool) & ~missing
    checks: list[tuple[Reason, np.ndarray, object]] = [
        (Reason.MISSING_KEY, missing, None),
        (Reason.DUPLICATE_KEY, duplicate, None),
    ]
    if field is not None and field.type not in _UNSIZED:
        checks.append((Reason.TOO_LONG, too_long(keys, field), field.length))
    return checks


def check_quality(
    frame: pd.DataFrame,
    *,
    key: str,
    schema: TableSchema,
    phone_region: str | None = "CA",
    severities: Mapping[Reason | str, Severity | str] | None = None,
    line_column: str = LINE_COLUMN,
) -> QualityReport:
    """Check every row of ``frame`` against ``schema``; hold back rows with blocking findings.

    Args:
        frame: rows in target field names (the key column included).
        key: the key column.
        schema: the target table's schema.
        phone_region: the region phone numbers without a country code belong to (``None``
            skips phone checks).
        severities: overrides of :data:`DEFAULT_SEVERITY` (e.g. make ``INVALID_PHONE``
            blocking).
        line_column: the column holding each row's source line, when present.

    Returns:
        The :class:`QualityReport`.

    Raises:
        DitoolkitError: the frame has no key column.
    """
    if key not in frame.columns:
        raise DitoolkitError(
            f"cannot check quality: the frame has no key column {key!r}",
            hint=f"the frame's columns are {list(frame.columns)}; map the key first",
        )
    levels = dict(DEFAULT_SEVERITY)
    levels.update({Reason(r): Severity(s) for r, s in (severities or {}).items()})
    context: dict[str, object] = {"severities": levels, "line_column": line_column, "key": key}
    keys = normalize_series(frame[key], schema.get(key))
    checks: list[tuple[str, Reason, np.ndarray, object]] = [
        (key, reason, mask, limit) for reason, mask, limit in _key_masks(keys, schema.get(key))
    ]
    for name in frame.columns:
        field = schema.get(str(name))
        if name in (key, line_column) or field is None:
            continue
        masks = _value_masks(frame[name], field, phone_region=phone_region)
        checks.extend((str(name), reason, mask, limit) for reason, mask, limit in masks)
    parts: list[pd.DataFrame] = []
    held = np.zeros(len(frame), dtype=bool)
    for name, reason, mask, limit in checks:
        if not mask.any():
            continue
        context["limit"] = limit
        parts.append(_finding_frame(frame, mask, name=name, reason=reason, context=context))
        if levels[reason] is Severity.BLOCKING:
            held |= mask
    return _report(frame, parts, held, key=key, keys=keys)


def _report(
    frame: pd.DataFrame, parts: list[pd.DataFrame], held: np.ndarray, *, key: str, keys: pd.Series
) -> QualityReport:
    if parts:
        findings = pd.concat(parts, ignore_index=True)
    else:
        findings = pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS})
    return QualityReport(
        findings=findings,
        passed=frame.loc[~held],
        held_back=frame.loc[held],
        key=key,
        held_keys=pd.Index(keys[held].dropna().unique()),
    )

"""Quality reports adjusted by what the pipeline knows beyond the rows themselves.

Transform findings are folded into the quality report, so that one report holds every row
back; and a required field left empty does not hold back a row that would only be updated
under ``nulls: leave`` (:func:`release_required_for_updates`).

A value a transform could not convert (``unparsable_date``, ``unmapped_value``) leaves an empty
cell behind, which the quality check alone would not flag; the preview holds its row back with
the transform's reason, in the same shape as the quality findings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ditoolkit.core.findings import Finding
from ditoolkit.core.normalize import normalize_series
from ditoolkit.core.quality import FINDING_COLUMNS, LINE_COLUMN, QualityReport
from ditoolkit.core.quality_rules import Reason, Severity
from ditoolkit.port import TableSchema


def transform_findings_frame(
    findings: Sequence[Finding], *, frame: pd.DataFrame, key: str
) -> pd.DataFrame:
    """Row findings of the transforms in :data:`~ditoolkit.core.quality.FINDING_COLUMNS`."""
    rows = [f for f in findings if f.row is not None and f.row in frame.index]
    records = []
    for f in rows:
        line = frame.at[f.row, LINE_COLUMN] if LINE_COLUMN in frame.columns else None
        records.append(
            {
                "row": f.row,
                "key": frame.at[f.row, key] if key in frame.columns else None,
                "line": line,
                "field": f.field,
                "value": f.value,
                "reason": f.code.upper(),
                "severity": Severity.BLOCKING.value if f.blocking else Severity.WARNING.value,
                "message": f.message,
            }
        )
    return pd.DataFrame(records, columns=FINDING_COLUMNS).astype(object)


def with_transform_findings(
    report: QualityReport,
    findings: Sequence[Finding],
    *,
    frame: pd.DataFrame,
    schema: TableSchema,
) -> QualityReport:
    """``report`` with the transforms' row findings added; their blocking rows held back.

    Args:
        report: the quality report of ``frame``.
        findings: the findings :func:`~ditoolkit.core.transforms.apply_transforms` returned.
        frame: the transformed frame the report was made from.
        schema: the target's schema (normalizes the held-back keys as the diff spells them).
    """
    extra = transform_findings_frame(findings, frame=frame, key=report.key)
    if extra.empty:
        return report
    blocking = extra.loc[extra["severity"] == Severity.BLOCKING.value, "row"]
    held = frame.index.isin(report.held_back.index) | frame.index.isin(list(blocking))
    parts = [p.astype(object) for p in (report.findings, extra) if not p.empty]
    keys = normalize_series(frame[report.key], schema.get(report.key))
    mask = np.asarray(held, dtype=bool)
    return QualityReport(
        findings=pd.concat(parts, ignore_index=True),
        passed=frame.loc[~mask],
        held_back=frame.loc[mask],
        key=report.key,
        held_keys=pd.Index(keys[mask].dropna().unique()),
    )


#: Why a REQUIRED_MISSING finding of a row that is only updated does not hold it back.
_LEFT_AS_IS = " (not held back: the row is only updated and nulls: leave keeps the target's value)"


def release_required_for_updates(
    report: QualityReport,
    *,
    frame: pd.DataFrame,
    matched: pd.Series | pd.Index,
    schema: TableSchema,
) -> QualityReport:
    """``report`` with ``REQUIRED_MISSING`` made a warning on rows the target already has.

    Under ``nulls: leave`` an empty source value leaves the target's value as it is, so a row
    that would only be *updated* breaks nothing by having a required field empty; it still
    blocks inserts (and, under ``nulls: clear``, updates — this function is not called then).

    Args:
        report: the quality report of ``frame``.
        frame: the transformed source rows.
        matched: the normalized keys of the target rows compared (the diff's target keys).
        schema: the target's schema.
    """
    findings = report.findings
    required = (findings["reason"] == Reason.REQUIRED_MISSING.value) & (
        findings["severity"] == Severity.BLOCKING.value
    )
    if not required.any():
        return report
    keys = normalize_series(frame[report.key], schema.get(report.key))
    present = keys.isin(pd.Index(pd.Series(matched).dropna())).to_numpy(dtype=bool)
    update_rows = set(frame.index[present])
    released = required & findings["row"].isin(update_rows)
    if not released.any():
        return report
    findings = findings.copy()
    findings.loc[released, "severity"] = Severity.WARNING.value
    findings.loc[released, "message"] = findings.loc[released, "message"] + _LEFT_AS_IS
    blocking = findings.loc[findings["severity"] == Severity.BLOCKING.value, "row"]
    mask = np.asarray(frame.index.isin(list(blocking)), dtype=bool)
    return QualityReport(
        findings=findings,
        passed=frame.loc[~mask],
        held_back=frame.loc[mask],
        key=report.key,
        held_keys=pd.Index(keys[mask].dropna().unique()),
    )

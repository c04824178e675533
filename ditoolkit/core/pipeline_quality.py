"""Transform findings folded into a quality report, so that one report holds every row back.

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
from ditoolkit.core.quality_rules import Severity
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

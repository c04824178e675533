"""Findings: the one shape of a problem found in a mapping, against a schema, or in a value."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ditoolkit.errors import MappingError

FINDING_COLUMNS = (
    "severity",
    "transfer",
    "field",
    "code",
    "message",
    "hint",
    "line",
    "row",
    "value",
)


@dataclass(frozen=True)
class Finding:
    """One problem found in a mapping, against a schema, or in a value.

    Attributes:
        severity: ``"error"`` (blocks) or ``"warning"`` (shown, does not block).
        transfer: the transfer's name, when the problem belongs to one.
        field: the field (or key path in the file) concerned.
        code: a stable reason code (``unknown_field``, ``type_mismatch``...).
        message: what is wrong, in the analyst's words.
        hint: the fix.
        line: the mapping file's line, when known.
        row: the source row's index label, for value findings.
        value: the offending value, for value findings.
    """

    severity: str
    transfer: str | None
    field: str | None
    code: str
    message: str
    hint: str | None = None
    line: int | None = None
    row: Any = None
    value: Any = None

    @property
    def blocking(self) -> bool:
        """True for errors."""
        return self.severity == "error"

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"line {self.line}" if self.line is not None else "",
                f"transfer {self.transfer!r}" if self.transfer else "",
                self.field or "",
            )
            if part
        )
        text = f"{self.severity}: {where + ': ' if where else ''}{self.message}"
        return f"{text} (fix: {self.hint})" if self.hint else text


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """The findings as a DataFrame with :data:`FINDING_COLUMNS` (headers even when empty)."""
    rows = [tuple(getattr(f, name) for name in FINDING_COLUMNS) for f in findings]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS)).astype(
        {"severity": "string", "code": "string", "message": "string"}
    )


class MappingFileError(MappingError):
    """A mapping file is malformed; ``findings`` lists every problem with its line.

    Attributes:
        source: the file (or ``"<mapping>"``).
        findings: the problems, in file order.
    """

    def __init__(self, source: str, findings: Sequence[Finding]) -> None:
        self.source = source
        self.findings = list(findings)
        count = len(self.findings)
        lines = "\n".join(f"  - {f}" for f in self.findings)
        super().__init__(
            f"{source}: {count} problem{'s' if count != 1 else ''} in the mapping file:\n{lines}",
            hint="fix the lines above and load the mapping again",
        )

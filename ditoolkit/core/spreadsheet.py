"""Cells made safe for spreadsheets: text that Excel or LibreOffice would run as a formula.

Every CSV file the toolkit writes goes through :func:`neutralize` (or
:func:`neutralize_frame`), so that a value such as ``=HYPERLINK("http://x","y")`` read from one
system cannot run when an analyst opens a results or plan file.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralize(value: str) -> str:
    """``value`` made safe for spreadsheets: a cell that could start a formula gets a ``'``.

    Plain numbers (``-5``, ``+15145550123``) are left alone: a spreadsheet reads them as numbers.
    """
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    return neutralize(value) if isinstance(value, str) else value


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name neutralised."""
    out = frame.astype(object).map(_cell) if len(frame) else frame.copy()
    out.columns = pd.Index([_cell(c) for c in frame.columns])
    return out

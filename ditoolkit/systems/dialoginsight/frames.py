"""``read_di_table`` and ``write_di_table``: the pandas-style entry points (thin calls)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ditoolkit.port import WriteResult
from ditoolkit.systems.dialoginsight.system import DialogInsightSystem


def read_di_table(
    di: DialogInsightSystem,
    table: str,
    *,
    project: int | None = None,
    columns: Sequence[str] | None = None,
    where: Any = None,
) -> pd.DataFrame:
    """Read a DI table (``Contact`` or a relational table code) into a typed DataFrame.

    Example:
        >>> members = read_di_table(di, "Contact", project=1001)  # doctest: +SKIP
    """
    return di.read(table, columns=columns, where=where, project=project)


def write_di_table(
    di: DialogInsightSystem,
    table: str,
    frame: pd.DataFrame,
    *,
    project: int | None = None,
    operation: str = "upsert",
    key: str | Sequence[str] | None = None,
) -> WriteResult:
    """Write ``frame`` to a DI table; one result row per input row, in input order.

    Example:
        >>> result = write_di_table(di, "Contact", frame, project=1002)  # doctest: +SKIP
    """
    return di.write(table, frame, operation=operation, key=key, project=project)

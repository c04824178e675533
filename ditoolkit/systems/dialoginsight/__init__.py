"""Dialog Insight (OFC4 web services): the client, the System adapter and the frame helpers."""

from __future__ import annotations

from ditoolkit.systems.dialoginsight.client import DialogInsightClient
from ditoolkit.systems.dialoginsight.frames import read_di_table, write_di_table
from ditoolkit.systems.dialoginsight.schema import TableConfig
from ditoolkit.systems.dialoginsight.system import DialogInsightSystem

__all__ = [
    "DialogInsightClient",
    "DialogInsightSystem",
    "TableConfig",
    "read_di_table",
    "write_di_table",
]

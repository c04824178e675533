"""ditoolkit: keep Salesforce and Dialog Insight in sync from Jupyter, previewing every change.

>>> import ditoolkit as dtk
>>> sf = dtk.connect_salesforce(profile="sandbox")            # doctest: +SKIP
>>> contacts = dtk.read_sobject(sf, "Contact")                # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: Public names and the module each lives in; imported on first use so that
#: ``import ditoolkit`` stays cheap and does no I/O.
_EXPORTS = {
    "connect_salesforce": "ditoolkit.api",
    "connect_dialoginsight": "ditoolkit.api",
    "read_sobject": "ditoolkit.api",
    "write_sobject": "ditoolkit.api",
    "read_di_table": "ditoolkit.api",
    "write_di_table": "ditoolkit.api",
    "Mapping": "ditoolkit.core.mapping",
    "DitoolkitError": "ditoolkit.errors",
    "WriteResult": "ditoolkit.port",
    "TableSchema": "ditoolkit.port",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ditoolkit' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))

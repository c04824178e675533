"""Connection settings: explicit arguments > environment > ``ditoolkit.toml`` > the sandbox.

Nothing is read at import time; every call resolves afresh.
"""

from __future__ import annotations

from ditoolkit.config.resolve import resolve_dialoginsight, resolve_salesforce
from ditoolkit.config.settings import (
    DI_REGIONS,
    SF_AUTH_MODES,
    DialogInsightSettings,
    DIProject,
    DITable,
    SalesforceSettings,
    ditoolkit_home,
    settings_source_report,
)
from ditoolkit.config.sources import find_config_file, find_sandbox_dir

__all__ = [
    "DI_REGIONS",
    "SF_AUTH_MODES",
    "DIProject",
    "DITable",
    "DialogInsightSettings",
    "SalesforceSettings",
    "ditoolkit_home",
    "find_config_file",
    "find_sandbox_dir",
    "resolve_dialoginsight",
    "resolve_salesforce",
    "settings_source_report",
]

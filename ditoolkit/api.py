"""The pandas-style entry points: connect, then read and write any table of either system.

Each function is a thin call on the adapters; configuration comes from
:mod:`ditoolkit.config` (explicit arguments > environment > ``ditoolkit.toml`` > sandbox).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import pandas as pd

from ditoolkit.config import resolve_dialoginsight, resolve_salesforce
from ditoolkit.port import WriteResult
from ditoolkit.systems.dialoginsight import DialogInsightSystem, read_di_table, write_di_table
from ditoolkit.systems.salesforce import SalesforceSystem
from ditoolkit.systems.salesforce.soql import Where

_SF_ADAPTER_OPTIONS = ("read_settings", "write_settings", "allowance_reserve", "timeout")
_DI_ADAPTER_OPTIONS = ("timeout", "batch_size", "page_size", "default_project", "modified_field")


def connect_salesforce(profile: str | None = None, **explicit: Any) -> SalesforceSystem:
    """A logged-in Salesforce adapter.

    Args:
        profile: a ``ditoolkit.toml`` profile, ``"sandbox"`` for the local sandbox, or ``None``.
        **explicit: settings that win over every other source (``username``, ``password``,
            ``security_token``, ``login_url``, ``ca_bundle``, ``auth``...), plus adapter
            options ``read_settings``, ``write_settings``, ``allowance_reserve``.

    Example:
        >>> sf = connect_salesforce(profile="sandbox")  # doctest: +SKIP
    """
    options = {k: explicit.pop(k) for k in _SF_ADAPTER_OPTIONS if k in explicit}
    settings = resolve_salesforce(profile, **explicit)
    values = {f.name: getattr(settings, f.name) for f in fields(settings)}
    values.pop("sources", None)
    values.pop("profile", None)
    if values.get("domain") and not values.get("login_url"):
        values["login_url"] = f"https://{values['domain']}.salesforce.com"
    values.pop("domain", None)
    return SalesforceSystem.connect(**{k: v for k, v in values.items() if v is not None}, **options)


def connect_dialoginsight(profile: str | None = None, **explicit: Any) -> DialogInsightSystem:
    """A Dialog Insight adapter (the OFC4 web services answer per call; no login step).

    Example:
        >>> di = connect_dialoginsight(profile="sandbox")  # doctest: +SKIP
    """
    options = {k: explicit.pop(k) for k in _DI_ADAPTER_OPTIONS if k in explicit}
    return DialogInsightSystem.from_settings(resolve_dialoginsight(profile, **explicit), **options)


def read_sobject(
    sf: SalesforceSystem,
    sobject: str,
    *,
    columns: Sequence[str] | None = None,
    where: Where = None,
    since: Any = None,
    include_deleted: bool = False,
) -> pd.DataFrame:
    """Read a Salesforce object into a DataFrame typed from describe.

    Example:
        >>> contacts = read_sobject(sf, "Contact", columns=["Id", "Email"], where="Email != null")  # doctest: +SKIP
    """
    return sf.read(
        sobject, columns=columns, where=where, since=since, include_deleted=include_deleted
    )


def write_sobject(
    sf: SalesforceSystem,
    sobject: str,
    frame: pd.DataFrame,
    *,
    operation: str,
    key: str | None = None,
    nulls: str = "leave",
) -> WriteResult:
    """Write ``frame`` to a Salesforce object; one result row per input row, in input order.

    Example:
        >>> result = write_sobject(sf, "Contact", frame, operation="upsert", key="DI_Contact_Id__c")  # doctest: +SKIP
    """
    return sf.write(sobject, frame, operation=operation, key=key, nulls=nulls)


__all__ = [
    "connect_dialoginsight",
    "connect_salesforce",
    "read_di_table",
    "read_sobject",
    "write_di_table",
    "write_sobject",
]

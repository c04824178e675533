"""Typed connection settings for Salesforce and Dialog Insight, and where each value came from."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ditoolkit.secrets import Secret

#: Salesforce authentication flows the adapter knows.
SF_AUTH_MODES = ("password", "oauth_password", "client_credentials", "jwt", "session")

#: Dialog Insight regions and their OFC4 base URLs.
DI_REGIONS = {
    "ca": "https://app.dialoginsight.com/webservices/ofc4/",
    "fr": "https://app.mydialoginsight.com/webservices/ofc4/",
}


@dataclass(frozen=True)
class DIProject:
    """A Dialog Insight project the settings know about.

    Attributes:
        id: ``idProject``.
        name: the project's name.
        type: ``"A"`` (fed from Salesforce) or ``"B"`` (contacts acquired in DI).
    """

    id: int
    name: str = ""
    type: str = ""


@dataclass(frozen=True)
class DITable:
    """A Dialog Insight relational table the settings know about."""

    id_table: int
    code: str
    id_project: int


@dataclass(frozen=True)
class SalesforceSettings:
    """How to reach one Salesforce org. Secrets are :class:`Secret`; ``repr`` never shows them.

    Attributes:
        profile: the profile these settings were resolved for (``None``: no profile).
        auth: the authentication flow (one of :data:`SF_AUTH_MODES`).
        max_response_mb: the largest JSON/XML answer read, in MiB (default 64).
        max_csv_response_mb: the largest Bulk 2.0 result page read, in MiB (default 1,024).
        sources: setting name → where its value came from (no values).
    """

    profile: str | None = None
    auth: str = "password"
    username: str | None = None
    password: Secret | None = None
    security_token: Secret | None = None
    instance_url: str | None = None
    login_url: str | None = None
    domain: str | None = None
    consumer_key: str | None = None
    consumer_secret: Secret | None = None
    session_id: Secret | None = None
    private_key_file: str | None = None
    api_version: str = "59.0"
    ca_bundle: str | None = None
    max_response_mb: float | None = None
    max_csv_response_mb: float | None = None
    sources: dict[str, str] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class DialogInsightSettings:
    """How to reach one Dialog Insight account (OFC4 web services).

    Attributes:
        profile: the profile these settings were resolved for.
        base_url: the OFC4 base URL, ending with ``/``.
        region: ``ca`` or ``fr`` when the base URL came from a region.
        id_key: the key's ``idKey``.
        key: the key's ``Key`` (a :class:`Secret`).
        ca_bundle: a CA file to trust (the sandbox's ``ca.pem``).
        max_response_mb: the largest answer read, in MiB (default 64).
        projects: the projects known from configuration (the client can also ask DI).
        tables: the relational tables known from configuration.
        sources: setting name → where its value came from (no values).
    """

    profile: str | None = None
    base_url: str = ""
    region: str | None = None
    id_key: int = 0
    key: Secret | None = None
    ca_bundle: str | None = None
    max_response_mb: float | None = None
    projects: tuple[DIProject, ...] = ()
    tables: tuple[DITable, ...] = ()
    sources: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def project(self, id_project: int) -> DIProject | None:
        """The configured project ``id_project``, if any."""
        return next((p for p in self.projects if p.id == id_project), None)


def settings_source_report(
    settings: SalesforceSettings | DialogInsightSettings,
) -> list[dict[str, str]]:
    """Where each setting came from, for a connection panel; secrets show as ``***``.

    Returns:
        One dict per setting: ``setting``, ``value`` (``***`` for a secret that is set, ``""``
        when unset) and ``source`` (``argument``, ``env NAME``, a ``ditoolkit.toml`` table, a
        keyring entry, the sandbox's ``sandbox.json``, ``default`` or ``inferred``).
    """
    rows = []
    for item in fields(settings):
        if item.name in ("sources", "profile"):
            continue
        value = getattr(settings, item.name)
        rows.append(
            {
                "setting": item.name,
                "value": _shown(value),
                "source": settings.sources.get(item.name, ""),
            }
        )
    return rows


def _shown(value: Any) -> str:
    if isinstance(value, Secret):
        return "***" if value else ""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(str(getattr(v, "id", None) or getattr(v, "code", v)) for v in value)
    return str(value)


def ditoolkit_home() -> Path:
    """The folder of local state (journal, watermarks, snapshots).

    ``$DITOOLKIT_HOME`` when set, else ``.ditoolkit/`` in the working directory. Not created here.
    """
    configured = os.environ.get("DITOOLKIT_HOME")
    return Path(configured).expanduser().resolve() if configured else Path.cwd() / ".ditoolkit"

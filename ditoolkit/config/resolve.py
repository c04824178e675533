"""Resolve connection settings: arguments > environment > ditoolkit.toml profile > sandbox."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any, Protocol

from ditoolkit.config.settings import (
    DI_REGIONS,
    SF_AUTH_MODES,
    DialogInsightSettings,
    DIProject,
    DITable,
    SalesforceSettings,
)
from ditoolkit.config.sources import (
    EnvSource,
    ExplicitSource,
    Found,
    Lookup,
    ProfileSource,
    SandboxSource,
    Spec,
    find_config_file,
    find_sandbox_dir,
)
from ditoolkit.errors import ConfigError
from ditoolkit.secrets import Secret

logger = logging.getLogger(__name__)

SANDBOX_PROFILE = "sandbox"

SF_SPECS = tuple(
    Spec(name, env=f"DITOOLKIT_SF_{name.upper()}", kind=kind)
    for name, kind in (
        ("auth", "str"),
        ("username", "str"),
        ("password", "secret"),
        ("security_token", "secret"),
        ("instance_url", "str"),
        ("login_url", "str"),
        ("domain", "str"),
        ("consumer_key", "str"),
        ("consumer_secret", "secret"),
        ("session_id", "secret"),
        ("private_key_file", "path"),
        ("api_version", "str"),
        ("ca_bundle", "path"),
        ("max_response_mb", "str"),
        ("max_csv_response_mb", "str"),
    )
)

DI_SPECS = (
    Spec("base_url", env="DITOOLKIT_DI_BASE_URL"),
    Spec("region", env="DITOOLKIT_DI_REGION"),
    Spec("id_key", env="DITOOLKIT_DI_ID_KEY", kind="int", sandbox_key="idKey"),
    Spec("key", env="DITOOLKIT_DI_KEY", kind="secret", sandbox_key="Key"),
    Spec("ca_bundle", env="DITOOLKIT_DI_CA_BUNDLE", kind="path"),
    Spec("max_response_mb", env="DITOOLKIT_DI_MAX_RESPONSE_MB"),
    Spec("projects", kind="list"),
    Spec("tables", kind="list"),
)


class _Source(Protocol):
    def lookup(self, section: str, spec: Spec) -> Lookup: ...


class _Resolution:
    """Every setting of one section looked up through the sources, first hit wins."""

    def __init__(self, section: str, specs: Sequence[Spec], sources: Sequence[_Source]) -> None:
        self.section = section
        self.specs = {spec.name: spec for spec in specs}
        self.found: dict[str, Found] = {}
        self.tried: dict[str, list[str]] = {}
        for spec in specs:
            self.tried[spec.name] = []
            for source in sources:
                hit, places = source.lookup(section, spec)
                self.tried[spec.name].extend(places)
                if hit is not None:
                    self.found[spec.name] = hit
                    logger.debug("%s setting %s from %s", section, spec.name, hit.source)
                    break

    def value(self, name: str) -> Any:
        hit = self.found.get(name)
        return None if hit is None else hit.value

    def missing(self, names: Sequence[str], *, profile: str | None, why: str) -> ConfigError:
        """The error for required settings none of the sources had."""
        label = {"salesforce": "Salesforce", "dialoginsight": "Dialog Insight"}[self.section]
        parts = [f"{n!r} (tried, in order: {', '.join(self.tried[n])})" for n in names]
        envs = ", ".join(e for n in names if (e := self.specs[n].env))
        table = f"[profiles.{profile or 'NAME'}.{self.section}]"
        return ConfigError(
            f"{label} settings missing{' ' + why if why else ''}: " + "; ".join(parts),
            hint=(
                f"pass {', '.join(f'{n}=...' for n in names)}, set {envs}, or add them to "
                f'{table} in ditoolkit.toml (a secret may be {{keyring = "service"}})'
                + (
                    "; or start the sandbox: python -m ditoolkit sandbox start --data-dir "
                    ".ditoolkit/sandbox (or set DITOOLKIT_SANDBOX_DIR)"
                    if profile == SANDBOX_PROFILE
                    else "; for practice mode use profile='sandbox' with the sandbox running"
                )
            ),
        )


def _sources(profile: str | None, explicit: dict[str, Any]) -> list[_Source]:
    sources: list[_Source] = [ExplicitSource(explicit), EnvSource()]
    config = find_config_file()
    toml = ProfileSource(config, profile) if config and profile else None
    if profile is not None:
        known = toml.profiles() if toml else []
        if profile not in known and profile != SANDBOX_PROFILE:
            where = str(config) if config else "no ditoolkit.toml found from the working directory"
            raise ConfigError(
                f"unknown profile {profile!r} ({where}); known profiles: "
                + ", ".join([*known, SANDBOX_PROFILE]),
                hint=f"add [profiles.{profile}.salesforce] / [profiles.{profile}.dialoginsight] "
                "to ditoolkit.toml, set DITOOLKIT_CONFIG, or use one of the known profiles",
            )
        if toml and profile in known:
            sources.append(toml)
    if profile == SANDBOX_PROFILE:
        sources.append(SandboxSource(find_sandbox_dir()))
    return sources


def _check_explicit(explicit: dict[str, Any], specs: Sequence[Spec], label: str) -> None:
    unknown = sorted(set(explicit) - {s.name for s in specs})
    if unknown:
        raise ConfigError(
            f"unknown {label} setting(s): {', '.join(unknown)}",
            hint="known settings: " + ", ".join(s.name for s in specs),
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _secret(value: Any) -> Secret | None:
    return None if value is None else Secret(value)


def _infer_auth(res: _Resolution) -> str:
    has = res.found.__contains__
    # a password, when one is found, says the user means a password flow: a key file the
    # sandbox also publishes must not silently take over and make a wrong password "work"
    if has("session_id"):
        return "session"
    if has("password"):
        return "oauth_password" if has("consumer_key") and has("consumer_secret") else "password"
    if has("private_key_file"):
        return "jwt"
    if has("consumer_key") and has("consumer_secret"):
        return "client_credentials"
    return "password"


SF_REQUIRED = {
    "password": ("username", "password"),
    "oauth_password": ("username", "password", "consumer_key", "consumer_secret"),
    "client_credentials": ("consumer_key", "consumer_secret"),
    "jwt": ("username", "consumer_key", "private_key_file"),
    "session": ("session_id", "instance_url"),
}


def resolve_salesforce(profile: str | None = None, **explicit: Any) -> SalesforceSettings:
    """Salesforce settings from arguments > env > ``ditoolkit.toml`` profile > sandbox.

    Args:
        profile: a profile of ``ditoolkit.toml``, ``"sandbox"`` for the running sandbox, or
            ``None`` (then ``$DITOOLKIT_PROFILE``, else arguments and environment only).
        **explicit: any setting of :class:`SalesforceSettings` (``None`` means not given).

    Raises:
        ConfigError: a required setting is missing (naming every place tried), a value is
            invalid, or the profile is unknown (naming the known ones).
    """
    _check_explicit(explicit, SF_SPECS, "Salesforce")
    profile = profile or os.environ.get("DITOOLKIT_PROFILE") or None
    res = _Resolution("salesforce", SF_SPECS, _sources(profile, explicit))
    auth = _text(res.value("auth"))
    if auth is None:
        auth = _infer_auth(res)
        res.found["auth"] = Found(auth, "inferred from the settings found")
    if auth not in SF_AUTH_MODES:
        raise ConfigError(
            f"Salesforce auth {auth!r} from {res.found['auth'].source} is not a known flow",
            hint="use one of " + ", ".join(SF_AUTH_MODES),
        )
    missing = [n for n in SF_REQUIRED[auth] if n not in res.found]
    if auth == "client_credentials" and not {"login_url", "domain"} & set(res.found):
        missing.append("login_url")
    if missing:
        raise res.missing(missing, profile=profile, why=f"for auth {auth!r}")
    if "api_version" not in res.found:
        res.found["api_version"] = Found("59.0", "default")
    value = res.value
    settings = SalesforceSettings(
        profile=profile,
        auth=auth,
        username=_text(value("username")),
        password=_secret(value("password")),
        security_token=_secret(value("security_token")),
        instance_url=_text(value("instance_url")),
        login_url=_text(value("login_url")),
        domain=_text(value("domain")),
        consumer_key=_text(value("consumer_key")),
        consumer_secret=_secret(value("consumer_secret")),
        session_id=_secret(value("session_id")),
        private_key_file=_text(value("private_key_file")),
        api_version=str(value("api_version")).lstrip("v"),
        ca_bundle=_text(value("ca_bundle")),
        max_response_mb=_mebibytes(res, "max_response_mb"),
        max_csv_response_mb=_mebibytes(res, "max_csv_response_mb"),
        sources={name: hit.source for name, hit in res.found.items()},
    )
    logger.info("Salesforce settings resolved (profile %s, auth %s)", profile, auth)
    return settings


def _mebibytes(res: _Resolution, name: str) -> float | None:
    """A size bound in MiB (a positive number), or None when not set."""
    if name not in res.found:
        return None
    text = str(res.value(name)).strip()
    try:
        size = float(text)
    except ValueError:
        size = 0.0
    if not size > 0:
        raise ConfigError(
            f"{res.section} {name} from {res.found[name].source} must be a positive number "
            f"of MiB, not {text!r}",
            hint="for example 256 (answers larger than that are refused unread)",
        )
    return size


def _int(value: Any, *, name: str, source: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise ConfigError(
            f"Dialog Insight {name} from {source} must be a whole number",
            hint="use the idKey shown on DI's key screen (Users → Web Services)",
        ) from None


def _base_url(res: _Resolution, profile: str | None) -> tuple[str, str | None]:
    region = _text(res.value("region"))
    if region is not None and region.lower() not in DI_REGIONS:
        raise ConfigError(
            f"Dialog Insight region {region!r} from {res.found['region'].source} is unknown",
            hint="use one of " + ", ".join(DI_REGIONS) + " or give base_url",
        )
    base = _text(res.value("base_url"))
    if base is None:
        if region is None:
            raise res.missing(["base_url", "region"], profile=profile, why="(one of them)")
        base = DI_REGIONS[region.lower()]
        res.found["base_url"] = Found(base, f"region {region.lower()}")
    return (base if base.endswith("/") else base + "/"), region and region.lower()


def _projects(raw: Any, source: str) -> tuple[DIProject, ...]:
    try:
        return tuple(
            p
            if isinstance(p, DIProject)
            else DIProject(
                id=int(p.get("idProject", p.get("id"))),
                name=str(p.get("name", "")),
                type=str(p.get("type", "")).upper(),
            )
            for p in raw or ()
        )
    except (AttributeError, TypeError, ValueError):
        raise ConfigError(
            f"Dialog Insight projects from {source} must be a list of tables with idProject",
            hint='write projects = [{idProject = 1001, name = "Communications", type = "A"}]',
        ) from None


def _tables(raw: Any, source: str) -> tuple[DITable, ...]:
    try:
        return tuple(
            t
            if isinstance(t, DITable)
            else DITable(
                id_table=int(t.get("idTable", t.get("id_table"))),
                code=str(t["code"]),
                id_project=int(t.get("idProject", t.get("id_project"))),
            )
            for t in raw or ()
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        raise ConfigError(
            f"Dialog Insight tables from {source} must be a list with idTable, code, idProject",
            hint='write tables = [{idTable = 2001, code = "Purchases", idProject = 1001}]',
        ) from None


def resolve_dialoginsight(profile: str | None = None, **explicit: Any) -> DialogInsightSettings:
    """Dialog Insight settings from arguments > env > ``ditoolkit.toml`` profile > sandbox.

    Args:
        profile: as for :func:`resolve_salesforce`.
        **explicit: any setting of :class:`DialogInsightSettings`.

    Raises:
        ConfigError: a required setting is missing (naming every place tried), a value is
            invalid, or the profile is unknown.
    """
    _check_explicit(explicit, DI_SPECS, "Dialog Insight")
    profile = profile or os.environ.get("DITOOLKIT_PROFILE") or None
    res = _Resolution("dialoginsight", DI_SPECS, _sources(profile, explicit))
    missing = [n for n in ("id_key", "key") if n not in res.found]
    if missing:
        raise res.missing(missing, profile=profile, why="")
    base_url, region = _base_url(res, profile)
    src = {name: hit.source for name, hit in res.found.items()}
    settings = DialogInsightSettings(
        profile=profile,
        base_url=base_url,
        region=region,
        id_key=_int(res.value("id_key"), name="id_key", source=src["id_key"]),
        key=_secret(res.value("key")),
        ca_bundle=_text(res.value("ca_bundle")),
        max_response_mb=_mebibytes(res, "max_response_mb"),
        projects=_projects(res.value("projects"), src.get("projects", "")),
        tables=_tables(res.value("tables"), src.get("tables", "")),
        sources=src,
    )
    logger.info("Dialog Insight settings resolved (profile %s, %s)", profile, base_url)
    return settings

"""The places a setting can come from, in order: arguments, environment, profile, sandbox.

Each source answers ``lookup(section, spec)`` with the value found (or ``None``) and the places
it tried, so that a missing setting can be reported with every place looked at.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ditoolkit.errors import ConfigError

CONFIG_FILE = "ditoolkit.toml"
SANDBOX_DEFAULT = Path(".ditoolkit") / "sandbox"
SANDBOX_FILE = "sandbox.json"


@dataclass(frozen=True)
class Spec:
    """One setting: its name, environment variable, kind and aliases in ``sandbox.json``.

    Attributes:
        name: the setting (and keyword argument) name.
        env: the environment variable read for it.
        kind: ``str``, ``secret``, ``int``, ``path`` or ``list``.
        sandbox_key: its key in the ``sandbox.json`` section, when different from ``name``.
    """

    name: str
    env: str | None = None
    kind: str = "str"
    sandbox_key: str | None = None


@dataclass(frozen=True)
class Found:
    """A raw value and the place it came from."""

    value: Any
    source: str


Lookup = tuple[Found | None, list[str]]


class ExplicitSource:
    """Keyword arguments given to ``resolve_*`` (``None`` means not given)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def lookup(self, section: str, spec: Spec) -> Lookup:
        place = f"argument {spec.name}"
        value = self._values.get(spec.name)
        return (Found(value, "argument"), [place]) if value is not None else (None, [place])


class EnvSource:
    """Environment variables ``DITOOLKIT_SF_*`` / ``DITOOLKIT_DI_*``."""

    def lookup(self, section: str, spec: Spec) -> Lookup:
        if spec.env is None:
            return None, []
        place = f"env {spec.env}"
        value = os.environ.get(spec.env)
        return (Found(value, place), [place]) if value else (None, [place])


def find_config_file() -> Path | None:
    """``$DITOOLKIT_CONFIG``, else the first ``ditoolkit.toml`` walking up from the cwd.

    Raises:
        ConfigError: ``DITOOLKIT_CONFIG`` names a file that does not exist.
    """
    configured = os.environ.get("DITOOLKIT_CONFIG")
    if configured:
        path = Path(configured).expanduser().resolve()
        if not path.is_file():
            raise ConfigError(
                f"DITOOLKIT_CONFIG names {path}, which does not exist",
                hint="fix the variable or unset it to look for ditoolkit.toml from the working directory",
            )
        return path
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / CONFIG_FILE).is_file():
            return folder / CONFIG_FILE
    return None


class ProfileSource:
    """A ``[profiles.NAME.<section>]`` table of ``ditoolkit.toml``.

    A secret may be written as ``{keyring = "service"}`` (optionally with ``username``; the
    default username is the setting's name, e.g. ``password``), read from the OS keyring, or
    ``{env = "VAR"}``, read from another environment variable. A relative path (``ca_bundle``,
    ``private_key_file``) is taken relative to the file's folder.
    """

    def __init__(self, path: Path, profile: str) -> None:
        self.path = path
        self.profile = profile

    @cached_property
    def document(self) -> dict[str, Any]:
        try:
            with open(self.path, "rb") as handle:
                return tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"{self.path} is not valid TOML: {exc}", hint="fix the file's syntax"
            ) from None

    def profiles(self) -> list[str]:
        """The profile names the file defines."""
        profiles = self.document.get("profiles", {})
        return sorted(profiles) if isinstance(profiles, dict) else []

    def lookup(self, section: str, spec: Spec) -> Lookup:
        table = f"[profiles.{self.profile}.{section}]"
        place = f"{CONFIG_FILE} {self.path} {table}.{spec.name}"
        values = self.document.get("profiles", {}).get(self.profile, {}).get(section, {})
        if spec.name not in values:
            return None, [place]
        raw = values[spec.name]
        if isinstance(raw, dict) and spec.kind != "list":
            return self._indirect(raw, spec=spec, place=place)
        if spec.kind == "path" and isinstance(raw, str):
            raw = str((self.path.parent / Path(raw).expanduser()).resolve())
        return Found(raw, place), [place]

    def _indirect(self, raw: dict[str, Any], *, spec: Spec, place: str) -> Lookup:
        if "env" in raw:
            var = str(raw["env"])
            where = f"env {var} (named by {place})"
            value = os.environ.get(var)
            return (Found(value, where), [where]) if value else (None, [where])
        if "keyring" in raw:
            service = str(raw["keyring"])
            username = str(raw.get("username", spec.name))
            where = f"keyring {service}/{username}"
            value = read_keyring(service, username)
            return (Found(value, where), [place, where]) if value else (None, [place, where])
        raise ConfigError(
            f"{place} is a table with neither 'keyring' nor 'env'",
            hint='write a plain value, {keyring = "service"} or {env = "VARIABLE"}',
        )


def read_keyring(service: str, username: str) -> str | None:
    """The password stored in the OS keyring for ``service``/``username``, if any.

    Raises:
        ConfigError: the ``keyring`` package is missing or its backend failed.
    """
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise ConfigError(
            f"ditoolkit.toml asks the OS keyring for {service}/{username}, "
            "but the keyring package is not installed",
            hint="pip install 'ditoolkit[keyring]'",
        ) from None
    try:
        value = keyring.get_password(service, username)
    except KeyringError as exc:
        raise ConfigError(
            f"the OS keyring could not read {service}/{username} ({type(exc).__name__})",
            hint="check the keyring backend (python -m keyring diagnose) or use {env = ...}",
        ) from None
    return value


def find_sandbox_dir() -> Path:
    """``$DITOOLKIT_SANDBOX_DIR``, else ``.ditoolkit/sandbox`` here or in a parent folder.

    Notebooks run from ``notebooks/``, so the search walks up; when nothing is found the
    default below the working directory is returned.
    """
    configured = os.environ.get("DITOOLKIT_SANDBOX_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / SANDBOX_DEFAULT / SANDBOX_FILE).is_file():
            return folder / SANDBOX_DEFAULT
    return Path.cwd() / SANDBOX_DEFAULT


class SandboxSource:
    """The running sandbox's ``sandbox.json`` (profile ``sandbox``)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / SANDBOX_FILE

    @cached_property
    def document(self) -> dict[str, Any] | None:
        if not self.path.is_file():
            return None
        try:
            loaded: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot read the sandbox's {self.path} ({type(exc).__name__})",
                hint="restart it: python -m ditoolkit sandbox start",
            ) from None
        return loaded

    def lookup(self, section: str, spec: Spec) -> Lookup:
        key = spec.sandbox_key or spec.name
        if self.document is None:
            return None, [f"sandbox {self.path} (not running)"]
        place = f"sandbox {self.path} {section}.{key}"
        value = self.document.get(section, {}).get(key)
        return (Found(value, f"sandbox {self.path}"), [place]) if value else (None, [place])

"""What each side holds: connect with a profile, then list objects, projects, tables and counts.

The connection panel and ``01_connect`` both call :func:`connect_both` and :func:`survey`;
nothing here needs a widget, so an unattended run gets the same answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ditoolkit.errors import DitoolkitError
from ditoolkit.ui.schemas import LiveSchemas
from ditoolkit.workflow.connections import Connections

#: The objects counted by default (the DI guide's Contacts and Leads, and their Accounts).
DEFAULT_COUNTED = ("Account", "Contact", "Lead")
SYSTEM_LABELS = {"salesforce": "Salesforce", "dialoginsight": "Dialog Insight"}


def describe_error(exc: BaseException) -> str:
    """A one-line account of a failure that never carries a secret.

    Our own errors are written secret-free (their message and hint are shown); anything else
    is named by its type only, since its text may echo a request.
    """
    if isinstance(exc, DitoolkitError):
        return str(exc)
    return f"{type(exc).__name__} (unexpected; see the log for details)"


@dataclass
class ConnectionCheck:
    """Both adapters for one profile, with the error of a side that did not connect.

    Attributes:
        profile: the profile used.
        connections: the :class:`ditoolkit.workflow.Connections` (counts API calls).
        errors: system → what went wrong (secret-free).
    """

    profile: str | None
    connections: Connections
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def salesforce(self) -> Any:
        """The Salesforce adapter, or ``None`` when it did not connect."""
        return None if "salesforce" in self.errors else self.connections.salesforce

    @property
    def dialoginsight(self) -> Any:
        """The Dialog Insight adapter, or ``None`` when it did not connect."""
        return None if "dialoginsight" in self.errors else self.connections.dialoginsight

    @property
    def ok(self) -> bool:
        """True when both sides connected."""
        return not self.errors

    def schemas(self) -> LiveSchemas:
        """A :class:`LiveSchemas` over both adapters."""
        return LiveSchemas(self.salesforce, self.dialoginsight)

    def raise_for_errors(self) -> None:
        """Raise one error naming each side that did not connect."""
        if self.errors:
            text = "; ".join(f"{SYSTEM_LABELS[k]}: {v}" for k, v in self.errors.items())
            raise DitoolkitError(
                f"profile {self.profile!r} did not connect: {text}",
                hint="check the profile's settings (ditoolkit.config.settings_source_report), "
                "or start the sandbox: python -m ditoolkit sandbox start --data-dir DIR",
            )


def connect_both(
    profile: str | None,
    *,
    connect_salesforce: Callable[..., Any] | None = None,
    connect_dialoginsight: Callable[..., Any] | None = None,
) -> ConnectionCheck:
    """Connect both sides with ``profile``; a side that fails is recorded, not raised."""
    from ditoolkit import api

    makers = {
        "salesforce": connect_salesforce or api.connect_salesforce,
        "dialoginsight": connect_dialoginsight or api.connect_dialoginsight,
    }
    adapters: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for side, make in makers.items():
        try:
            adapters[side] = make(profile=profile)
        except Exception as exc:  # shown in the panel; never re-raised with its text
            errors[side] = describe_error(exc)
    return ConnectionCheck(profile, Connections(profile, **adapters), errors)


@dataclass(frozen=True)
class ConnectionSurvey:
    """What each side holds, as the connection panel and ``01_connect`` show it.

    Attributes:
        profile: the profile used.
        organization: the Salesforce org's name.
        instance: the Salesforce instance (host).
        objects: ``object``, ``rows`` (rows counted for the objects asked for, else NA).
        projects: ``idProject``, ``name``, ``type``, ``key`` (the contacts' primary key).
        tables: ``idProject``, ``table``, ``rows``.
        errors: system → what went wrong.
        api_calls: calls spent on each system.
        seconds: how long it took.
    """

    profile: str | None
    organization: str | None
    instance: str | None
    objects: pd.DataFrame
    projects: pd.DataFrame
    tables: pd.DataFrame
    errors: dict[str, str]
    api_calls: dict[str, int]
    seconds: float

    @property
    def ok(self) -> bool:
        """True when both sides answered."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures (no secrets: names, ids, types and counts only)."""
        return {
            "profile": self.profile,
            "organization": self.organization,
            "instance": self.instance,
            "objects": _records(self.objects),
            "projects": _records(self.projects),
            "tables": _records(self.tables),
            "errors": dict(self.errors),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [
        {str(k): (int(v) if hasattr(v, "__index__") else v) for k, v in r.items()} for r in rows
    ]


def survey(
    connections: ConnectionCheck, *, count: Sequence[str] = DEFAULT_COUNTED
) -> ConnectionSurvey:
    """Ask both sides what they hold; a side that fails is recorded in ``errors``."""
    started = time.perf_counter()
    before = connections.connections.api_calls()
    errors = dict(connections.errors)
    sf_part: tuple[str | None, str | None, pd.DataFrame] = (None, None, _empty_objects())
    di_part = (_empty_projects(), _empty_tables())
    if connections.salesforce is not None:
        try:
            sf_part = _salesforce_part(connections.salesforce, count)
        except Exception as exc:
            errors["salesforce"] = describe_error(exc)
    if connections.dialoginsight is not None:
        try:
            di_part = _dialoginsight_part(connections.dialoginsight)
        except Exception as exc:
            errors["dialoginsight"] = describe_error(exc)
    return ConnectionSurvey(
        profile=connections.profile,
        organization=sf_part[0],
        instance=sf_part[1],
        objects=sf_part[2],
        projects=di_part[0],
        tables=di_part[1],
        errors=errors,
        api_calls={k: v - before[k] for k, v in connections.connections.api_calls().items()},
        seconds=time.perf_counter() - started,
    )


def _empty_objects() -> pd.DataFrame:
    return pd.DataFrame({"object": pd.Series(dtype="string"), "rows": pd.Series(dtype="Int64")})


def _empty_projects() -> pd.DataFrame:
    columns = {"idProject": "Int64", "name": "string", "type": "string", "key": "string"}
    return pd.DataFrame({k: pd.Series(dtype=v) for k, v in columns.items()})


def _empty_tables() -> pd.DataFrame:
    columns = {"idProject": "Int64", "table": "string", "rows": "Int64"}
    return pd.DataFrame({k: pd.Series(dtype=v) for k, v in columns.items()})


def _salesforce_part(sf: Any, count: Sequence[str]) -> tuple[str | None, str | None, pd.DataFrame]:
    org = sf.read("Organization", columns=["Name"])
    organization = str(org["Name"].iloc[0]) if len(org) else None
    names = LiveSchemas(sf, None).objects()
    rows = [sf.count(name) if name in count else None for name in names]
    objects = pd.DataFrame({"object": names, "rows": rows}).astype(
        {"object": "string", "rows": "Int64"}
    )
    return organization, str(getattr(sf.sf, "sf_instance", "") or "") or None, objects


def _dialoginsight_part(di: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    projects = di.projects()
    keys: list[str | None] = []
    tables: list[tuple[int, str, int]] = []
    for id_project in projects["idProject"].astype(int):
        for code in di.tables(project=id_project):
            schema = di.describe(code, project=id_project)
            if code == "Contact":
                keys.append(schema.key)
            columns = [schema.key] if schema.key else None
            tables.append(
                (id_project, code, len(di.read(code, project=id_project, columns=columns)))
            )
    projects = projects.assign(key=pd.array(keys, dtype="string"))
    frame = pd.DataFrame(tables, columns=["idProject", "table", "rows"]).astype(
        {"idProject": "Int64", "table": "string", "rows": "Int64"}
    )
    return projects, frame

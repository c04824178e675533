"""Applying a plan: freshness, every planned row journaled, then sent by the run engine.

:func:`apply_plan` / :func:`apply_legs` refuse a plan whose target changed since the preview,
record the run and every planned row (with its before-image) in the
:class:`~ditoolkit.core.journal.Journal`, then hand the run to
:class:`~ditoolkit.core.run_engine.RunEngine`, which sends the rows in batches: inserts (as
upserts by the key where the system allows, so that a resumed run cannot duplicate), updates
(only the changed fields and the key), deletes. :func:`resume_run` continues an interrupted
(or killed) run where it stopped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ditoolkit.core.apply_rows import ORDER, planned_rows
from ditoolkit.core.destination import Destination
from ditoolkit.core.journal import Journal, PlannedRow, new_run_id
from ditoolkit.core.plan import Plan
from ditoolkit.core.run_engine import ApplySettings, RunEngine
from ditoolkit.core.run_result import RunResult


def check_target_fresh(
    plan: Plan, target: Destination, *, reread: Callable[[], pd.DataFrame] | None = None
) -> None:
    """Re-read the target and refuse the plan if it changed since the preview.

    A plan with no row to write (no insert, update or delete, to either side) is not re-read:
    nothing will be written from it, so a change made since the preview can do no harm, and
    the next preview sees it. Whatever a run of such a plan saves afterwards (watermarks, the
    base snapshot of a two-way transfer) is taken from the rows read at the preview, so a
    change made after it is still found by the next run.

    Args:
        plan: the plan.
        target: the table it was made against.
        reread: reads the target as the preview did (default: key and plan fields).

    Raises:
        ApplyError: the target changed (see :meth:`Plan.check_fresh`).
    """
    if not writes_rows(plan):
        return
    if reread is not None:
        plan.check_fresh(reread())
        return
    columns = [c for c in plan.fields if target.schema.get(c) is not None]
    plan.check_fresh(target.read_all([plan.key, *columns]))


def writes_rows(plan: Plan) -> bool:
    """Whether ``plan`` has a row to write (an insert, update or delete, to either side)."""
    return not plan.rows.empty


@dataclass(frozen=True, eq=False)
class Leg:
    """One plan of a run and the table it writes to.

    Attributes:
        plan: the frozen plan from the preview.
        target: the table the plan's rows go to.
        label: the journal's name of that table (default: the plan's direction).
        target_frame: the target rows read at preview (for raw before-images).
        reread: reads the target as the preview did, for the freshness check.
        source: where a plan's reverse updates go (plans with ``side = source`` rows).
        source_frame: the source rows read at preview.
    """

    plan: Plan
    target: Destination
    label: str | None = None
    target_frame: pd.DataFrame | None = None
    reread: Callable[[], pd.DataFrame] | None = None
    source: Destination | None = None
    source_frame: pd.DataFrame | None = None

    @property
    def name(self) -> str:
        """The journal's name of the target table."""
        return self.label or self.plan.direction


def apply_plan(
    plan: Plan,
    *,
    target: Destination,
    journal: Journal,
    source: Destination | None = None,
    target_frame: pd.DataFrame | None = None,
    source_frame: pd.DataFrame | None = None,
    settings: ApplySettings | None = None,
    parameters: Mapping[str, Any] | None = None,
    check_fresh: bool = True,
    reread: Callable[[], pd.DataFrame] | None = None,
) -> RunResult:
    """Apply one plan (see :func:`apply_legs`); its tables are named ``target`` / ``source``."""
    leg = Leg(plan, target, "target", target_frame, reread, source, source_frame)
    return apply_legs(
        [leg], journal=journal, settings=settings, parameters=parameters, check_fresh=check_fresh
    )


def apply_legs(
    legs: Sequence[Leg],
    *,
    journal: Journal,
    settings: ApplySettings | None = None,
    parameters: Mapping[str, Any] | None = None,
    check_fresh: bool = True,
) -> RunResult:
    """Apply the plans of one transfer (one per direction) as one journaled run.

    Args:
        legs: each plan and the table it writes to.
        journal: where the run is recorded.
        settings: batches, dry run, verify.
        parameters: what the run was asked (mapping, transfer, profile; never secrets).
        check_fresh: re-read each target and refuse a stale plan (off only for a plan made
            moments ago from the same read); a leg whose plan writes no row is not re-read
            (see :func:`check_target_fresh`).

    Returns:
        The :class:`RunResult`; its status is ``completed``, ``dry_run`` or ``interrupted``.

    Raises:
        ApplyError: a plan is stale (nothing was written or journaled).
    """
    chosen = settings or ApplySettings()
    if check_fresh:
        for leg in legs:
            check_target_fresh(leg.plan, leg.target, reread=leg.reread)
    rows: list[PlannedRow] = []
    ends: dict[str, Destination | None] = {}
    for leg in legs:
        labels = {"target": leg.name, "source": f"{leg.name}:source"}
        ends |= {labels["target"]: leg.target, labels["source"]: leg.source}
        rows += planned_rows(
            leg.plan,
            target=leg.target,
            source=leg.source,
            target_frame=leg.target_frame,
            source_frame=leg.source_frame,
            labels=labels,
            first_seq=len(rows),
        )
    first = legs[0].plan if legs else None
    run_id = new_run_id()
    journal.start_run(
        run_id,
        kind="apply",
        rows=rows,
        parameters={**(parameters or {}), "dry_run": chosen.dry_run},
        transfer=first.transfer_name if first else None,
        direction=",".join(leg.plan.direction for leg in legs),
        mapping_fingerprint=first.mapping_fingerprint if first else None,
        plan_fingerprint=_joint_fingerprint(legs),
        plan=json.dumps({leg.name: leg.plan.to_json_value() for leg in legs}),
    )
    return RunEngine(journal, run_id, ends=ends, settings=chosen).run(check_rows=False)


def _joint_fingerprint(legs: Sequence[Leg]) -> str:
    text = "|".join(f"{leg.name}:{leg.plan.fingerprint}" for leg in legs)
    return hashlib.sha256(text.encode()).hexdigest()


def _ends(
    destinations: Mapping[str, Destination] | None,
    *,
    target: Destination | None,
    source: Destination | None,
) -> dict[str, Destination | None]:
    if destinations is not None:
        return dict(destinations)
    return {"target": target, "source": source}


def resume_run(
    run_id: str,
    *,
    journal: Journal,
    destinations: Mapping[str, Destination] | None = None,
    target: Destination | None = None,
    source: Destination | None = None,
    settings: ApplySettings | None = None,
) -> RunResult:
    """Continue an interrupted or killed run where it stopped.

    Rows whose outcome is unknown (sent, never recorded) are reconciled by a re-read of the
    target by key; rows never sent are written if they still hold their before-image, else
    recorded as failed with ``TARGET_CHANGED``. A finished run is returned as it is.

    Args:
        run_id: the run.
        journal: its journal.
        destinations: the journal's table names (a direction, ``target``) → table; or give
            ``target`` (and ``source``) for a run made by :func:`apply_plan`.
        target / source: see ``destinations``.
        settings: batches, verify (a dry run stays a dry run).
    """
    record = journal.run(run_id)
    chosen = settings or ApplySettings(dry_run=bool(record.parameters.get("dry_run")))
    ends = _ends(destinations, target=target, source=source)
    runner = RunEngine(journal, run_id, ends=ends, settings=chosen)
    if not record.unfinished:
        return runner.result(record.status)
    journal.set_status(run_id, "running", ended=False)
    return runner.run(check_rows=True)


__all__ = [
    "ORDER",
    "ApplySettings",
    "Leg",
    "RunEngine",
    "RunResult",
    "apply_legs",
    "apply_plan",
    "check_target_fresh",
    "resume_run",
    "writes_rows",
]

"""``python -m ditoolkit undo RUN_ID [--profile P] [--yes]``.

Without ``--yes`` it prints what the undo would do (one line per row: table, key, operation,
values restored) and writes nothing. With ``--yes`` it reverses the run as a new journaled run
of kind ``undo`` and prints that run's id on stdout. Exit status: 0 every row restored (or
nothing to do), 1 some row could not be restored (changed since, or failed), 2 refused.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TextIO

import pandas as pd

from ditoolkit.config import ditoolkit_home
from ditoolkit.core.journal import Journal
from ditoolkit.core.mapping import Mapping
from ditoolkit.core.run_result import RunResult
from ditoolkit.core.undo import describe_undo, undo_run
from ditoolkit.errors import ApplyError
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.destinations import transfer_tables


def _print_preview(journal: Journal, run_id: str, *, stream: TextIO) -> None:
    preview = describe_undo(journal, run_id)
    print(f"undo of run {run_id} would make {len(preview)} row change(s):", file=stream)
    for row in preview.itertuples():
        values = json.dumps(row.restore, ensure_ascii=False, sort_keys=True)
        print(f"  {row.table} {row.key}: {row.operation} {values}", file=stream)
    print("nothing was written; run again with --yes to undo", file=stream)


def _ask(preview: pd.DataFrame) -> bool:
    answer = input(f"undo {len(preview)} row change(s)? type yes to confirm: ")
    return answer.strip().lower() == "yes"


def undo(
    run_id: str,
    *,
    profile: str | None = None,
    confirm: Callable[[pd.DataFrame], bool] | bool = _ask,
) -> RunResult | pd.DataFrame:
    """Undo a run from a notebook: show what would change, ask, then undo.

    Args:
        run_id: the run (printed by apply, in summary.json).
        profile: the connection profile (default: the run's).
        confirm: asked with the row changes (a DataFrame); ``True`` skips the question
            (unattended runs), ``False`` only shows them.

    Returns:
        The undo run's :class:`RunResult`, or the row changes when not confirmed.
    """
    with Journal.in_home(ditoolkit_home()) as journal:
        preview = describe_undo(journal, run_id)
        agreed = confirm if isinstance(confirm, bool) else confirm(preview)
        if not agreed:
            return preview
        return _undo(journal, run_id, profile=profile)


def _undo(journal: Journal, run_id: str, *, profile: str | None) -> RunResult:
    record = journal.run(run_id)
    mapping = Mapping.load(str(record.parameters["mapping"]))
    transfer = mapping.transfer(str(record.transfer))
    chosen = profile if profile is not None else record.parameters.get("profile")
    connections = Connections(str(chosen) if chosen is not None else None)
    try:
        tables = transfer_tables(transfer, connections)
        return undo_run(run_id, journal=journal, destinations=tables.destinations())
    finally:
        connections.close()


def run_undo_command(
    run_id: str,
    *,
    profile: str | None = None,
    yes: bool = False,
    stream: TextIO | None = None,
) -> int:
    """The ``undo`` sub-command; returns the exit status (refusals raise a DitoolkitError)."""
    err = stream or sys.stderr
    with Journal.in_home(ditoolkit_home()) as journal:
        record = journal.run(run_id)
        if record.kind != "apply":
            raise ApplyError(
                f"run {run_id} is an {record.kind} run", hint="undo the apply run it reversed"
            )
        if not yes:
            _print_preview(journal, run_id, stream=sys.stdout)
            return 0
        result = _undo(journal, run_id, profile=profile)
    print(result.run_id, file=sys.stdout, flush=True)
    counts = " · ".join(f"{k} {v}" for k, v in sorted(result.counts().items()))
    print(f"undo of {run_id}: run {result.run_id} {result.status} · {counts}", file=err)
    if result.status == "interrupted":
        print(f"  stopped: {result.error}", file=err)
        return 2
    return 0 if result.ok else 1

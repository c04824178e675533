"""``python -m ditoolkit undo RUN_ID [--profile P] [--yes]``.

Without ``--yes`` it prints what the undo would do (one line per row: table, key, operation,
values restored) and writes nothing. With ``--yes`` it reverses the run as a new journaled run
of kind ``undo`` and prints that run's id on stdout. Exit status: 0 every row restored (or
nothing to do), 1 some row could not be restored (changed since, or failed), 2 refused.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from ditoolkit.config import ditoolkit_home
from ditoolkit.core.journal import Journal
from ditoolkit.core.mapping import Mapping
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
        mapping = Mapping.load(str(record.parameters["mapping"]))
        transfer = mapping.transfer(str(record.transfer))
        chosen = profile if profile is not None else record.parameters.get("profile")
        connections = Connections(str(chosen) if chosen is not None else None)
        try:
            tables = transfer_tables(transfer, connections)
            result = undo_run(run_id, journal=journal, destinations=tables.destinations())
        finally:
            connections.close()
    print(result.run_id, file=sys.stdout, flush=True)
    counts = " · ".join(f"{k} {v}" for k, v in sorted(result.counts().items()))
    print(f"undo of {run_id}: run {result.run_id} {result.status} · {counts}", file=err)
    if result.status == "interrupted":
        print(f"  stopped: {result.error}", file=err)
        return 2
    return 0 if result.ok else 1

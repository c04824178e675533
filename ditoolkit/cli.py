"""Command line: ``python -m ditoolkit sandbox|plan|apply|undo|demo``.

Each sub-command is a small function that parses nothing itself and delegates to the package.
Exit status: 0 success, 1 rows failed or held back, 2 refused (configuration, mapping, auth).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ditoolkit.errors import DitoolkitError

EXIT_OK, EXIT_ROWS, EXIT_REFUSED = 0, 1, 2


def _sandbox_start(args: argparse.Namespace) -> int:
    from ditoolkit.sandbox.runner import serve

    ports = {
        k: v for k, v in {"salesforce": args.sf_port, "dialoginsight": args.di_port}.items() if v
    }
    asyncio.run(serve(Path(args.data_dir), seed=args.seed, host=args.host, ports=ports))
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from ditoolkit.workflow.plan_command import run_plan_command

    return run_plan_command(
        args.mapping, transfer=args.transfer, profile=args.profile, out=args.out
    )


def _apply(args: argparse.Namespace) -> int:
    from ditoolkit.workflow.apply_command import run_apply_command

    return run_apply_command(
        args.mapping,
        transfer=args.transfer,
        profile=args.profile,
        out=args.out,
        dry_run=args.dry_run,
        resume=args.resume,
        full=args.full,
        resolve=args.resolve,
    )


def _undo(args: argparse.Namespace) -> int:
    from ditoolkit.workflow.undo_command import run_undo_command

    return run_undo_command(args.run_id, profile=args.profile, yes=args.yes)


def _demo(args: argparse.Namespace) -> int:
    from ditoolkit.workflow.demo import run_demo

    return run_demo(out=Path(args.out))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ditoolkit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    sandbox = commands.add_parser("sandbox", help="local Salesforce and Dialog Insight emulators")
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True)
    start = sandbox_commands.add_parser("start", help="run both sandboxes in the foreground")
    start.add_argument(
        "--data-dir", required=True, help="where state, certificates and sandbox.json live"
    )
    start.add_argument("--seed", choices=["demo", "empty"], default="demo")
    start.add_argument("--host", default="127.0.0.1")
    start.add_argument("--sf-port", type=int, default=0)
    start.add_argument("--di-port", type=int, default=0)
    start.set_defaults(handler=_sandbox_start)

    plan = commands.add_parser(
        "plan", help="check a mapping and preview its transfers; writes nothing to either system"
    )
    plan.add_argument("mapping", help="the mapping file (YAML)")
    plan.add_argument("--transfer", help="preview only this transfer")
    plan.add_argument("--profile", help="connection profile (ditoolkit.toml, or 'sandbox')")
    plan.add_argument(
        "--out", help="write summary.json, plan.csv, results.csv, errors.csv, report.html here"
    )
    plan.set_defaults(handler=_plan)

    apply = commands.add_parser(
        "apply", help="apply each transfer's plan as a journaled run (prints its run id)"
    )
    apply.add_argument("mapping", nargs="?", help="the mapping file (YAML)")
    apply.add_argument("--transfer", help="apply only this transfer")
    apply.add_argument("--profile", help="connection profile (ditoolkit.toml, or 'sandbox')")
    apply.add_argument("--out", help="write summary.json, plan.csv, results.csv, errors.csv here")
    apply.add_argument(
        "--dry-run", action="store_true", help="go through everything except the writes"
    )
    apply.add_argument("--resume", metavar="RUN_ID", help="continue an interrupted run")
    apply.add_argument(
        "--full", action="store_true", help="read every source row (ignore the watermark)"
    )
    apply.add_argument(
        "--resolve",
        action="append",
        metavar="[FIELD=]POLICY",
        help="settle two-way conflicts: prefer_salesforce, prefer_dialoginsight or newest "
        "(default: report them)",
    )
    apply.set_defaults(handler=_apply)

    undo = commands.add_parser("undo", help="reverse a run from its journal (needs --yes)")
    undo.add_argument("run_id", help="the run to undo (printed by apply)")
    undo.add_argument("--profile", help="connection profile (default: the run's)")
    undo.add_argument(
        "--yes", action="store_true", help="really undo (else: show what it would do)"
    )
    undo.set_defaults(handler=_undo)

    demo = commands.add_parser(
        "demo", help="start fresh sandboxes and preview the demo mapping end to end"
    )
    demo.add_argument("--out", default="runs/demo", help="where the demo's files go")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except DitoolkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return EXIT_REFUSED

"""``python -m ditoolkit demo [--out DIR]``: the whole tour on fresh local sandboxes.

The demo is a list of :class:`Step` s run in order on one :class:`DemoContext`: start both
sandboxes with the demo seed in a temporary folder, check ``mappings/demo.yml`` against their
live schemas, then execute the notebooks with papermill, 01 → 05: connect, mapping, preview
of every transfer, the type B push of DI-acquired contacts to Salesforce leads (opt-ins), the
type A sync of Salesforce contacts into DI, the first load of the trade-show CSV file with its
bad rows. The out folder gets each executed notebook, its HTML rendering and its run files
(``<run>/summary.json``, plan.csv, results.csv, errors.csv; the CSV load's success and error
files). The sandboxes the demo started are stopped at the end, also on an error or Ctrl-C,
and the temporary folder is removed. Steps whose ``run`` is None are announced as not built
yet. To add a step, append a :class:`Step` to :data:`STEPS` (or pass ``steps=``).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TextIO

from ditoolkit.core.mapping import Mapping
from ditoolkit.errors import ConfigError, DitoolkitError
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from ditoolkit.workflow.catalog import MappingCheck, check_mapping
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.notebook_runner import NotebookRun, execute_notebook
from ditoolkit.workflow.plan_command import MappingRefused, format_counts

DEMO_MAPPING = Path("mappings") / "demo.yml"
PROFILE = "sandbox"


@dataclass
class DemoContext:
    """What the steps share.

    Attributes:
        out: where the demo's files go.
        work: the temporary folder (sandbox data, local state), removed at the end.
        stream: where the demo prints.
        mapping_path: the demo mapping.
        sandbox: the sandboxes started by the demo.
        connections: the connections to them (profile ``sandbox``).
        mapping / check: what the steps found.
        notebooks: the notebooks executed so far.
    """

    out: Path
    work: Path
    stream: TextIO
    mapping_path: Path
    sandbox: SandboxProcess | None = None
    connections: Connections | None = None
    mapping: Mapping | None = None
    check: MappingCheck | None = None
    notebooks: list[NotebookRun] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        """Print one indented detail line under the current step."""
        print(f"      {text}", file=self.stream)


@dataclass(frozen=True)
class Step:
    """One step of the demo: a title and what it does (None: not built yet)."""

    title: str
    run: Callable[[DemoContext], str] | None


def find_demo_mapping() -> Path:
    """``mappings/demo.yml`` in the working directory, else beside the package."""
    here = Path.cwd() / DEMO_MAPPING
    if here.is_file():
        return here
    beside = Path(__file__).resolve().parents[2] / DEMO_MAPPING
    if beside.is_file():
        return beside
    raise ConfigError(
        f"cannot find {DEMO_MAPPING}", hint="run the demo from the project's folder (make demo)"
    )


def start_sandboxes(ctx: DemoContext) -> str:
    """Both sandboxes, demo seed, in a fresh folder; later calls find them by profile."""
    ctx.sandbox = start_sandbox(ctx.work / "sandbox", seed="demo")
    os.environ["DITOOLKIT_SANDBOX_DIR"] = str(ctx.sandbox.data_dir)
    os.environ["DITOOLKIT_HOME"] = str(ctx.work / "home")
    ctx.connections = Connections(PROFILE)
    sf = ctx.sandbox.salesforce["instance_url"]
    di = ctx.sandbox.dialoginsight["base_url"]
    ctx.say(f"Salesforce {sf} · Dialog Insight {di}")
    return "running"


def check_demo_mapping(ctx: DemoContext) -> str:
    """Load the demo mapping and check it against both live schemas."""
    assert ctx.connections is not None
    ctx.mapping = Mapping.load(ctx.mapping_path)
    ctx.check = check_mapping(ctx.mapping, ctx.connections)
    if ctx.check.errors:
        raise MappingRefused(str(ctx.mapping_path), ctx.check.findings)
    count = len(ctx.mapping.transfers)
    return f"{count} transfers, no errors, {len(ctx.check.warnings)} warning(s)"


def _notebook(
    ctx: DemoContext, *, name: str, transfer: str | None = None, **parameters: object
) -> str:
    """Execute notebook ``name`` (papermill) on the sandboxes; say what it did."""
    chosen: dict[str, object] = {"profile": PROFILE, **parameters}
    if name != "01_connect":  # the one notebook without a mapping
        chosen["mapping"] = str(ctx.mapping_path.resolve())
    if transfer is not None:
        chosen["transfer"] = transfer
    label = f"{name}_{transfer}" if transfer else name
    run = execute_notebook(name, ctx.out, parameters=chosen, label=label)
    ctx.notebooks.append(run)
    summary = run.summary()
    for item in sorted(run.output_dir.glob("*/summary.json")):
        if item.parent.name != "preview":
            part = json.loads(item.read_text(encoding="utf-8"))
            ctx.say(f"{part['transfer']}: {format_counts(part['counts'])}")
    for extra in sorted(run.output_dir.glob("*.success.csv")) + sorted(
        run.output_dir.glob("*.error.csv")
    ):
        rows = sum(1 for _ in extra.open(encoding="utf-8-sig")) - 1
        ctx.say(f"{extra.name}: {rows} row(s)")
    calls = summary["api_calls"]
    head = f"run {summary['run_id']}: " if summary.get("run_id") else ""
    counts = f"{format_counts(summary['counts'])}; " if any(summary["counts"].values()) else ""
    return (
        f"{head}{counts}{calls['salesforce']} Salesforce and "
        f"{calls['dialoginsight']} Dialog Insight API calls → {run.executed}"
    )


def notebook_step(title: str, name: str, **parameters: object) -> Step:
    """A step that executes notebook ``name`` with ``parameters``."""
    return Step(title, partial(_notebook, name=name, **parameters))


STEPS: list[Step] = [
    Step("start the sandboxes (demo seed)", start_sandboxes),
    Step("check mappings/demo.yml against both live schemas", check_demo_mapping),
    notebook_step("01_connect: what each side holds", "01_connect"),
    notebook_step("02_mapping: the mapping against both live schemas", "02_mapping"),
    notebook_step("03_preview: quality and diff of every transfer, nothing written", "03_preview"),
    notebook_step(
        "04_sync, type B: DI-acquired contacts pushed to Salesforce leads, with opt-ins",
        "04_sync",
        transfer="acquisition_to_leads",
        dry_run=False,
    ),
    notebook_step(
        "04_sync, type A: Salesforce contacts synced into DI project 1001",
        "04_sync",
        transfer="contacts_to_di",
        dry_run=False,
    ),
    notebook_step(
        "05_csv_load: first load of the trade-show CSV file, with its bad rows",
        "05_csv_load",
        transfer="tradeshow_csv_to_di",
        dry_run=False,
    ),
]


@contextmanager
def _restored_environment(*names: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run_steps(ctx: DemoContext, steps: Sequence[Step]) -> list[str]:
    """Run each step; the titles of those not built yet are returned."""
    missing = []
    for number, step in enumerate(steps, start=1):
        head = f"[{number}/{len(steps)}] {step.title}"
        if step.run is None:
            print(f"{head}: not built yet", file=ctx.stream)
            missing.append(step.title)
            continue
        print(f"{head} ...", file=ctx.stream, flush=True)
        started = time.perf_counter()
        try:
            outcome = step.run(ctx)
        except DitoolkitError:
            print(f"      failed at step {number}: {step.title}", file=ctx.stream)
            raise
        ctx.say(f"done in {time.perf_counter() - started:.1f} s: {outcome}")
    return missing


def run_demo(
    *, out: Path, stream: TextIO | None = None, steps: Sequence[Step] | None = None
) -> int:
    """Run the demo's steps on fresh sandboxes; 0 when every built step succeeded.

    Raises:
        DitoolkitError: a step failed (the sandboxes are stopped first).
    """
    shown = stream or sys.stdout
    work = Path(tempfile.mkdtemp(prefix="ditoolkit-demo-"))
    ctx = DemoContext(out=out, work=work, stream=shown, mapping_path=find_demo_mapping())
    print(f"ditoolkit demo: files go to {out}", file=shown)
    try:
        with _restored_environment("DITOOLKIT_SANDBOX_DIR", "DITOOLKIT_HOME"):
            missing = _run_steps(ctx, steps if steps is not None else STEPS)
    finally:
        if ctx.connections is not None:
            ctx.connections.close()
        if ctx.sandbox is not None:
            ctx.sandbox.stop()
            print("sandboxes stopped", file=shown)
        shutil.rmtree(work, ignore_errors=True)
    _print_files(ctx)
    if missing:
        print(f"not built yet: {'; '.join(missing)}", file=shown)
    return 0


def _print_files(ctx: DemoContext) -> None:
    if not ctx.notebooks:
        return
    print(f"executed notebooks, HTML reports and run files in {ctx.out}:", file=ctx.stream)
    for run in ctx.notebooks:
        page = f", {run.html.name}" if run.html is not None else ""
        print(
            f"  {run.label}: {run.executed.name}{page}, {run.label}/summary.json "
            f"({run.seconds:.1f} s)",
            file=ctx.stream,
        )
    reports = sorted(ctx.out.glob("03_preview/*/report.html"))
    if reports:
        print(f"  preview reports: {', '.join(str(p) for p in reports)}", file=ctx.stream)

"""``python -m ditoolkit demo [--out DIR]``: the whole tour on fresh local sandboxes.

The demo is a list of :class:`Step` s run in order on one :class:`DemoContext`: start both
sandboxes with the demo seed in a temporary folder, check ``mappings/demo.yml`` against their
live schemas, preview every transfer (plan files and ``report.html`` per transfer under the
out folder). Steps whose ``run`` is None are announced as not built yet. The sandboxes the
demo started are stopped at the end, also on an error or Ctrl-C, and the temporary folder is
removed. To add a step, append a :class:`Step` to :data:`STEPS` (or pass ``steps=``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ditoolkit.core.mapping import Mapping
from ditoolkit.errors import ConfigError, DitoolkitError
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from ditoolkit.workflow.catalog import MappingCheck, check_mapping
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.plan_command import MappingRefused, PlanRun, format_counts, write_plan_files
from ditoolkit.workflow.previews import preview_mapping

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
        mapping / check / plans: what the steps found.
    """

    out: Path
    work: Path
    stream: TextIO
    mapping_path: Path
    sandbox: SandboxProcess | None = None
    connections: Connections | None = None
    mapping: Mapping | None = None
    check: MappingCheck | None = None
    plans: PlanRun | None = None
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


def preview_transfers(ctx: DemoContext) -> str:
    """Preview every transfer and write its plan files and report under ``out``."""
    assert ctx.connections is not None and ctx.mapping is not None and ctx.check is not None
    started = time.perf_counter()
    previews = preview_mapping(ctx.mapping, ctx.connections, catalog=ctx.check.catalog)
    seconds = round(time.perf_counter() - started, 3)
    ctx.plans = PlanRun(ctx.mapping, ctx.check, previews, ctx.connections.api_calls(), seconds, {})
    ctx.plans.files.update(write_plan_files(ctx.plans, ctx.out))
    for item in previews:
        ctx.say(f"{item.name}  ({'; '.join(item.preview.labels())})")
        ctx.say(f"  {format_counts(item.preview.summary())}")
    calls = ctx.plans.api_calls
    return (
        f"{len(previews)} plans, {calls['salesforce']} Salesforce and "
        f"{calls['dialoginsight']} Dialog Insight API calls, nothing written"
    )


STEPS: list[Step] = [
    Step("start the sandboxes (demo seed)", start_sandboxes),
    Step("check mappings/demo.yml against both live schemas", check_demo_mapping),
    Step("preview every transfer (plan files, report.html)", preview_transfers),
    Step("apply the plans, verify, undo", None),
    Step("run the notebooks unattended (papermill)", None),
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
    if ctx.plans is None:
        return
    print("reports:", file=ctx.stream)
    for name, files in ctx.plans.files.items():
        if files.report is not None:
            print(f"  {name}: {files.report}", file=ctx.stream)
    print(f"all plans together: {ctx.out / 'plan.csv'}, {ctx.out / 'errors.csv'}", file=ctx.stream)

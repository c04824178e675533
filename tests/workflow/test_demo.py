"""``python -m ditoolkit demo``: fresh sandboxes, the demo mapping previewed, sandboxes stopped."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ditoolkit.errors import ConfigError
from ditoolkit.sandbox.process import SandboxProcess
from ditoolkit.workflow.demo import STEPS, DemoContext, Step, run_demo

ROOT = Path(__file__).resolve().parents[2]
TRANSFERS = ("acquisition_to_leads", "contacts_to_di", "tradeshow_csv_to_di")


def test_demo_previews_every_transfer_and_says_what_is_not_built(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DITOOLKIT_")}
    out = tmp_path / "runs" / "demo"
    process = subprocess.run(
        [sys.executable, "-m", "ditoolkit", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert process.returncode == 0, process.stderr
    for name in TRANSFERS:
        summary = json.loads((out / name / "summary.json").read_text())
        assert summary["transfer"] == name and summary["dry_run"] is True
        assert (out / name / "report.html").is_file()
        assert name in process.stdout
    assert sum(json.loads((out / "summary.json").read_text())["counts"].values()) > 0
    unbuilt = [step.title for step in STEPS if step.run is None]
    for title in unbuilt:
        assert f"{title}: not built yet" in process.stdout
    assert "sandboxes stopped" in process.stdout


@pytest.mark.parametrize("failure", [ConfigError("step broke"), KeyboardInterrupt()])
def test_demo_stops_its_sandboxes_when_a_step_fails(tmp_path: Path, failure: BaseException) -> None:
    started: list[SandboxProcess] = []

    def broken(ctx: DemoContext) -> str:
        assert ctx.sandbox is not None
        started.append(ctx.sandbox)
        raise failure

    steps = [STEPS[0], Step("a step that fails", broken)]
    before = os.environ.get("DITOOLKIT_SANDBOX_DIR")
    with pytest.raises(type(failure)):
        run_demo(out=tmp_path / "out", stream=io.StringIO(), steps=steps)
    assert started and started[0].process.poll() is not None
    assert not started[0].data_dir.exists()
    assert os.environ.get("DITOOLKIT_SANDBOX_DIR") == before

"""``python -m ditoolkit demo``: fresh sandboxes, every notebook executed, sandboxes stopped."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from ditoolkit.errors import ConfigError
from ditoolkit.sandbox.process import SandboxProcess
from ditoolkit.workflow.demo import STEPS, DemoContext, Step, run_demo

ROOT = Path(__file__).resolve().parents[2]
TRANSFERS = ("acquisition_to_leads", "contacts_to_di", "tradeshow_csv_to_di")


@pytest.mark.slow
def test_demo_runs_every_notebook_and_stops_its_sandboxes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DITOOLKIT_")}
    out = tmp_path / "runs" / "demo"
    process = subprocess.run(
        [sys.executable, "-m", "ditoolkit", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    labels = [step.run.keywords for step in STEPS if isinstance(step.run, partial)]
    assert [k["name"] for k in labels] == [
        "01_connect",
        "02_mapping",
        "03_preview",
        "04_sync",
        "04_sync",
        "05_csv_load",
    ]
    for keywords in labels:
        transfer = keywords.get("transfer")
        label = f"{keywords['name']}_{transfer}" if transfer else keywords["name"]
        assert (out / f"{label}.ipynb").is_file() and (out / f"{label}.html").is_file()
        summary = json.loads((out / label / "summary.json").read_text())
        assert summary["notebook"] == keywords["name"] and summary["transfer"] == transfer
        assert label in process.stdout
        if keywords["name"] in ("04_sync", "05_csv_load"):
            _check_applied(out / label, summary)
    for name in TRANSFERS:
        preview = json.loads((out / "03_preview" / name / "summary.json").read_text())
        assert preview["dry_run"] is True and (out / "03_preview" / name / "report.html").is_file()
    assert (out / "05_csv_load_tradeshow_csv_to_di" / "tradeshow.error.csv").is_file()
    assert "not built yet" not in process.stdout
    assert "sandboxes stopped" in process.stdout


def _check_applied(folder: Path, summary: dict) -> None:
    """The run wrote every planned row: results.csv has one row per insert or update."""
    assert summary["dry_run"] is False and summary["run_id"]
    with (folder / "results.csv").open(encoding="utf-8") as rows:
        written = sum(1 for _ in rows) - 1
    counts = summary["counts"]
    assert written == counts["insert"] + counts["update"] > 0


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

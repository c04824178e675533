"""``pytest --nbval-lax`` over copies of the notebooks, as a test session of its own.

The copies run with their default parameters (interactive: the panels are built and shown,
no cell waits for a click) in a scratch folder, so their run files stay out of the tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ditoolkit.sandbox.process import SandboxProcess
from tests.notebooks.conftest import NOTEBOOKS, REPO, environment


def test_nbval_lax_runs_every_notebook(notebook_sandbox: SandboxProcess, tmp_path: Path):
    shutil.copytree(REPO / "mappings", tmp_path / "mappings")
    (tmp_path / "notebooks").mkdir()
    copies = [shutil.copy(p, tmp_path / "notebooks") for p in sorted(NOTEBOOKS.glob("*.ipynb"))]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--rootdir",
            str(tmp_path),
            "notebooks",
        ],
        cwd=tmp_path,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "passed" in done.stdout and "failed" not in done.stdout
    assert len(copies) == len(list(NOTEBOOKS.glob("*.ipynb"))) == 5
    assert (tmp_path / "notebooks" / "runs" / "03_preview" / "summary.json").is_file()

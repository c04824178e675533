"""Running the project's notebooks unattended with papermill, and rendering them as HTML.

Each run executes one notebook from ``notebooks/`` with its parameters (``interactive`` off),
in the notebooks' folder, with the ``python3`` kernel of the running interpreter (registered
into its environment when missing), and leaves the executed notebook, its HTML rendering and
the run files its parameters name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ditoolkit.errors import ConfigError, DitoolkitError

KERNEL = "python3"
NOTEBOOKS = Path("notebooks")
_OWN_PYTHON = {"python", "python3", f"python3.{sys.version_info.minor}"}


class NotebookFailed(DitoolkitError):
    """A notebook stopped on an error; the executed copy shows the failing cell."""


@dataclass(frozen=True)
class NotebookRun:
    """One executed notebook and what it left.

    Attributes:
        name: the notebook (``04_sync``).
        label: the run's name in the out folder (``04_sync_acquisition_to_leads``).
        executed: the executed notebook.
        output_dir: its run files (summary.json, plan.csv, results.csv, errors.csv...).
        html: its HTML rendering (None when nbconvert is missing).
        seconds: wall-clock time.
    """

    name: str
    label: str
    executed: Path
    output_dir: Path
    html: Path | None
    seconds: float

    def summary(self) -> dict[str, Any]:
        """The run's summary.json."""
        document: dict[str, Any] = json.loads(
            (self.output_dir / "summary.json").read_text(encoding="utf-8")
        )
        return document


def find_notebooks() -> Path:
    """``notebooks/`` in the working directory, else beside the package."""
    for folder in (Path.cwd() / NOTEBOOKS, Path(__file__).resolve().parents[2] / NOTEBOOKS):
        if (folder / "01_connect.ipynb").is_file():
            return folder
    raise ConfigError(
        f"cannot find {NOTEBOOKS}/01_connect.ipynb",
        hint="run from the project's folder (make demo)",
    )


def ensure_kernel() -> str:
    """The ``python3`` kernel of this interpreter, registered into its environment if missing.

    Raises:
        ConfigError: the kernel found runs another interpreter and cannot be replaced.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    def own() -> bool:
        try:
            argv = KernelSpecManager().get_kernel_spec(KERNEL).argv
        except NoSuchKernel:
            return False
        return bool(argv) and (argv[0] in _OWN_PYTHON or argv[0] == sys.executable)

    if own():
        return KERNEL
    subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--sys-prefix"],
        check=True,
        capture_output=True,
    )
    if not own():
        raise ConfigError(
            f"the {KERNEL!r} Jupyter kernel runs another Python than {sys.executable}",
            hint=f"remove it (jupyter kernelspec remove {KERNEL}) or run from the .venv",
        )
    return KERNEL


def execute_notebook(
    name: str,
    out: Path,
    *,
    parameters: dict[str, Any],
    label: str | None = None,
    folder: Path | None = None,
) -> NotebookRun:
    """Execute ``name`` with ``parameters``; ``out/<label>.ipynb`` and ``out/<label>/``.

    Raises:
        NotebookFailed: a cell raised (the reason is the notebook's error).
    """
    import time

    import papermill as pm

    source = (folder or find_notebooks()) / f"{name}.ipynb"
    chosen = label or name
    executed, output_dir = out / f"{chosen}.ipynb", (out / chosen).resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        with _stderr_into(out / f"{chosen}.log"):
            pm.execute_notebook(
                str(source),
                str(executed),
                parameters={**parameters, "interactive": False, "output_dir": str(output_dir)},
                kernel_name=ensure_kernel(),
                cwd=str(source.parent),
                progress_bar=False,
            )
    except pm.PapermillExecutionError as exc:
        raise NotebookFailed(
            f"{name} stopped: {exc.ename}: {exc.evalue}",
            hint=f"open {executed} to see the failing cell",
        ) from exc
    seconds = round(time.perf_counter() - started, 1)
    return NotebookRun(name, chosen, executed, output_dir, export_html(executed), seconds)


@contextmanager
def _stderr_into(log: Path) -> Iterator[None]:
    """The kernel's own log lines (transport warnings, shutdown notices) go to ``log``.

    The kernel inherits file descriptor 2, so it is redirected, not ``sys.stderr``; the
    notebook's errors are in the executed notebook either way.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with log.open("ab") as sink:
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def export_html(executed: Path) -> Path | None:
    """``executed`` rendered as a standalone HTML page beside it (None without nbconvert)."""
    try:
        from nbconvert import HTMLExporter
    except ImportError:
        return None
    import nbformat

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    page = executed.with_suffix(".html")
    page.write_text(body, encoding="utf-8")
    return page

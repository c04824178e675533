"""03_preview opened in a real JupyterLab, run in headless Chromium: the diff tabs render.

JupyterLab is started on 127.0.0.1 with a token, on a copy of the notebooks, its kernels
pointed at a demo sandbox started for this test. Chromium (Debian's ``/usr/bin/chromium``)
is driven by Playwright: open ``03_preview.ipynb``, run every cell, wait for the diff preview
widgets, and compare their tab titles with the counts the pipeline computes from the same
sandbox. A screenshot is saved under ``runs/e2e/`` and its path printed.

Skipped only when Chromium or Playwright is missing and ``CI`` is not set (``.ci/run``
installs both).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from ditoolkit.core.mapping import Mapping
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox
from ditoolkit.ui.diff_preview import DiffPreview
from ditoolkit.workflow.catalog import check_mapping
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.previews import preview_mapping

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "03_preview.ipynb"
KERNEL_NAME = "Python 3 (ipykernel)"
ARTIFACTS = REPO / "runs" / "e2e"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    if importlib.util.find_spec("jupyterlab") is None:
        return "jupyterlab is missing (pip install -e '.[dev,lab]')"
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is missing (pip install playwright; no browser download needed)"
    return None


REASON = _missing()
if REASON is None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
else:  # the module is skipped (or fails in CI): a stand-in keeps the names defined
    PlaywrightTimeout = TimeoutError
pytestmark = pytest.mark.skipif(
    REASON is not None and not os.environ.get("CI"), reason=f"browser test: {REASON}"
)


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: where it listens, its token, its notebooks folder."""

    url: str
    token: str
    root: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def lab_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A demo-seeded sandbox, and the environment pointing at it."""
    folder = tmp_path_factory.mktemp("e2e-sandbox")
    with start_sandbox(folder, seed="demo") as running, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DITOOLKIT_SANDBOX_DIR", str(running.data_dir))
        patch.setenv("DITOOLKIT_HOME", str(tmp_path_factory.mktemp("e2e-home")))
        patch.delenv("DITOOLKIT_CONFIG", raising=False)
        yield running


def _wait_for_lab(url: str, token: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("JupyterLab exited:\n" + log.read_text(errors="replace")[-3000:])
        try:
            if requests.get(f"{url}/api/status", params={"token": token}, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)  # polling a server that is starting, not waiting for a result
    pytest.fail("JupyterLab did not answer in 60 s:\n" + log.read_text(errors="replace")[-3000:])


@pytest.fixture(scope="module")
def lab(lab_sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 with a token, serving a copy of the notebooks."""
    work = tmp_path_factory.mktemp("e2e-lab")
    shutil.copytree(REPO / "mappings", work / "mappings")
    shutil.copytree(REPO / "notebooks", work / "notebooks", ignore=shutil.ignore_patterns("runs"))
    jupyter = work / "jupyter"
    env = dict(os.environ)
    env |= {
        "JUPYTER_CONFIG_DIR": str(jupyter / "config"),
        "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(jupyter / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(jupyter / "settings"),
    }
    # no "official Jupyter news?" prompt over the screenshot
    news = jupyter / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}\n')
    token, port = secrets.token_hex(16), _free_port()
    log = work / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work / 'notebooks'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_lab(url, token, process, log)
        yield Lab(url, token, work / "notebooks")
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and the kernels it started (its own process group)."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue


def expected_tab_titles(mapping: Path) -> Counter[str]:
    """The diff tabs' titles of every transfer, from the pipeline on the same sandbox."""
    loaded = Mapping.load(mapping)
    connections = Connections("sandbox")
    try:
        check = check_mapping(loaded, connections)
        previews = preview_mapping(loaded, connections, catalog=check.catalog)
    finally:
        connections.close()
    titles: Counter[str] = Counter()
    for item in previews:
        for part in item.preview.directions.values():
            titles.update(DiffPreview(part.plan, part.diff).tab_titles())
    return titles


def _run_all_cells(page: Any, lab: Lab, notebook: str) -> None:
    """Open ``notebook``, take the kernel offered (a fresh lab asks), run every cell."""
    page.goto(f"{lab.url}/lab/tree/{notebook}?token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    with contextlib.suppress(PlaywrightTimeout):
        page.locator(".jp-Dialog .jp-mod-accept").click(timeout=10_000)
    page.wait_for_selector(f"text={KERNEL_NAME} | Idle", timeout=60_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click("li.lm-Menu-item[data-command='runmenu:run-all']")


def test_preview_tabs_render_with_the_pipeline_counts(lab: Lab, tmp_path: Path):
    if REASON is not None:  # CI is set: the test must run
        pytest.fail(f"browser test cannot run in CI: {REASON}")
    from playwright.sync_api import sync_playwright

    expected = expected_tab_titles(lab.root.parent / "mappings" / "demo.yml")
    assert sum(expected.values()) == 4 * 3  # four tabs for each of the three transfers
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("03_preview*"):
        stale.unlink()
    shot = ARTIFACTS / "03_preview.png"
    with sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        page = browser.pages[0] if browser.pages else browser.new_page()
        try:
            _run_all_cells(page, lab, NOTEBOOK)
            tabs = page.locator(".jupyter-widgets .lm-TabBar-tabLabel")
            page.wait_for_function(
                "n => document.querySelectorAll('.jupyter-widgets .lm-TabBar-tabLabel')"
                ".length >= n",
                arg=sum(expected.values()),
                timeout=120_000,
            )
            shown = Counter(t.strip() for t in tabs.all_inner_texts())
            tabs.first.scroll_into_view_if_needed()
            page.screenshot(path=str(shot))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "03_preview-failed.png"))
            (ARTIFACTS / "03_preview-failed.html").write_text(page.content(), encoding="utf-8")
            print(f"failure screenshot: {ARTIFACTS / '03_preview-failed.png'}")
            raise
        finally:
            browser.close()
    print(f"screenshot: {shot}")
    assert shown == expected
    assert (lab.root / "runs" / "03_preview" / "summary.json").is_file()

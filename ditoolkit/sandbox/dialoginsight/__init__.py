"""A local, faithful emulator of Dialog Insight's OFC4 web services (JSON over HTTPS).

``build_service(data_dir, seed=...)`` gives the runner an ASGI app and the ``dialoginsight``
section of ``sandbox.json``. What is emulated and what is assumed: ``docs/sandbox-dialoginsight.md``.
"""

from __future__ import annotations

from pathlib import Path

from ditoolkit.sandbox.dialoginsight.service import DialogInsightSandbox

__all__ = ["DialogInsightSandbox", "build_service"]


def build_service(data_dir: Path, *, seed: str) -> DialogInsightSandbox:
    """The DI sandbox over ``data_dir`` (created if needed), seeded with ``seed`` when new."""
    if seed not in ("demo", "empty"):
        raise ValueError(f"unknown seed {seed!r}; choose demo or empty")
    return DialogInsightSandbox(Path(data_dir), seed=seed)

"""Pausing Python's cycle collector while bulk work builds many short-lived containers.

Bulk ingest and query build hundreds of thousands of dicts, lists and tuples that hold no
reference cycles; the cycle collector would walk them again and again (a third of the CPU
time of a 100,000-row job). Reference counting still frees everything as usual. Pauses nest
across threads: the collector runs again when the last pause ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_state = {"depth": 0, "was_enabled": False}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cycle collector off (restored as it was when the last block ends)."""
    with _lock:
        if _state["depth"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _state["was_enabled"]:
                gc.enable()

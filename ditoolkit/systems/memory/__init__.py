"""The in-memory system: the reference implementation of the System port."""

from __future__ import annotations

from ditoolkit.systems.memory.system import MemorySystem
from ditoolkit.systems.memory.values import RowError, coerce_value, is_missing, typed_frame

__all__ = ["MemorySystem", "RowError", "coerce_value", "is_missing", "typed_frame"]

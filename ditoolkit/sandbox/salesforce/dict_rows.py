"""Rows of values turned into dicts with fixed keys, by a function generated once per key list.

A generated dict display (``{k0: v0, k1: v1}``) builds each dict about twice as fast as
``dict(zip(keys, row))``. As in :mod:`.soql_shape`, the generated source holds only generated
names: the keys are bound constants, so no field name or value ever becomes code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, cast

Builder = Callable[[Iterable[Sequence[Any]]], list[dict[str, Any]]]


@lru_cache(maxsize=256)
def dict_builder(keys: tuple[str, ...]) -> Builder:
    """A function turning rows (each as long as ``keys``) into dicts ``{key: value}`` in order."""
    constants: dict[str, Any] = {"__builtins__": {}}
    entries = []
    for index, key in enumerate(keys):
        constants[f"k{index}"] = key
        entries.append(f"k{index}: v{index}")
    targets = "".join(f"v{index}, " for index in range(len(keys))) or "_"
    source = f"lambda rows: [{{{', '.join(entries)}}} for ({targets}) in rows]"
    return cast(Builder, eval(source, constants))  # noqa: S307

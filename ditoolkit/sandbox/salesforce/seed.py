"""Seeds: ``empty`` (the default world's schema, no records) and ``demo`` (see :mod:`.demo`)."""

from __future__ import annotations

from ditoolkit.sandbox.salesforce.store import Store

SEEDS = ("empty", "demo")


def apply_seed(store: Store, seed: str) -> None:
    """Fill ``store`` with the records of ``seed``.

    Raises:
        ValueError: ``seed`` is not one of :data:`SEEDS`.
    """
    if seed not in SEEDS:
        raise ValueError(f"unknown seed {seed!r}; choose one of {', '.join(SEEDS)}")
    if seed == "demo":
        from ditoolkit.sandbox.salesforce.demo import fill_demo

        fill_demo(store)

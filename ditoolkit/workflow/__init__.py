"""Binding real systems to a mapping: connections by profile, DI projects, CSV sides, runs.

``ditoolkit.core`` sees only the System port; this layer builds the ports a mapping's
transfers need (:mod:`~ditoolkit.workflow.binding`), counts the API calls they make
(:mod:`~ditoolkit.workflow.connections`), checks a mapping against the live schemas
(:mod:`~ditoolkit.workflow.catalog`) and runs the ``plan`` and ``demo`` commands
(:mod:`~ditoolkit.workflow.plan_command`, :mod:`~ditoolkit.workflow.demo`).
"""

from __future__ import annotations

from ditoolkit.workflow.binding import DiProjectSystem, endpoints_for
from ditoolkit.workflow.catalog import check_mapping, schema_catalog
from ditoolkit.workflow.connections import Connections
from ditoolkit.workflow.previews import preview_mapping

__all__ = [
    "Connections",
    "DiProjectSystem",
    "check_mapping",
    "endpoints_for",
    "preview_mapping",
    "schema_catalog",
]

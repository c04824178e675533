"""ditoolkit: keep Salesforce and Dialog Insight in sync from Jupyter, previewing every change."""

from __future__ import annotations

__version__ = "0.1.0"

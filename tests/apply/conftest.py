"""Fixtures for apply over HTTPS (defined in :mod:`sandbox_world`)."""

from __future__ import annotations

from sandbox_world import apply_sandbox, world

__all__ = ["apply_sandbox", "world"]

"""Faults and call counters shared by both sandboxes, driven through ``/__sandbox__/``.

Each sandbox owns one :class:`FaultState`. Its middleware calls :meth:`FaultState.before_call`
for every API call; the state counts the call by endpoint and tells the sandbox which fault,
if any, to answer with. How a fault looks on the wire (Salesforce's JSON error list, DI's
``Success:false`` envelope, a bare 503) is the sandbox's business, not this module's.

Admin API (JSON), mounted by each sandbox:

- ``GET  /__sandbox__/counters``  → ``{"total": N, "by_endpoint": {"GET /services/...": n},
  "rows_served": {"Contact": n}}`` (records served by reads, where the sandbox counts them)
- ``GET  /__sandbox__/faults``    → the current fault settings
- ``POST /__sandbox__/faults``    ← any of ``latency_ms``, ``error_rate`` (``{"CODE": 0.05}``),
  ``session_expiry_after`` (calls), ``daily_limit`` (calls), ``seed``; unknown keys are refused
- ``POST /__sandbox__/reset``     ← ``{"data": true}`` also wipes records (the sandbox decides)
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

FAULT_KEYS = {"latency_ms", "error_rate", "session_expiry_after", "daily_limit", "seed"}


@dataclass
class FaultSettings:
    latency_ms: int = 0
    error_rate: dict[str, float] = field(default_factory=dict)
    session_expiry_after: int | None = None
    daily_limit: int | None = None
    seed: int | None = None


@dataclass
class CallVerdict:
    """What the sandbox should do with one call.

    Attributes:
        error_code: a fault code to answer with instead of serving the call, or ``None``.
        session_expired: every session issued so far is now invalid.
        limit_exceeded: the daily allowance is spent.
        calls_today: calls counted so far, this one included (for limit headers).
    """

    error_code: str | None
    session_expired: bool
    limit_exceeded: bool
    calls_today: int


class FaultState:
    """Counters and fault settings of one sandbox (thread-safe, in memory)."""

    def __init__(self, *, default_daily_limit: int) -> None:
        self._lock = threading.Lock()
        self.default_daily_limit = default_daily_limit
        self.settings = FaultSettings()
        self.counters: Counter[str] = Counter()
        self.rows_served: Counter[str] = Counter()
        self._calls_since_expiry_set = 0
        self._rng = random.Random()

    @property
    def daily_limit(self) -> int:
        return self.settings.daily_limit or self.default_daily_limit

    @property
    def total_calls(self) -> int:
        return sum(self.counters.values())

    def before_call(self, endpoint: str) -> CallVerdict:
        """Count one API call on ``endpoint`` and decide its fault."""
        with self._lock:
            self.counters[endpoint] += 1
            total = sum(self.counters.values())
            expired = False
            if self.settings.session_expiry_after is not None:
                self._calls_since_expiry_set += 1
                if self._calls_since_expiry_set > self.settings.session_expiry_after:
                    expired = True
                    self._calls_since_expiry_set = 0
                    self.settings.session_expiry_after = None
            code = None
            for candidate, rate in sorted(self.settings.error_rate.items()):
                if self._rng.random() < rate:
                    code = candidate
                    break
            return CallVerdict(code, expired, total > self.daily_limit, total)

    def count_rows(self, table: str, rows: int) -> None:
        """Count ``rows`` records of ``table`` served by a read (query page, result page)."""
        with self._lock:
            self.rows_served[table] += rows

    async def delay(self) -> None:
        if self.settings.latency_ms:
            await asyncio.sleep(self.settings.latency_ms / 1000)

    def configure(self, body: dict[str, Any]) -> FaultSettings:
        unknown = set(body) - FAULT_KEYS
        if unknown:
            raise ValueError(
                f"unknown fault settings {sorted(unknown)}; known: {sorted(FAULT_KEYS)}"
            )
        with self._lock:
            for key, value in body.items():
                setattr(self.settings, key, value)
            if "seed" in body and body["seed"] is not None:
                self._rng = random.Random(body["seed"])
            if "session_expiry_after" in body:
                self._calls_since_expiry_set = 0
            return self.settings

    def reset(self) -> None:
        with self._lock:
            self.settings = FaultSettings()
            self.counters.clear()
            self.rows_served.clear()
            self._calls_since_expiry_set = 0


def admin_routes(
    state: FaultState, *, on_reset: Callable[[bool], Awaitable[None] | None] | None = None
) -> list[Route]:
    """The ``/__sandbox__/`` routes for ``state``; ``on_reset(wipe_data)`` runs on reset."""

    async def counters(_: Request) -> Response:
        return JSONResponse(
            {
                "total": state.total_calls,
                "by_endpoint": dict(state.counters),
                "rows_served": dict(state.rows_served),
            }
        )

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                state.configure(await request.json())
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(asdict(state.settings))

    async def reset(request: Request) -> Response:
        body = await request.json() if await request.body() else {}
        state.reset()
        if on_reset is not None:
            result = on_reset(bool(body.get("data")))
            if result is not None:
                await result
        return JSONResponse({"reset": True, "data": bool(body.get("data"))})

    return [
        Route("/__sandbox__/counters", counters, methods=["GET"]),
        Route("/__sandbox__/faults", faults, methods=["GET", "POST"]),
        Route("/__sandbox__/reset", reset, methods=["POST"]),
    ]

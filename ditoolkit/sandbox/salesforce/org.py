"""Everything the Salesforce sandbox's routes share: store, identity, sessions, faults, cursors."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from ditoolkit.sandbox.faults import FaultState
from ditoolkit.sandbox.salesforce.identity import Credentials, Identity, Sessions
from ditoolkit.sandbox.salesforce.ids import make_id
from ditoolkit.sandbox.salesforce.jwt_bearer import JwtCertificate
from ditoolkit.sandbox.salesforce.store import Store

#: query cursors kept open at once (older ones expire, as Salesforce's do).
MAX_CURSORS = 200


@dataclass
class Cursor:
    """The rest of a query result, waiting for ``nextRecordsUrl`` calls."""

    records: list[dict[str, Any]]
    total_size: int
    resource: str  # "query" or "queryAll"


@dataclass
class Cursors:
    """Open query cursors by locator id (``01g...``)."""

    _open: OrderedDict[str, Cursor] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 1

    def open(self, cursor: Cursor) -> str:
        """Keep ``cursor`` and return its locator id."""
        with self._lock:
            locator = make_id("01g", self._next)
            self._next += 1
            self._open[locator] = cursor
            while len(self._open) > MAX_CURSORS:
                self._open.popitem(last=False)
            return locator

    def get(self, locator: str) -> Cursor | None:
        """The cursor ``locator`` names, or ``None`` when unknown or expired."""
        with self._lock:
            return self._open.get(locator)


@dataclass
class Org:
    """The sandbox org as the routes see it."""

    store: Store
    credentials: Credentials
    identity: Identity
    sessions: Sessions
    faults: FaultState
    cursors: Cursors = field(default_factory=Cursors)
    jwt: JwtCertificate | None = None

    @staticmethod
    def base_url(request: Request) -> str:
        """``https://host:port`` as the client reached the sandbox."""
        return f"{request.url.scheme}://{request.url.netloc}"

"""Who the sandbox org is: generated credentials, the org and user records, and sessions.

Credentials are generated randomly on first start and kept in ``credentials.json`` (mode
0600) in the data dir, so they survive restarts. Sessions live in ``sessions.sqlite3``; the
session-expiry fault clears them all.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import string
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ditoolkit.sandbox.salesforce.ids import make_id
from ditoolkit.sandbox.salesforce.store import Store
from ditoolkit.sandbox.salesforce.validation import format_datetime

ORG_NAME = "ditoolkit Sandbox"
_ALNUM = string.ascii_letters + string.digits


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


@dataclass(frozen=True)
class Credentials:
    """The sandbox user's credentials and the connected app's key and secret."""

    username: str
    password: str
    security_token: str
    consumer_key: str
    consumer_secret: str

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, secrets hidden)"

    @classmethod
    def load_or_create(cls, data_dir: Path) -> Credentials:
        """The credentials kept in ``data_dir``, generated on first use."""
        path = data_dir / "credentials.json"
        if path.exists():
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        made = cls(
            username=f"analyst.{_random(6).lower()}@sandbox.ditoolkit.example",
            password=_random(16),
            security_token=_random(24),
            consumer_key="3MVG9" + _random(80),
            consumer_secret=_random(64).upper(),
        )
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(made.__dict__, out)
        return made


@dataclass(frozen=True)
class Identity:
    """The org and its one user."""

    org_id: str
    user_id: str
    username: str
    full_name: str = "Sandbox Analyst"

    @property
    def org15(self) -> str:
        return self.org_id[:15]


def ensure_identity(store: Store, credentials: Credentials) -> Identity:
    """Create the ``Organization`` and ``User`` records unless they exist; set the store's user."""
    identity = Identity(make_id("00D", 1), make_id("005", 1), credentials.username)
    store.user_id = identity.user_id
    if store.count("User") == 0:
        now = format_datetime(datetime.now(UTC))
        system = {
            "IsDeleted": 0,
            "CreatedDate": now,
            "CreatedById": identity.user_id,
            "LastModifiedDate": now,
            "LastModifiedById": identity.user_id,
            "SystemModstamp": now,
        }
        store.insert_raw(
            "User",
            {
                "Id": identity.user_id,
                "Username": credentials.username,
                "FirstName": "Sandbox",
                "LastName": "Analyst",
                "Email": credentials.username,
                "Alias": "sanalyst",
                "IsActive": 1,
                "TimeZoneSidKey": "America/Toronto",
                **system,
            },
        )
        store.insert_raw(
            "Organization",
            {
                "Id": identity.org_id,
                "Name": ORG_NAME,
                "InstanceName": "CS42",
                "IsSandbox": 1,
                "OrganizationType": "Enterprise Edition",
                **system,
            },
        )
    return identity


class Sessions:
    """Issued session ids (``00D<org>!<opaque>``), kept in SQLite so they survive restarts."""

    def __init__(self, data_dir: Path, *, org15: str) -> None:
        self._org15 = org15
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            data_dir / "sessions.sqlite3", check_same_thread=False, isolation_level=None
        )
        self._conn.execute("CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY)")

    def issue(self) -> str:
        """A new valid session id."""
        token = f"{self._org15}!{_random(96)}"
        with self._lock:
            self._conn.execute("INSERT INTO sessions (token) VALUES (?)", (token,))
        return token

    def valid(self, token: str) -> bool:
        """``token`` was issued and not expired."""
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM sessions WHERE token = ?", (token,))
            return row.fetchone() is not None

    def expire_all(self) -> None:
        """Invalidate every session (clients must log in again)."""
        with self._lock:
            self._conn.execute("DELETE FROM sessions")

    def close(self) -> None:
        """Close the session file."""
        with self._lock:
            self._conn.close()

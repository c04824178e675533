"""Salesforce sandbox: a local org speaking Salesforce's REST, Collections and Bulk 2.0 APIs.

``build_service(data_dir, seed=...)`` gives the runner the ASGI app and the ``sandbox.json``
section. Records live in SQLite in ``data_dir`` and survive restarts; credentials are generated
on first start and kept there too. See ``docs/sandbox.md`` for what is emulated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute

from ditoolkit.sandbox.faults import FaultState
from ditoolkit.sandbox.salesforce.app import build_app, lock_fault_hook
from ditoolkit.sandbox.salesforce.auth import identity_routes, oauth_token_route, soap_login_route
from ditoolkit.sandbox.salesforce.bulk2 import bulk2_routes
from ditoolkit.sandbox.salesforce.bulk2_jobs import JobBook
from ditoolkit.sandbox.salesforce.composite import collection_routes
from ditoolkit.sandbox.salesforce.identity import Credentials, Sessions, ensure_identity
from ditoolkit.sandbox.salesforce.jwt_bearer import JwtCertificate
from ditoolkit.sandbox.salesforce.org import Org
from ditoolkit.sandbox.salesforce.query_api import misc_routes, query_routes
from ditoolkit.sandbox.salesforce.rest import sobject_routes
from ditoolkit.sandbox.salesforce.seed import apply_seed
from ditoolkit.sandbox.salesforce.store import Store

__all__ = ["SalesforceSandbox", "build_service"]

API_VERSION = "59.0"
DAILY_LIMIT = 100_000


class SalesforceSandbox:
    """One sandbox org: its store, identity, sessions, faults and ASGI app.

    Args:
        data_dir: where its SQLite files and credentials live.
        seed: ``empty`` (schema only) or ``demo`` (deterministic demo records), applied once
            when the data dir is new, and again on ``/__sandbox__/reset`` with ``{"data": true}``
            (which also forgets every Bulk API 2.0 job).
    """

    def __init__(self, data_dir: Path, *, seed: str) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.seed = seed
        credentials = Credentials.load_or_create(data_dir)
        store = Store(data_dir)
        identity = ensure_identity(store, credentials)
        faults = FaultState(default_daily_limit=DAILY_LIMIT)
        store.lock_fault = lock_fault_hook(faults)
        sessions = Sessions(data_dir, org15=identity.org15)
        self.org = Org(
            store,
            credentials,
            identity,
            sessions,
            faults,
            jwt=JwtCertificate.load_or_create(data_dir),
        )
        self.jobs = JobBook(data_dir / "bulk2.sqlite")
        marker = data_dir / "seeded"
        if not marker.exists():
            apply_seed(store, seed)
            marker.write_text(seed, encoding="utf-8")
        self.app = build_app(self.org, routes=self._routes(), on_reset=self._reset)

    def _routes(self) -> list[BaseRoute]:
        org = self.org
        routes: list[BaseRoute] = [
            soap_login_route(org),
            oauth_token_route(org),
            *identity_routes(org),
            *misc_routes(org),
            *query_routes(org),
            *sobject_routes(org),
            *collection_routes(org),
        ]
        return [*routes, *bulk2_routes(org.store, book=self.jobs, on_rows=org.faults.count_rows)]

    def _reset(self, wipe_data: bool) -> None:
        if wipe_data:
            self.org.store.wipe()
            self.jobs.clear()
            apply_seed(self.org.store, self.seed)

    def connection_info(self, *, base_url: str, ca_bundle: str) -> dict[str, Any]:
        """The ``salesforce`` section of ``sandbox.json``."""
        creds = self.org.credentials
        return {
            "instance_url": base_url,
            "login_url": base_url,
            "api_version": API_VERSION,
            "username": creds.username,
            "password": creds.password,
            "security_token": creds.security_token,
            "consumer_key": creds.consumer_key,
            "consumer_secret": creds.consumer_secret,
            "private_key_file": str(self.org.jwt.private_key_file) if self.org.jwt else None,
            "ca_bundle": ca_bundle,
        }

    def close(self) -> None:
        """Close the SQLite files."""
        self.org.sessions.close()
        self.jobs.close()
        self.org.store.close()


def build_service(data_dir: Path, *, seed: str) -> SalesforceSandbox:
    """The Salesforce sandbox for the runner (``python -m ditoolkit sandbox start``)."""
    return SalesforceSandbox(Path(data_dir), seed=seed)

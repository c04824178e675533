"""sObject Collections: ``/composite/sobjects`` create, update, upsert, delete and retrieve."""

from __future__ import annotations

from starlette.routing import Route

from ditoolkit.sandbox.salesforce.org import Org


def collection_routes(org: Org) -> list[Route]:
    """The sObject Collections routes."""
    return []

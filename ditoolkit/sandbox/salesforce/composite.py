"""sObject Collections: ``/composite/sobjects`` create, update, upsert, delete and retrieve.

A well-formed request answers 200 with one result per record, in request order (errors carry
``statusCode``); more than 200 records is refused whole with ``EXCEEDED_ID_LIMIT``. With
``allOrNone`` every record of the request commits or none does, across object types.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ditoolkit.sandbox.salesforce.ids import to_18
from ditoolkit.sandbox.salesforce.org import Org
from ditoolkit.sandbox.salesforce.store import ROLLED_BACK, SaveResult, StoreError
from ditoolkit.sandbox.salesforce.tables import record_json
from ditoolkit.sandbox.salesforce.wire import (
    BadJson,
    api_version,
    not_found,
    read_json,
    sf_error,
    sf_json,
)

MAX_RECORDS = 200
MAX_RETRIEVE = 2000
Group = list[tuple[int, Any]]
Writer = Callable[[str, list[Any], bool], list[SaveResult]]


class _RolledBack(Exception):
    """Undo the whole request (``allOrNone`` and some record failed)."""


def _too_many() -> Response:
    return sf_error(
        "EXCEEDED_ID_LIMIT",
        "record limit reached. cannot submit more than 200 records into this call",
    )


def _result(result: SaveResult, *, upsert: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if result.id is not None:
        out["id"] = result.id
    out.update({"success": result.success, "errors": result.errors})
    if upsert:
        out["created"] = result.created
    return out


def _failed(message: str, code: str = "INVALID_TYPE") -> SaveResult:
    return SaveResult(None, False, False, [{"statusCode": code, "message": message, "fields": []}])


def _record_type(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    attributes = record.get("attributes")
    kind = attributes.get("type") if isinstance(attributes, dict) else None
    return kind if isinstance(kind, str) else None


def _run_groups(
    org: Org, groups: dict[str, Group], size: int, *, all_or_none: bool, write: Writer
) -> list[SaveResult]:
    """Write each object's group; with ``all_or_none``, all of them or none."""
    results: list[SaveResult | None] = [None] * size
    try:
        with org.store.atomic():
            for name, items in groups.items():
                try:
                    done = write(name, [item for _, item in items], all_or_none)
                except StoreError as exc:
                    done = [_failed(exc.message, exc.error_code) for _ in items]
                for (position, _), result in zip(items, done, strict=True):
                    results[position] = result
                if all_or_none and not all(r.success for r in done):
                    raise _RolledBack
    except _RolledBack:
        for position, result in enumerate(results):
            if result is None or result.success:
                rid = result.id if result is not None and not result.created else None
                results[position] = SaveResult(rid, False, False, [ROLLED_BACK])
    return [r if r is not None else _failed("not processed") for r in results]


class CollectionsApi:
    """Handlers of ``/composite/sobjects`` for one org."""

    def __init__(self, org: Org) -> None:
        self.org = org

    async def _body(self, request: Request) -> tuple[list[Any], bool]:
        body = await read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise BadJson("Cannot deserialize instance of SObjectCollection: records required")
        return body["records"], bool(body.get("allOrNone", False))

    async def write(self, request: Request) -> Response:
        try:
            records, all_or_none = await self._body(request)
        except BadJson as exc:
            return exc.response()
        if len(records) > MAX_RECORDS:
            return _too_many()
        creating = request.method == "POST"
        store = self.org.store
        groups: dict[str, Group] = defaultdict(list)
        early: dict[int, SaveResult] = {}
        for position, record in enumerate(records):
            kind = _record_type(record)
            obj = store.describe(kind) if kind else None
            if obj is None:
                early[position] = _failed("sObject type missing or unknown in attributes.type")
            else:
                groups[obj.name].append((position, record))
        write: Writer = (
            (lambda name, recs, aon: store.insert(name, recs, all_or_none=aon))
            if creating
            else (lambda name, recs, aon: store.update(name, recs, all_or_none=aon))
        )
        if early and all_or_none:
            groups = defaultdict(list)
        results = _run_groups(self.org, groups, len(records), all_or_none=all_or_none, write=write)
        results = [early.get(i, r) for i, r in enumerate(results)]
        return sf_json([_result(r) for r in results])

    async def upsert(self, request: Request) -> Response:
        obj = self.org.store.describe(request.path_params["sobject"])
        if obj is None:
            return not_found()
        try:
            records, all_or_none = await self._body(request)
            key = self.org.store.external_field(obj, request.path_params["field"]).name
        except BadJson as exc:
            return exc.response()
        except StoreError as exc:
            return sf_error(exc.error_code, exc.message, status=exc.status)
        if len(records) > MAX_RECORDS:
            return _too_many()
        store = self.org.store
        results = _run_groups(
            self.org,
            {obj.name: list(enumerate(records))},
            len(records),
            all_or_none=all_or_none,
            write=lambda name, recs, aon: store.upsert(name, key, recs, all_or_none=aon),
        )
        return sf_json([_result(r, upsert=True) for r in results])

    async def delete(self, request: Request) -> Response:
        ids = [i for i in request.query_params.get("ids", "").split(",") if i]
        if len(ids) > MAX_RECORDS:
            return _too_many()
        all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"
        groups: dict[str, Group] = defaultdict(list)
        early: dict[int, SaveResult] = {}
        for position, raw in enumerate(ids):
            full = to_18(raw)
            obj = self.org.store.object_for_id(full) if full else None
            if obj is None:
                error = {
                    "statusCode": "MALFORMED_ID",
                    "message": f"malformed id {raw}",
                    "fields": [],
                }
                early[position] = SaveResult(raw, False, False, [error])
            else:
                groups[obj.name].append((position, full))
        if early and all_or_none:
            groups = defaultdict(list)
        store = self.org.store
        results = _run_groups(
            self.org,
            groups,
            len(ids),
            all_or_none=all_or_none,
            write=lambda name, recs, aon: store.delete(name, recs, all_or_none=aon),
        )
        results = [early.get(i, r) for i, r in enumerate(results)]
        for position, raw in enumerate(ids):
            if results[position].id is None:
                results[position].id = to_18(raw) or raw
        return sf_json([_result(r) for r in results])

    async def retrieve(self, request: Request) -> Response:
        obj = self.org.store.describe(request.path_params["sobject"])
        if obj is None:
            return not_found()
        if request.method == "POST":
            try:
                body = await read_json(request)
            except BadJson as exc:
                return exc.response()
            ids, names = list(body.get("ids") or []), list(body.get("fields") or [])
        else:
            ids = [i for i in request.query_params.get("ids", "").split(",") if i]
            names = [n for n in request.query_params.get("fields", "").split(",") if n]
        if len(ids) > MAX_RETRIEVE:
            return _too_many()
        fields = []
        for name in names:
            f = obj.field(name.strip())
            if f is None:
                return sf_error("INVALID_FIELD", f"No such column '{name}' on entity '{obj.name}'.")
            fields.append(f)
        if not fields:
            return sf_error("MISSING_ARGUMENT", "fields: required parameter missing")
        full = [to_18(i) for i in ids]
        rows = self.org.store.fetch(obj, [i for i in full if i])
        version = api_version(request)
        return sf_json(
            [
                record_json(obj, rows[i], api_version=version, fields=[obj.fields[0], *fields])
                if i in rows
                else None
                for i in full
            ]
        )


def collection_routes(org: Org) -> list[Route]:
    """The sObject Collections routes."""
    api = CollectionsApi(org)
    base = "/services/data/v{version}/composite/sobjects"
    return [
        Route(base, api.write, methods=["POST", "PATCH"]),
        Route(base, api.delete, methods=["DELETE"]),
        Route(base + "/{sobject}", api.retrieve, methods=["GET", "POST"]),
        Route(base + "/{sobject}/{field}", api.upsert, methods=["PATCH"]),
    ]

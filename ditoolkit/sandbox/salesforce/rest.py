"""sObject resources: describe, create, read, update, delete, upsert and get by external id.

All under ``/services/data/v{version}/sobjects``; authentication, call counting and faults are
the middleware's job (:mod:`.app`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, unquote_plus

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ditoolkit.sandbox.salesforce.describe import describe_object, global_entry
from ditoolkit.sandbox.salesforce.ids import to_18
from ditoolkit.sandbox.salesforce.org import Org
from ditoolkit.sandbox.salesforce.schema import ObjectDef
from ditoolkit.sandbox.salesforce.store import SaveResult, StoreError
from ditoolkit.sandbox.salesforce.tables import record_json
from ditoolkit.sandbox.salesforce.validation import format_datetime
from ditoolkit.sandbox.salesforce.wire import (
    BadJson,
    api_version,
    not_found,
    read_json,
    save_errors,
    sf_error,
    sf_json,
)

_MISSING = {"INVALID_CROSS_REFERENCE_KEY", "ENTITY_IS_DELETED"}


def _raw_segment(request: Request, index: int) -> str:
    raw = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    return raw.split("?")[0].rstrip("/").split("/")[index]


async def _body_record(request: Request) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise BadJson("Cannot deserialize instance of SObject from START_ARRAY value")
    return body


def _single(result: SaveResult, *, missing_status: int = 400) -> Response | None:
    """The error answer of a failed single-record write, or ``None`` on success."""
    if result.success:
        return None
    first = result.errors[0]
    if first["statusCode"] in _MISSING and not first["fields"]:
        if first["statusCode"] == "ENTITY_IS_DELETED":
            return save_errors(result.errors, status=missing_status)
        return not_found()
    return save_errors(result.errors)


class SObjectApi:
    """Handlers of the sObject resources for one org."""

    def __init__(self, org: Org) -> None:
        self.org = org

    def _object(self, request: Request) -> ObjectDef | None:
        return self.org.store.describe(request.path_params["sobject"])

    async def describe_global(self, request: Request) -> Response:
        version = api_version(request)
        objects = [global_entry(o, version) for o in self.org.store.objects()]
        return sf_json({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": objects})

    async def object_root(self, request: Request) -> Response:
        obj = self._object(request)
        if obj is None:
            return not_found()
        if request.method == "POST":
            return await self._create(request, obj)
        return sf_json(
            {"objectDescribe": global_entry(obj, api_version(request)), "recentItems": []}
        )

    async def describe(self, request: Request) -> Response:
        obj = self._object(request)
        if obj is None:
            return not_found()
        children = [
            (child, f)
            for child in self.org.store.objects()
            for f in child.fields
            if obj.name in f.reference_to
        ]
        return sf_json(describe_object(obj, api_version(request), children=children))

    async def _create(self, request: Request, obj: ObjectDef) -> Response:
        try:
            record = await _body_record(request)
            result = self.org.store.insert(obj.name, [record])[0]
        except BadJson as exc:
            return exc.response()
        except StoreError as exc:
            return sf_error(exc.error_code, exc.message, status=exc.status)
        return _single(result) or sf_json(
            {"id": result.id, "success": True, "errors": []}, status=201
        )

    async def record(self, request: Request) -> Response:
        obj = self._object(request)
        if obj is None:
            return not_found()
        raw = request.path_params["record_id"]
        if raw in ("deleted", "updated") and request.method == "GET":
            return self._changes(request, obj, deleted=raw == "deleted")
        rid = to_18(raw)
        if rid is None or rid[:3] != obj.key_prefix:
            return sf_error(
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {raw}",
                status=404,
            )
        if request.method == "GET":
            return self._get(request, obj, rid)
        try:
            if request.method == "DELETE":
                result = self.org.store.delete(obj.name, [rid])[0]
                return _single(result, missing_status=404) or Response(status_code=204)
            record = await _body_record(request)
            record = {k: v for k, v in record.items() if k.lower() != "id"}
            result = self.org.store.update(obj.name, [{**record, "Id": rid}])[0]
        except BadJson as exc:
            return exc.response()
        except StoreError as exc:
            return sf_error(exc.error_code, exc.message, status=exc.status)
        return _single(result, missing_status=404) or Response(status_code=204)

    def _get(self, request: Request, obj: ObjectDef, rid: str) -> Response:
        wanted = request.query_params.get("fields")
        fields = None
        if wanted:
            fields = []
            for name in (n.strip() for n in wanted.split(",") if n.strip()):
                f = obj.field(name)
                if f is None:
                    return sf_error(
                        "INVALID_FIELD", f"No such column '{name}' on entity '{obj.name}'."
                    )
                fields.append(f)
        row = self.org.store.fetch(obj, [rid]).get(rid)
        if row is None:
            return not_found()
        return sf_json(record_json(obj, row, api_version=api_version(request), fields=fields))

    def _changes(self, request: Request, obj: ObjectDef, *, deleted: bool) -> Response:
        try:
            start = datetime.fromisoformat(request.query_params["start"])
            end = datetime.fromisoformat(request.query_params["end"])
        except (KeyError, ValueError):
            return sf_error("MISSING_ARGUMENT", "start and end must be ISO 8601 date-times")
        first, last = format_datetime(start), format_datetime(end)
        found = self.org.store.changed_between(obj, first, last, deleted=deleted)
        if deleted:
            return sf_json(
                {
                    "deletedRecords": [{"id": i, "deletedDate": d} for i, d in found],
                    "earliestDateAvailable": format_datetime(datetime(2000, 1, 1, tzinfo=UTC)),
                    "latestDateCovered": last,
                }
            )
        return sf_json({"ids": [i for i, _ in found], "latestDateCovered": last})

    async def by_external_id(self, request: Request) -> Response:
        obj = self._object(request)
        if obj is None:
            return not_found()
        store = self.org.store
        try:
            key = store.external_field(obj, request.path_params["field"])
        except StoreError as exc:
            return sf_error(exc.error_code, exc.message, status=exc.status)
        decode = unquote_plus if request.method == "GET" else unquote
        value = decode(_raw_segment(request, -1))
        matches = store.find(obj, key, to_18(value) or value if key.type == "id" else value)
        version = api_version(request)
        if len(matches) > 1:
            urls = [f"/services/data/v{version}/sobjects/{obj.name}/{r['Id']}" for r in matches]
            return sf_json(urls, status=300)
        if request.method == "GET":
            return (
                sf_json(record_json(obj, matches[0], api_version=version))
                if matches
                else not_found()
            )
        if request.method == "DELETE":
            if not matches:
                return not_found()
            result = store.delete(obj.name, [matches[0]["Id"]])[0]
            return _single(result, missing_status=404) or Response(status_code=204)
        return await self._upsert(request, obj, key.name, value)

    async def _upsert(self, request: Request, obj: ObjectDef, key: str, value: str) -> Response:
        try:
            body = await _body_record(request)
            record = {k: v for k, v in body.items() if k.lower() != key.lower()}
            record[key] = value
            result = self.org.store.upsert(obj.name, key, [record])[0]
        except BadJson as exc:
            return exc.response()
        except StoreError as exc:
            return sf_error(exc.error_code, exc.message, status=exc.status)
        failure = _single(result, missing_status=404)
        if failure is not None:
            return failure
        if not result.created and float(api_version(request)) < 46:
            return Response(status_code=204)
        answer = {"id": result.id, "success": True, "errors": [], "created": result.created}
        return sf_json(answer, status=201 if result.created else 200)


def sobject_routes(org: Org) -> list[Route]:
    """The sObject routes of ``org`` (paths without the ``/services/data/vXX.X`` prefix)."""
    api = SObjectApi(org)
    base = "/services/data/v{version}/sobjects"
    return [
        Route(base, api.describe_global, methods=["GET"]),
        Route(base + "/{sobject}", api.object_root, methods=["GET", "POST"]),
        Route(base + "/{sobject}/describe", api.describe, methods=["GET"]),
        Route(base + "/{sobject}/{record_id}", api.record, methods=["GET", "PATCH", "DELETE"]),
        Route(
            base + "/{sobject}/{field}/{value:path}",
            api.by_external_id,
            methods=["GET", "PATCH", "DELETE"],
        ),
    ]

"""The OFC4 methods the sandbox serves, one small function each.

Each takes the :class:`Caller` (the store and the authenticated key) and the JSON body, and
returns the method-specific fields of the response envelope, or raises :class:`CallError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ditoolkit.sandbox.dialoginsight.auth import require, rights_on
from ditoolkit.sandbox.dialoginsight.clauses import ClauseError, build_where
from ditoolkit.sandbox.dialoginsight.merge import MergeRun, read_options
from ditoolkit.sandbox.dialoginsight.merge_record import Planned
from ditoolkit.sandbox.dialoginsight.store import Collection, Store, contacts_of, rows_of
from ditoolkit.sandbox.dialoginsight.wire import CallError, require_int
from ditoolkit.sandbox.dialoginsight.world import (
    PROJECTS,
    ProjectSpec,
    TableSpec,
    find_project,
    find_table,
)

MAX_ROWS = 1000


@dataclass(frozen=True)
class Caller:
    """Who calls: the sandbox's store and the key the call authenticated with."""

    store: Store
    key: dict[str, Any]


Handler = Callable[[Caller, dict[str, Any]], dict[str, Any]]


def _project(key: dict[str, Any], body: dict[str, Any], *, right: str) -> ProjectSpec:
    id_project = require_int(body, "idProject")
    project = find_project(id_project)
    if project is None:
        raise CallError("ProjectNotFound", f"no project has idProject {id_project}")
    require(key, id_project, right)
    return project


def _table(key: dict[str, Any], body: dict[str, Any], *, right: str) -> TableSpec:
    id_table = require_int(body, "idTable")
    table = find_table(id_table)
    if table is None:
        raise CallError("TableNotFound", f"no relational table has idTable {id_table}")
    require(key, table.id_project, right)
    return table


def _max_rows(body: dict[str, Any]) -> int:
    if body.get("MaxRows") is None:
        return MAX_ROWS
    rows = require_int(body, "MaxRows")
    if rows < 1:
        raise CallError("InvalidRequest", "MaxRows must be 1 or more")
    return min(rows, MAX_ROWS)


def _where(coll: Collection, clause: Any) -> tuple[str, list[Any]]:
    try:
        return build_where(coll, clause)
    except ClauseError as exc:
        raise CallError(exc.code, exc.message) from exc


def projects_list(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    visible = [p for p in PROJECTS if rights_on(caller.key, p.id_project)]
    return {"Records": [{"idProject": p.id_project, "ProjectName": p.name} for p in visible]}


def projects_get(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    project = _project(caller.key, body, right="read")
    fields = [
        {
            "Code": spec.code,
            "Labels": [{"Language": "en", "Value": spec.label}],
            "isRequired": spec.required,
            "isPrimaryKey": spec.primary_key,
            "DataType": spec.data_type,
            "Length": spec.length,
        }
        for spec in project.fields
    ]
    optins = [
        {"Code": code, "Labels": [{"Language": "en", "Value": code}]} for code in project.optins
    ]
    info = {
        "idProject": project.id_project,
        "ProjectName": project.name,
        "ProjectFields": fields,
        "OptinFields": optins,
    }
    return {"ProjectInfo": info}


def _get(store: Store, coll: Collection, *, body: dict[str, Any]) -> dict[str, Any]:
    where, params = _where(coll, body.get("Clause"))
    rows = store.select(coll, where=where, params=params, limit=_max_rows(body))
    return {"Records": [coll.to_wire(row) for row in rows]}


def contacts_get(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    return _get(caller.store, contacts_of(_project(caller.key, body, right="read")), body=body)


def contacts_merge(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    coll = contacts_of(_project(caller.key, body, right="write"))
    run = MergeRun(caller.store, coll, read_options(body.get("MergeOptions")), by_id=True)
    return run.run(body.get("Records"))


def _doomed_ids(store: Store, coll: Collection, *, body: dict[str, Any]) -> list[Any]:
    if not body.get("Clause"):
        raise CallError("InvalidClause", "Delete needs a Clause naming the records to delete")
    where, params = _where(coll, body["Clause"])
    rows = store.select(coll, where=where, params=params, limit=_max_rows(body))
    return [row[coll.id_column] for row in rows]


def contacts_delete(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    project = _project(caller.key, body, right="delete")
    coll = contacts_of(project)
    store = caller.store
    with store.transaction():
        ids = _doomed_ids(caller.store, coll, body=body)
        for table in project.tables:  # a contact's profiling rows go with it
            store.delete_ids(rows_of(table), column="idContact", ids=ids)
        deleted = store.delete_ids(coll, column="idContact", ids=ids)
    return {"DeletedRecords": deleted}


def tables_get(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    return _get(caller.store, rows_of(_table(caller.key, body, right="read")), body=body)


def _contact_check(store: Store, table: TableSpec) -> Callable[[list[Planned]], None]:
    contacts = contacts_of(find_project(table.id_project) or PROJECTS[0])

    def check(plans: list[Planned]) -> None:
        known = store.find(
            contacts, column="idContact", values=[p.row.get("idContact") for p in plans]
        )
        for plan in plans:
            if plan.row.get("idContact") not in known:
                plan.fail(
                    "UnknownContact",
                    f"idContact {plan.row.get('idContact')} is not a contact of project "
                    f"{table.id_project}",
                )

    return check


def tables_merge(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    table = _table(caller.key, body, right="write")
    options = read_options(body.get("MergeOptions"))
    check = _contact_check(caller.store, table)
    run = MergeRun(caller.store, rows_of(table), options, by_id=False, check=check)
    return run.run(body.get("Records"))


def tables_delete(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    coll = rows_of(_table(caller.key, body, right="delete"))
    with caller.store.transaction():
        deleted = caller.store.delete_ids(
            coll, column=coll.id_column, ids=_doomed_ids(caller.store, coll, body=body)
        )
    return {"DeletedRecords": deleted}


#: (service, method) in lower case → (canonical name, handler).
METHODS: dict[tuple[str, str], tuple[str, Handler]] = {
    ("projects", "list"): ("Projects.List", projects_list),
    ("projects", "get"): ("Projects.Get", projects_get),
    ("contacts", "get"): ("Contacts.Get", contacts_get),
    ("contacts", "merge"): ("Contacts.Merge", contacts_merge),
    ("contacts", "delete"): ("Contacts.Delete", contacts_delete),
    ("relationaltables", "get"): ("RelationalTables.Get", tables_get),
    ("relationaltables", "merge"): ("RelationalTables.Merge", tables_merge),
    ("relationaltables", "delete"): ("RelationalTables.Delete", tables_delete),
}

"""The sandbox org's records: SQLite storage, validation and DML shared by REST, Collections, Bulk.

Layout (what :mod:`.soql` compiles against): one table per object named exactly its API name,
one column per stored field named exactly its field name; text ``TEXT`` (compared without case),
booleans ``INTEGER`` 0/1, ``int`` ``INTEGER``, ``double``/``currency``/``percent`` ``REAL``,
dates ``YYYY-MM-DD``, datetimes ``YYYY-MM-DDTHH:MM:SS.000+0000`` (UTC), ``NULL`` for null.
Every table has ``Id`` and ``IsDeleted``.

Record values are JSON-typed Python values (``str``, ``bool``, ``int``, ``float``; ``None``
sets a field to null); a key absent from a record leaves that field unchanged. Each DML call
runs in one transaction and returns one :class:`SaveResult` per input record, in input order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ditoolkit.sandbox.salesforce.schema import FieldDef, ObjectDef

__all__ = ["FieldDef", "ObjectDef", "QueryResult", "SaveResult", "Store"]


@dataclass
class SaveResult:
    """The outcome of one record of a DML call.

    Attributes:
        id: the record's id (``None`` when an insert failed or the id is unknown).
        success: the record was written.
        created: an insert (or the insert branch of an upsert) succeeded.
        errors: ``[{"statusCode": ..., "message": ..., "fields": [...]}]`` when it failed.
    """

    id: str | None
    success: bool
    created: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class QueryResult:
    """Every record a SOQL query selects.

    Attributes:
        total_size: number of matching records (the count for ``SELECT COUNT()``).
        records: the Salesforce JSON records (``attributes``, nested parents), in order.
    """

    total_size: int
    records: list[dict[str, Any]]


class Store:
    """The org's records in ``data_dir/org.sqlite3``; thread-safe (one connection, one lock).

    Args:
        data_dir: folder for the database file (created if missing).
    """

    def __init__(self, data_dir: Path) -> None:
        raise NotImplementedError

    def describe(self, obj: str) -> ObjectDef | None:
        """The object called ``obj`` (case-insensitive), or ``None`` when it does not exist."""
        raise NotImplementedError

    def objects(self) -> list[ObjectDef]:
        """Every object of the org, in describe-global order."""
        raise NotImplementedError

    def insert(
        self, obj: str, records: list[dict[str, Any]], *, all_or_none: bool = False
    ) -> list[SaveResult]:
        """Create ``records``; system fields, ids and picklist defaults are filled in."""
        raise NotImplementedError

    def update(
        self, obj: str, records: list[dict[str, Any]], *, all_or_none: bool = False
    ) -> list[SaveResult]:
        """Change ``records``; each carries its ``Id`` (15 or 18 characters)."""
        raise NotImplementedError

    def upsert(
        self,
        obj: str,
        external_field: str,
        records: list[dict[str, Any]],
        *,
        all_or_none: bool = False,
    ) -> list[SaveResult]:
        """Update the record whose ``external_field`` matches, else create one.

        ``external_field`` may be ``Id``. A value matching several records fails that record
        with ``DUPLICATE_EXTERNAL_ID``; a value repeated within ``records`` fails each of them
        with ``DUPLICATE_VALUE``.
        """
        raise NotImplementedError

    def delete(
        self, obj: str, ids: list[str], *, hard: bool = False, all_or_none: bool = False
    ) -> list[SaveResult]:
        """Soft-delete (``IsDeleted`` = true, ``queryAll`` still sees it) or hard-delete ids."""
        raise NotImplementedError

    def query(self, soql: str, *, include_deleted: bool = False) -> QueryResult:
        """Run a SOQL query.

        Raises:
            SoqlError: the query is one Salesforce would refuse (code and message as sent).
        """
        raise NotImplementedError

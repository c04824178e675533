"""Types shared by the SOQL engine: the schema it compiles against, its error, its output.

The store implements :class:`SoqlSchema`; :mod:`.soql` re-exports everything here, so the rest of
the sandbox imports from ``soql`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

STRING_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox"}
)
ID_TYPES = frozenset({"id", "reference"})
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})


@dataclass(frozen=True)
class SoqlField:
    """One field of an sObject as SOQL sees it.

    Attributes:
        name: canonical API name, e.g. ``AccountId``.
        type: Salesforce describe type (``id``, ``string``, ``boolean``, ``int``, ``double``,
            ``currency``, ``percent``, ``date``, ``datetime``, ``reference``, ...).
        relationship_name: the parent relationship a reference field opens (``Account``).
        reference_to: the object(s) a reference field points at (``("Account",)``).
    """

    name: str
    type: str
    relationship_name: str | None = None
    reference_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class SoqlObject:
    """One sObject: its canonical name and its fields."""

    name: str
    fields: tuple[SoqlField, ...]

    def field(self, name: str) -> SoqlField | None:
        """The field called ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((f for f in self.fields if f.name.lower() == wanted), None)

    def relationship(self, name: str) -> SoqlField | None:
        """The reference field whose relationship is called ``name`` (case-insensitive)."""
        wanted = name.lower()
        return next(
            (
                f
                for f in self.fields
                if f.relationship_name is not None
                and f.relationship_name.lower() == wanted
                and f.reference_to
            ),
            None,
        )


class SoqlSchema(Protocol):
    """What the compiler needs from the store: objects by name."""

    def get_object(self, name: str) -> SoqlObject | None:
        """The object called ``name`` (case-insensitive), or ``None`` when it does not exist."""
        ...


class SoqlError(Exception):
    """A query Salesforce would refuse, with its error code and message as sent on the wire.

    Attributes:
        error_code: e.g. ``MALFORMED_QUERY``, ``INVALID_FIELD``, ``INVALID_TYPE``.
        message: the ``message`` of the JSON error body.
    """

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message


@dataclass
class CompiledQuery:
    """A SOQL query turned into one SQLite statement plus what shaping its rows needs.

    Attributes:
        object_name: canonical name of the ``FROM`` object.
        sql: the statement, LIMIT and OFFSET included.
        params: its bound parameters (every literal of the query travels here).
        is_count: ``SELECT COUNT()``: the statement returns one row holding the count.
        columns: the selected paths in canonical case, e.g. ``["Id", "Account.Name"]``.
        is_aggregate: ``SELECT COUNT(field)``: one ``AggregateResult`` record.
        plan: the shaping plan used by :func:`shape_records` (internal).
    """

    object_name: str
    sql: str
    params: list[object]
    is_count: bool
    columns: list[str]
    is_aggregate: bool = False
    plan: object = field(default=None, repr=False)

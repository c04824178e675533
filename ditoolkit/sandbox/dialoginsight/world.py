"""The default world of the Dialog Insight sandbox: projects, their fields and relational tables.

DI does not describe relational tables over its API (``dialog-insight-api.md`` §4), so their
schema lives here and reaches clients through ``sandbox.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: DataType values ``Projects.Get`` reports (``dialog-insight-api.md`` §4).
DATA_TYPES = (
    "ShortText",
    "LongText",
    "Email",
    "Phone",
    "Integer",
    "Decimal",
    "Boolean",
    "Date",
    "DateTime",
)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a project or of a relational table.

    Attributes:
        name: the name on the wire (``f_EMail`` for a project field, ``product`` in a table).
        label: the label ``Projects.Get`` shows.
        data_type: one of :data:`DATA_TYPES`.
        length: the longest text accepted, for text-like types.
        primary_key: part of the primary key.
        required: a value is required on insert.
    """

    name: str
    label: str
    data_type: str
    length: int | None = None
    primary_key: bool = False
    required: bool = False

    @property
    def code(self) -> str:
        """The code DI shows: the name without its ``f_`` prefix."""
        return self.name[2:] if self.name.startswith("f_") else self.name


@dataclass(frozen=True)
class TableSpec:
    """A relational (profiling) table linked to a project's contacts by ``idContact``."""

    id_table: int
    code: str
    id_project: int
    fields: tuple[FieldSpec, ...]

    @property
    def key(self) -> FieldSpec:
        return next(f for f in self.fields if f.primary_key)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class ProjectSpec:
    """A DI project: its contact fields, opt-ins and relational tables."""

    id_project: int
    name: str
    type: str
    fields: tuple[FieldSpec, ...]
    optins: tuple[str, ...]
    tables: tuple[TableSpec, ...] = ()

    @property
    def key_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.primary_key)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def optin_names(self) -> tuple[str, ...]:
        return tuple(f"optin_{code}" for code in self.optins)


def _text(name: str, label: str, *, length: int = 100, **flags: bool) -> FieldSpec:
    return FieldSpec(name, label, "ShortText", length, **flags)


PURCHASES = TableSpec(
    id_table=2001,
    code="Purchases",
    id_project=1001,
    fields=(
        FieldSpec("idPurchase", "Purchase id", "ShortText", 100, primary_key=True, required=True),
        FieldSpec("idContact", "Contact", "Integer", required=True),
        _text("product", "Product"),
        FieldSpec("amount", "Amount", "Decimal"),
        FieldSpec("purchaseDate", "Purchase date", "Date"),
    ),
)

COMMUNICATIONS = ProjectSpec(
    id_project=1001,
    name="Communications",
    type="A",
    fields=(
        _text("f_SalesforceId", "Salesforce Id", length=18, primary_key=True, required=True),
        FieldSpec("f_EMail", "Email", "Email", 255),
        _text("f_FirstName", "First name"),
        _text("f_LastName", "Last name"),
        FieldSpec("f_Phone", "Phone", "Phone", 50),
        FieldSpec("f_dateNaissance", "Date of birth", "Date"),
        _text("f_Company", "Company"),
    ),
    optins=("Newsletter", "Promotions"),
    tables=(PURCHASES,),
)

ACQUISITION = ProjectSpec(
    id_project=1002,
    name="Acquisition",
    type="B",
    fields=(
        FieldSpec("f_EMail", "Email", "Email", 255, primary_key=True, required=True),
        _text("f_FirstName", "First name"),
        _text("f_LastName", "Last name"),
        _text("f_Company", "Company"),
        FieldSpec("f_Phone", "Phone", "Phone", 50),
    ),
    optins=("Newsletter",),
)

PROJECTS: tuple[ProjectSpec, ...] = (COMMUNICATIONS, ACQUISITION)


def find_project(id_project: int) -> ProjectSpec | None:
    return next((p for p in PROJECTS if p.id_project == id_project), None)


def find_table(id_table: int) -> TableSpec | None:
    tables = (t for p in PROJECTS for t in p.tables)
    return next((t for t in tables if t.id_table == id_table), None)

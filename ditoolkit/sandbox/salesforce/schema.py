"""The sandbox org's schema: objects and fields with Salesforce's own describe attributes.

:func:`default_world` builds the default world of ``docs/architecture.md`` (Account, Contact,
Lead, User, Organization). Every object also carries the system fields Salesforce maintains
(``Id``, ``IsDeleted``, ``CreatedDate``, ``CreatedById``, ``LastModifiedDate``,
``LastModifiedById``, ``SystemModstamp``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ditoolkit.sandbox.salesforce.soql_model import SoqlField, SoqlObject

#: SQLite column affinity for each describe type (the storage layout the SOQL compiler expects).
SQL_TYPES = {
    "boolean": "INTEGER",
    "int": "INTEGER",
    "double": "REAL",
    "currency": "REAL",
    "percent": "REAL",
}
#: describe type → SOAP type, as describe reports it.
SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}
TEXT_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox"}
)


@dataclass(frozen=True)
class FieldDef:
    """One field, with the attributes describe reports and validation enforces.

    Attributes:
        name: canonical API name.
        type: describe type (``id``, ``string``, ``email``, ``picklist``, ``reference``, ...).
        label: the label Salesforce puts in error messages (``Last Name``).
        length: maximum characters for text types (0 otherwise).
        nillable: may be null; a createable field that is not nillable is required on create
            unless it has a default.
        createable: may be set on create.
        updateable: may be set on update.
        unique: no two live records share a value (case-insensitive).
        external_id: usable as the key of an upsert.
        picklist_values: the picklist's values, in order.
        restricted_picklist: only ``picklist_values`` are accepted.
        default_value: value applied on create when the field is absent.
        reference_to: objects a reference field points at.
        relationship_name: name of the parent relationship (``Account`` for ``AccountId``).
        custom: a custom field (``__c``).
        formula: an SQL expression for a computed field (``Name`` of Contact), else ``None``.
        defaulted_on_create: the server fills it in on create when absent (``OwnerId``).
    """

    name: str
    type: str
    label: str = ""
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    unique: bool = False
    external_id: bool = False
    picklist_values: tuple[str, ...] = ()
    restricted_picklist: bool = False
    default_value: object = None
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    custom: bool = False
    formula: str | None = None
    defaulted_on_create: bool = False

    @property
    def sql_type(self) -> str:
        """The SQLite column type of this field."""
        return SQL_TYPES.get(self.type, "TEXT")

    @property
    def is_text(self) -> bool:
        """A text field: stored case-preserving, compared case-insensitively."""
        return self.type in TEXT_TYPES

    @property
    def soap_type(self) -> str:
        """The SOAP type describe reports (``xsd:string`` for text)."""
        return SOAP_TYPES.get(self.type, "xsd:string")

    def to_soql(self) -> SoqlField:
        """This field as the SOQL compiler sees it."""
        return SoqlField(self.name, self.type, self.relationship_name, self.reference_to)


@dataclass(frozen=True)
class ObjectDef:
    """One sObject: its name, key prefix, operations and fields.

    Attributes:
        name: canonical API name.
        key_prefix: the three characters every id of this object starts with.
        label: singular label; ``label_plural`` the plural.
        fields: every field, system fields included, in describe order.
        createable, updateable, deletable: whether the API may write it.
    """

    name: str
    key_prefix: str
    label: str
    label_plural: str
    fields: tuple[FieldDef, ...]
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    _by_lower: dict[str, FieldDef] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_lower.update({f.name.lower(): f for f in self.fields})

    def field(self, name: str) -> FieldDef | None:
        """The field called ``name`` (case-insensitive), or ``None``."""
        return self._by_lower.get(name.lower())

    @property
    def stored_fields(self) -> tuple[FieldDef, ...]:
        """Fields with a column of their own (computed fields excluded)."""
        return tuple(f for f in self.fields if f.formula is None)

    def to_soql(self) -> SoqlObject:
        """This object as the SOQL compiler sees it."""
        return SoqlObject(self.name, tuple(f.to_soql() for f in self.fields))


def _label(name: str) -> str:
    base = name.removesuffix("__c").replace("_", " ")
    if base.endswith("Id") and len(base) > 2:
        base = base[:-2] + " ID"
    out = "".join(
        f" {c}" if c.isupper() and i and not base[i - 1].isupper() else c
        for i, c in enumerate(base)
    )
    return " ".join(out.split())


def _f(name: str, type_: str, length: int = 0, **kw: object) -> FieldDef:
    kw.setdefault("label", _label(name))
    kw.setdefault("custom", name.endswith("__c"))
    return FieldDef(name, type_, length=length, **kw)  # type: ignore[arg-type]


def _ref(name: str, target: str, relationship: str, **kw: object) -> FieldDef:
    return _f(name, "reference", 18, reference_to=(target,), relationship_name=relationship, **kw)


def _name_formula() -> str:
    return "NULLIF(TRIM(COALESCE(FirstName, '') || ' ' || COALESCE(LastName, '')), '')"


def _system_fields() -> tuple[tuple[FieldDef, ...], tuple[FieldDef, ...]]:
    head = (
        _f("Id", "id", 18, nillable=False, createable=False, updateable=False, label="Record ID"),
        _f(
            "IsDeleted",
            "boolean",
            nillable=False,
            createable=False,
            updateable=False,
            default_value=False,
            label="Deleted",
        ),
    )
    ro = {"createable": False, "updateable": False, "nillable": False}
    tail = (
        _f("CreatedDate", "datetime", **ro),
        _ref("CreatedById", "User", "CreatedBy", label="Created By ID", **ro),
        _f("LastModifiedDate", "datetime", **ro),
        _ref("LastModifiedById", "User", "LastModifiedBy", label="Last Modified By ID", **ro),
        _f("SystemModstamp", "datetime", label="System Modstamp", **ro),
    )
    return head, tail


LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)
INDUSTRIES = (
    "Agriculture",
    "Banking",
    "Communications",
    "Education",
    "Energy",
    "Finance",
    "Healthcare",
    "Hospitality",
    "Manufacturing",
    "Media",
    "Retail",
    "Technology",
    "Transportation",
    "Other",
)


def _person_fields(*, company: bool) -> tuple[FieldDef, ...]:
    return tuple(
        x
        for x in (
            _f("FirstName", "string", 40),
            _f("LastName", "string", 80, nillable=False),
            _f(
                "Name",
                "string",
                121,
                createable=False,
                updateable=False,
                label="Full Name",
                formula=_name_formula(),
            ),
            _f("Company", "string", 255, nillable=False) if company else None,
            _f("Email", "email", 80),
            _f("Phone", "phone", 40, label="Business Phone"),
        )
        if x is not None
    )


def _optins(*, promotions: bool) -> tuple[FieldDef, ...]:
    fields = [
        _f(
            "HasOptedOutOfEmail",
            "boolean",
            nillable=False,
            default_value=False,
            label="Email Opt Out",
        ),
        _f(
            "DI_Optin_Newsletter__c",
            "boolean",
            nillable=False,
            default_value=False,
            label="DI Optin Newsletter",
        ),
    ]
    if promotions:
        fields.append(
            _f(
                "DI_Optin_Promotions__c",
                "boolean",
                nillable=False,
                default_value=False,
                label="DI Optin Promotions",
            )
        )
    return tuple(fields)


def _di_contact_id() -> FieldDef:
    return _f(
        "DI_Contact_Id__c", "string", 20, unique=True, external_id=True, label="DI Contact Id"
    )


def _objects() -> list[tuple[str, str, str, str, tuple[FieldDef, ...], bool]]:
    owner = _ref(
        "OwnerId", "User", "Owner", nillable=False, label="Owner ID", defaulted_on_create=True
    )
    return [
        (
            "Account",
            "001",
            "Account",
            "Accounts",
            (
                _f("Name", "string", 255, nillable=False, label="Account Name"),
                _f("Industry", "picklist", 255, picklist_values=INDUSTRIES),
                _f("BillingCity", "string", 40),
                _f("Legacy_Id__c", "string", 40, external_id=True, label="Legacy Id"),
                owner,
            ),
            True,
        ),
        (
            "Contact",
            "003",
            "Contact",
            "Contacts",
            (
                *_person_fields(company=False),
                _f("Birthdate", "date"),
                _ref("AccountId", "Account", "Account"),
                *_optins(promotions=True),
                _f("LeadSource", "picklist", 255, picklist_values=LEAD_SOURCES),
                _di_contact_id(),
                owner,
            ),
            True,
        ),
        (
            "Lead",
            "00Q",
            "Lead",
            "Leads",
            (
                *_person_fields(company=True),
                _f(
                    "Status",
                    "picklist",
                    255,
                    nillable=False,
                    picklist_values=LEAD_STATUSES,
                    restricted_picklist=True,
                    default_value=LEAD_STATUSES[0],
                    label="Lead Status",
                ),
                _f("LeadSource", "picklist", 255, picklist_values=LEAD_SOURCES),
                *_optins(promotions=False),
                _di_contact_id(),
                owner,
            ),
            True,
        ),
        (
            "User",
            "005",
            "User",
            "Users",
            (
                _f("Username", "string", 80, nillable=False, unique=True),
                *_person_fields(company=False),
                _f("Alias", "string", 8, nillable=False),
                _f("IsActive", "boolean", nillable=False, default_value=True, label="Active"),
                _f("TimeZoneSidKey", "picklist", 40, nillable=False, label="Time Zone"),
            ),
            False,
        ),
        (
            "Organization",
            "00D",
            "Organization",
            "Organizations",
            (
                _f("Name", "string", 80, nillable=False),
                _f("InstanceName", "string", 5, label="Instance Name"),
                _f("IsSandbox", "boolean", nillable=False, default_value=False),
                _f("TrialExpirationDate", "datetime"),
                _f("NamespacePrefix", "string", 15),
                _f("OrganizationType", "picklist", 40, label="Edition"),
            ),
            False,
        ),
    ]


def default_world() -> dict[str, ObjectDef]:
    """The default world's objects by lower-case name."""
    head, tail = _system_fields()
    world: dict[str, ObjectDef] = {}
    for name, prefix, label, plural, own, writable in _objects():
        if not writable:
            own = tuple(replace(f, createable=False, updateable=False) for f in own)
        obj = ObjectDef(
            name,
            prefix,
            label,
            plural,
            (*head, *own, *tail),
            createable=writable,
            updateable=writable,
            deletable=writable,
        )
        world[name.lower()] = obj
    return world

"""The default world's schemas (architecture.md) as TableSchemas, as the adapters describe them.

Assumed names and types, written to match the sandboxes and adapters:
- Salesforce ``Id`` is type ``id`` (key, unique, not createable/updateable); ``Name`` on
  Contact/Lead is a formula (not writable); booleans have defaults and are never required;
  ``Lead.Status`` is a restricted picklist with a default; ``OwnerId`` is defaulted on create.
- DI contacts tables start with ``idContact`` (type id, unique, not updateable); ShortText is
  ``string`` of length 100; opt-ins are ``optin_<Code>`` booleans with ``optin=True``.
"""

from __future__ import annotations

from ditoolkit.core.compatibility import SchemaCatalog
from ditoolkit.port import FieldSchema, FieldType, TableSchema

T = FieldType
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)


def _system_fields() -> tuple[FieldSchema, ...]:
    fixed = {"createable": False, "updateable": False}
    return (
        FieldSchema("Id", T.ID, length=18, key=True, unique=True, **fixed),
        FieldSchema("CreatedDate", T.DATETIME, **fixed),
        FieldSchema("LastModifiedDate", T.DATETIME, **fixed),
        FieldSchema("SystemModstamp", T.DATETIME, **fixed),
        FieldSchema("IsDeleted", T.BOOLEAN, **fixed),
    )


def _person(*, company: bool) -> tuple[FieldSchema, ...]:
    fields = [
        FieldSchema("FirstName", T.STRING, length=40),
        FieldSchema("LastName", T.STRING, length=80, required=True),
        FieldSchema("Name", T.STRING, length=121, createable=False, updateable=False),
        FieldSchema("Email", T.EMAIL, length=80),
        FieldSchema("Phone", T.PHONE, length=40),
    ]
    if company:
        fields.insert(3, FieldSchema("Company", T.STRING, length=255, required=True))
    return tuple(fields)


def _boolean(name: str) -> FieldSchema:
    return FieldSchema(name, T.BOOLEAN, default=False)


DI_CONTACT_ID = FieldSchema("DI_Contact_Id__c", T.STRING, length=20, unique=True, external_id=True)
OWNER = FieldSchema("OwnerId", T.REFERENCE, length=18, reference_to=("User",), default="005")


def salesforce_schemas() -> dict[str, TableSchema]:
    account = TableSchema(
        "salesforce",
        "Account",
        (
            *_system_fields(),
            FieldSchema("Name", T.STRING, length=255, required=True),
            FieldSchema("Industry", T.PICKLIST, length=255, picklist_values=("Banking", "Retail")),
            FieldSchema("BillingCity", T.STRING, length=40),
            OWNER,
        ),
        key="Id",
    )
    contact = TableSchema(
        "salesforce",
        "Contact",
        (
            *_system_fields(),
            *_person(company=False),
            FieldSchema("Birthdate", T.DATE),
            FieldSchema("AccountId", T.REFERENCE, length=18, reference_to=("Account",)),
            _boolean("HasOptedOutOfEmail"),
            _boolean("DI_Optin_Newsletter__c"),
            _boolean("DI_Optin_Promotions__c"),
            FieldSchema("LeadSource", T.PICKLIST, length=255, picklist_values=LEAD_SOURCES),
            DI_CONTACT_ID,
            OWNER,
        ),
        key="Id",
    )
    lead = TableSchema(
        "salesforce",
        "Lead",
        (
            *_system_fields(),
            *_person(company=True),
            FieldSchema(
                "Status",
                T.PICKLIST,
                length=255,
                picklist_values=LEAD_STATUSES,
                restricted=True,
                default=LEAD_STATUSES[0],
            ),
            FieldSchema("LeadSource", T.PICKLIST, length=255, picklist_values=LEAD_SOURCES),
            _boolean("HasOptedOutOfEmail"),
            _boolean("DI_Optin_Newsletter__c"),
            DI_CONTACT_ID,
            OWNER,
        ),
        key="Id",
    )
    return {s.name: s for s in (account, contact, lead)}


def _di_contact_fields(*, key: str) -> list[FieldSchema]:
    def text(name: str, length: int = 100) -> FieldSchema:
        return FieldSchema(
            name, T.STRING, length=length, key=name == key, unique=name == key, required=name == key
        )

    return [
        FieldSchema("idContact", T.ID, unique=True, updateable=False),
        FieldSchema(
            "f_EMail",
            T.EMAIL,
            length=255,
            key=key == "f_EMail",
            unique=key == "f_EMail",
            required=key == "f_EMail",
        ),
        text("f_FirstName"),
        text("f_LastName"),
        FieldSchema("f_Phone", T.PHONE, length=50),
        text("f_Company"),
    ]


def _optin(code: str) -> FieldSchema:
    return FieldSchema(f"optin_{code}", T.BOOLEAN, optin=True)


def di_schemas() -> dict[tuple[int, str], TableSchema]:
    communications = TableSchema(
        "dialoginsight",
        "Contact",
        (
            *_di_contact_fields(key="f_SalesforceId")[:1],
            FieldSchema(
                "f_SalesforceId", T.STRING, length=18, key=True, unique=True, required=True
            ),
            *_di_contact_fields(key="f_SalesforceId")[1:],
            FieldSchema("f_dateNaissance", T.DATE),
            _optin("Newsletter"),
            _optin("Promotions"),
        ),
        key="f_SalesforceId",
    )
    purchases = TableSchema(
        "dialoginsight",
        "Purchases",
        (
            FieldSchema("idPurchase", T.STRING, length=100, key=True, unique=True, required=True),
            FieldSchema("idContact", T.INTEGER, required=True),
            FieldSchema("product", T.STRING, length=100),
            FieldSchema("amount", T.DECIMAL),
            FieldSchema("purchaseDate", T.DATE),
        ),
        key="idPurchase",
    )
    acquisition = TableSchema(
        "dialoginsight",
        "Contact",
        (*_di_contact_fields(key="f_EMail"), _optin("Newsletter")),
        key="f_EMail",
    )
    return {
        (1001, "Contact"): communications,
        (1001, "Purchases"): purchases,
        (1002, "Contact"): acquisition,
    }


def csv_schema(path: str, columns: list[str]) -> TableSchema:
    """A CSV file's schema: every column is text of unknown length."""
    return TableSchema("csv", path, tuple(FieldSchema(c, T.STRING) for c in columns))


TRADESHOW_COLUMNS = ["Courriel", "Prénom", "Nom", "Société", "Téléphone", "Date du scan"]


def default_catalog() -> SchemaCatalog:
    return SchemaCatalog(
        salesforce=salesforce_schemas(),
        dialoginsight=di_schemas(),
        csv={"data/tradeshow.csv": csv_schema("data/tradeshow.csv", TRADESHOW_COLUMNS)},
        project_types={1001: "A", 1002: "B"},
    )

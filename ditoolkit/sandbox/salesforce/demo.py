"""The ``demo`` seed: the Salesforce side of the demo cast (:mod:`ditoolkit.sandbox.demo_people`).

Every start of a new data dir holds the same records: 40 accounts, about 300 contacts and 100
leads, drawn from the cast the Dialog Insight seed draws from too, so that the demo mapping's
keys meet: Contact number *n* gets the id DI project 1001 already holds for it, and the Leads
an earlier sync made carry their DI 1002 ``idContact`` in ``DI_Contact_Id__c``. Traps, by
design: addresses on reserved domains (``.test``, ``.invalid``) and contacts or leads without
an email; near-duplicate people (same name, email differing only in case); account and company
names longer than DI's 100 characters; opted-in and opted-out people; phones in mixed formats,
missing birthdates, contacts without an account; and a few contacts deleted since their last
sync (in the recycle bin: ``queryAll`` sees them, DI 1001 still holds them).
"""

from __future__ import annotations

from typing import Any

from ditoolkit.sandbox.demo_people import Account, Contact, Lead, demo_cast
from ditoolkit.sandbox.salesforce.store import SaveResult, Store


def _account(account: Account) -> dict[str, Any]:
    return {
        "Name": account.name,
        "Industry": account.industry,
        "BillingCity": account.city,
        "Legacy_Id__c": account.legacy_id,
    }


def _contact(contact: Contact, account_ids: list[str]) -> dict[str, Any]:
    person = contact.person
    return {
        "FirstName": person.first,
        "LastName": person.last,
        "Email": person.email,
        "Phone": person.phone,
        "Birthdate": person.birthdate,
        "AccountId": None if contact.account is None else account_ids[contact.account],
        "HasOptedOutOfEmail": contact.opted_out,
        "LeadSource": contact.lead_source,
        "DI_Optin_Newsletter__c": bool(person.newsletter),
        "DI_Optin_Promotions__c": bool(person.promotions),
        "DI_Contact_Id__c": contact.di_contact_id,
    }


def _lead(lead: Lead) -> dict[str, Any]:
    person = lead.person
    return {
        "FirstName": person.first,
        "LastName": person.last,
        "Company": person.company,
        "Email": person.email,
        "Phone": person.phone,
        "Status": lead.status,
        "LeadSource": lead.lead_source,
        "DI_Optin_Newsletter__c": bool(person.newsletter),
        "DI_Contact_Id__c": lead.di_contact_id,
    }


def _checked(obj: str, results: list[SaveResult]) -> list[str]:
    failed = [r for r in results if not r.success]
    if failed:
        raise RuntimeError(f"demo seed: {obj} refused: {failed[0].errors}")
    return [str(r.id) for r in results]


def fill_demo(store: Store) -> None:
    """Insert the demo records into an empty ``store`` (every one must pass validation).

    Raises:
        RuntimeError: a demo record was refused, or the org gave the contacts other ids than
            the cast expects (the org was not empty): the two sandboxes would not agree.
    """
    cast = demo_cast()
    with store.atomic():
        account_ids = _checked(
            "Account", store.insert("Account", [_account(a) for a in cast.accounts])
        )
        records = [_contact(c, account_ids) for c in cast.contacts]
        contact_ids = _checked("Contact", store.insert("Contact", records))
        if contact_ids != [c.salesforce_id for c in cast.contacts]:
            raise RuntimeError(
                "demo seed: the org gave the contacts other ids than the demo cast expects; "
                "seed an empty data dir"
            )
        _checked(
            "Contact",
            store.delete("Contact", [c.salesforce_id for c in cast.contacts if c.deleted]),
        )
        _checked("Lead", store.insert("Lead", [_lead(lead) for lead in cast.leads]))

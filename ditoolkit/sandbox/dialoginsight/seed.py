"""Seeds: ``empty`` (schema only) and ``demo``: the DI side of the demo cast.

The demo records come from :mod:`ditoolkit.sandbox.demo_people`, the cast the Salesforce seed
draws from too, so the demo mapping's keys meet:

- project 1001 (Communications, type A): contacts keyed by the real ids of Salesforce Contacts
  — some as Salesforce holds them (spelled otherwise: email case, spaces around names), some
  with an older phone, name, email, birthdate or company, a few whose Contact was deleted in
  Salesforce since — and their purchases in relational table 2001;
- project 1002 (Acquisition, type B): ~280 contacts acquired in DI, future Salesforce Leads,
  some already pushed (a Lead carries their ``idContact``), six also in the trade-show file
  ``mappings/data/tradeshow.csv``; with last names missing (Lead requires one), first names
  over 40 and last names over 80 characters (Salesforce's limits; DI's short text holds 100),
  names with surrounding spaces, emails in mixed case, addresses on reserved domains
  (``.test``, ``.invalid``), near-duplicate people (same name, plus-addressed), no company for
  many (Lead requires one), phones in mixed formats, and opt-ins subscribed, unsubscribed and
  never set. Three ``idContact`` values are gaps: contacts deleted after they were pushed.

Every record is one DI itself accepts on merge (the tests merge them all into an empty project).
"""

from __future__ import annotations

from typing import Any

from ditoolkit.sandbox.demo_people import Acquired, Member, Purchase, demo_cast
from ditoolkit.sandbox.dialoginsight.store import Collection, Store, contacts_of, rows_of
from ditoolkit.sandbox.dialoginsight.world import ACQUISITION, COMMUNICATIONS, PURCHASES


def _optin(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _member(member: Member) -> dict[str, Any]:
    person = member.person
    return {
        "idContact": member.id_contact,
        "f_SalesforceId": member.salesforce_id,
        "f_EMail": person.email,
        "f_FirstName": person.first,
        "f_LastName": person.last,
        "f_Phone": person.phone,
        "f_dateNaissance": person.birthdate,
        "f_Company": person.company,
        "optin_Newsletter": _optin(person.newsletter),
        "optin_Promotions": _optin(person.promotions),
    }


def _acquired(acquired: Acquired) -> dict[str, Any]:
    person = acquired.person
    return {
        "idContact": acquired.id_contact,
        "f_EMail": person.email,
        "f_FirstName": person.first,
        "f_LastName": person.last,
        "f_Company": person.company,
        "f_Phone": person.phone,
        "optin_Newsletter": _optin(person.newsletter),
    }


def _purchase(number: int, purchase: Purchase) -> dict[str, Any]:
    return {
        "idRecord": number,
        "idPurchase": purchase.id_purchase,
        "idContact": purchase.id_contact,
        "product": purchase.product,
        "amount": purchase.amount,
        "purchaseDate": purchase.purchase_date,
    }


def _insert_all(store: Store, coll: Collection, *, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` under the ids they carry (gaps allowed) into an empty collection.

    Raises:
        RuntimeError: the collection's ids do not start at 1 (it was not empty).
    """
    last = max((int(row[coll.id_column]) for row in rows), default=0)
    if store.allocate_ids(coll, last) != 1:
        raise RuntimeError(f"demo seed: {coll.sql_name} is not empty; seed an empty data dir")
    full = []
    for row in rows:
        record: dict[str, Any] = dict.fromkeys(coll.columns) | row
        record["_pk"] = coll.key_of(record)
        full.append(record)
    store.insert(coll, full)


def apply_seed(store: Store, seed: str) -> None:
    """Fill an empty store according to ``seed`` (``empty`` leaves the schema alone)."""
    if seed != "demo":
        return
    cast = demo_cast()
    with store.transaction():
        _insert_all(store, contacts_of(ACQUISITION), rows=[_acquired(a) for a in cast.acquired])
        _insert_all(store, contacts_of(COMMUNICATIONS), rows=[_member(m) for m in cast.members])
        purchases = [_purchase(n, p) for n, p in enumerate(cast.purchases, start=1)]
        _insert_all(store, rows_of(PURCHASES), rows=purchases)

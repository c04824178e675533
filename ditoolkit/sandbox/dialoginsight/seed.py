"""Seeds: ``empty`` (schema only) and ``demo`` (deterministic, realistic records with traps).

The demo records hold only what DI itself accepts on merge, so the traps are the ones a real DI
account can hold and that trip the *Salesforce* side or a careless sync:

- project 1002 (Acquisition, type B): ~250 contacts acquired in DI, future Salesforce Leads,
  with last names missing (Lead requires one), first names over 40 and last names over 80
  characters (Salesforce's limits; DI's short text holds 100), names with surrounding spaces,
  emails in mixed case, near-duplicate people (same name, plus-addressed or second address),
  no company for many (Lead requires one), phones in mixed formats, and opt-ins subscribed,
  unsubscribed and never set;
- project 1001 (Communications, type A): a few contacts keyed by made-up 18-character
  Salesforce Contact ids, two whose emails differ only in case, one without an email, and
  purchases in relational table 2001.
"""

from __future__ import annotations

import random
import string
import unicodedata
from datetime import date
from typing import Any

from faker import Faker

from ditoolkit.sandbox.dialoginsight.store import Collection, Store, contacts_of, rows_of
from ditoolkit.sandbox.dialoginsight.world import ACQUISITION, COMMUNICATIONS, PURCHASES

DEMO_SEED = 20240611
ACQUIRED = 250
MEMBERS = 40
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_DOMAINS = ("example.com", "example.ca", "example.fr", "mail.example.org")
_BORN_FROM, _BORN_TO = date(1940, 1, 1), date(2006, 12, 31)
_PRODUCTS = ("Spa day", "Aqua pass", "Massage 60 min", "Gift card", "Yoga course")


def salesforce_id(prefix: str, rng: random.Random) -> str:
    """A made-up 18-character Salesforce id, with the real case-safe checksum suffix."""
    short = prefix + "5g" + "".join(rng.choice(_BASE62) for _ in range(10))
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, c in enumerate(short[chunk * 5 : chunk * 5 + 5]) if c.isupper())
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return short + suffix


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _phone(fake: Faker, rng: random.Random) -> str | None:
    area, middle, last = rng.choice(("514", "438", "418")), 555, rng.randrange(100, 200)
    forms = (
        f"+1 {area}-{middle}-0{last}",
        f"({area}) {middle}-0{last}",
        f"{area}.{middle}.0{last}",
    )
    return None if rng.random() < 0.2 else rng.choice(forms)


def _optin(rng: random.Random) -> int | None:
    draw = rng.random()
    return 1 if draw < 0.45 else 0 if draw < 0.7 else None


def _acquired(fake: Faker, rng: random.Random, index: int) -> dict[str, Any]:
    first, last = fake.first_name(), fake.last_name()
    email = f"{_ascii(first)}.{_ascii(last)}{index}@{rng.choice(_DOMAINS)}"
    row: dict[str, Any] = {
        "f_EMail": email,
        "f_FirstName": first,
        "f_LastName": last,
        "f_Company": fake.company() if rng.random() < 0.6 else None,
        "f_Phone": _phone(fake, rng),
        "optin_Newsletter": _optin(rng),
    }
    _add_trap(row, fake, index)
    return row


def _add_trap(row: dict[str, Any], fake: Faker, index: int) -> None:
    """One kind of trap for every fifth contact, cycling through the kinds."""
    if index % 5:
        return
    kind = (index // 5) % 6
    if kind == 0:
        row["f_LastName"] = None
    elif kind == 1:
        row["f_LastName"] = (row["f_LastName"] + "-" + fake.last_name()) * 6
        row["f_LastName"] = row["f_LastName"][: 81 + index % 19]
    elif kind == 2:
        row["f_FirstName"] = (row["f_FirstName"] + " ") * 9
        row["f_FirstName"] = row["f_FirstName"][: 41 + index % 50].strip() + "x"
    elif kind == 3:
        row["f_FirstName"] = f"  {row['f_FirstName']} "
        row["f_LastName"] = f"{row['f_LastName']}  "
    elif kind == 4:
        local, domain = row["f_EMail"].split("@")
        row["f_EMail"] = f"{local.title()}@{domain.upper()}"
    else:
        row["f_EMail"] = None  # replaced by a near-duplicate of the previous person


def _acquisition(fake: Faker, rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index in range(ACQUIRED):
        row = _acquired(fake, rng, index)
        if row["f_EMail"] is None:
            previous = rows[-1]
            local, domain = previous["f_EMail"].lower().split("@")
            row.update(f_FirstName=previous["f_FirstName"], f_LastName=previous["f_LastName"])
            row["f_EMail"] = f"{local}+promo@{domain}" if index % 2 else f"{local}@example.net"
        rows.append(row)
    return rows


def _members(fake: Faker, rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index in range(MEMBERS):
        first, last = fake.first_name(), fake.last_name()
        rows.append({
            "f_SalesforceId": salesforce_id("003", rng),
            "f_EMail": f"{_ascii(first)}.{_ascii(last)}@{rng.choice(_DOMAINS)}",
            "f_FirstName": first,
            "f_LastName": last,
            "f_Phone": _phone(fake, rng),
            "f_dateNaissance": fake.date_between_dates(_BORN_FROM, _BORN_TO).isoformat(),
            "f_Company": fake.company() if index % 3 else None,
            "optin_Newsletter": _optin(rng),
            "optin_Promotions": _optin(rng),
        })  # fmt: skip
    rows[7]["f_EMail"] = rows[6]["f_EMail"].upper()  # the same address, differently cased
    rows[12]["f_EMail"] = None
    return rows


def _purchases(rng: random.Random, contact_ids: list[int]) -> list[dict[str, Any]]:
    rows = []
    for index in range(80):
        rows.append({
            "idPurchase": f"P-{index + 1:06d}",
            "idContact": rng.choice(contact_ids[:25]),
            "product": rng.choice(_PRODUCTS),
            "amount": round(rng.uniform(15, 400), 2),
            "purchaseDate": f"{rng.choice((2023, 2024))}-{rng.randint(1, 12):02d}-"
            f"{rng.randint(1, 28):02d}",
        })  # fmt: skip
    return rows


def _insert_all(store: Store, coll: Collection, rows: list[dict[str, Any]]) -> list[int]:
    first = store.allocate_ids(coll, len(rows))
    full = []
    for offset, row in enumerate(rows):
        record: dict[str, Any] = dict.fromkeys(coll.columns) | row
        record[coll.id_column] = first + offset
        record["_pk"] = coll.key_of(record)
        full.append(record)
    store.insert(coll, full)
    return [int(r[coll.id_column]) for r in full]


def apply_seed(store: Store, seed: str) -> None:
    """Fill an empty store according to ``seed`` (``empty`` leaves the schema alone)."""
    if seed != "demo":
        return
    fake = Faker("fr_CA")
    fake.seed_instance(DEMO_SEED)
    rng = random.Random(DEMO_SEED)
    with store.transaction():
        _insert_all(store, contacts_of(ACQUISITION), _acquisition(fake, rng))
        members = _insert_all(store, contacts_of(COMMUNICATIONS), _members(fake, rng))
        _insert_all(store, rows_of(PURCHASES), _purchases(rng, members))

"""The ``demo`` seed: deterministic, realistic records with the traps a sync must handle.

Made with Faker under a fixed seed, so every start of a new data dir holds the same records:
about 50 accounts, 300 contacts and 200 leads. Traps, by design:

- emails Salesforce accepts but a mail system refuses (reserved domains such as ``.invalid``
  and ``.test``), and contacts or leads without an email;
- near-duplicate people (same name, email differing only in case or a typo);
- values longer than Dialog Insight's 100-character fields (company and account names);
- opted-in and opted-out people (``HasOptedOutOfEmail``, ``DI_Optin_*__c``);
- some contacts and leads already carrying a ``DI_Contact_Id__c``;
- phones in mixed formats, missing birthdates, contacts without an account.
"""

from __future__ import annotations

import random
import unicodedata
from typing import Any

from faker import Faker

from ditoolkit.sandbox.salesforce.schema import INDUSTRIES, LEAD_SOURCES, LEAD_STATUSES
from ditoolkit.sandbox.salesforce.store import Store

SEED = 1001
ACCOUNTS = 50
CONTACTS = 300
LEADS = 200
_BAD_DOMAINS = ("example.invalid", "mail.test", "localhost.localdomain")
_LONG_SUFFIX = (
    " - Division des services professionnels, technologiques et financiers de l'Amérique du "
    "Nord (siège social)"
)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c in ".-")


def _email(fake: Faker, rng: random.Random, first: str, last: str) -> str | None:
    roll = rng.random()
    if roll < 0.08:
        return None
    domain = rng.choice(_BAD_DOMAINS) if roll < 0.16 else fake.free_email_domain()
    return f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@{domain}"


def _phone(fake: Faker, rng: random.Random) -> str | None:
    digits = f"{rng.choice(('514', '438', '418', '450', '819'))}555{rng.randint(0, 9999):04d}"
    forms = (
        f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
        f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}",
        f"{digits[:3]}.{digits[3:6]}.{digits[6:]}",
        digits,
        None,
    )
    return rng.choice(forms)


def _accounts(fake: Faker, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for number in range(ACCOUNTS):
        name = fake.company()
        if number % 12 == 5:
            name += _LONG_SUFFIX
        out.append(
            {
                "Name": name[:255],
                "Industry": rng.choice(INDUSTRIES),
                "BillingCity": fake.city(),
                "Legacy_Id__c": f"LEG-{number:05d}" if number % 3 else None,
            }
        )
    return out


def _person(fake: Faker, rng: random.Random) -> dict[str, Any]:
    first, last = fake.first_name(), fake.last_name()
    return {
        "FirstName": first,
        "LastName": last,
        "Email": _email(fake, rng, first, last),
        "Phone": _phone(fake, rng),
        "LeadSource": rng.choice((*LEAD_SOURCES, None)),
        "HasOptedOutOfEmail": rng.random() < 0.15,
        "DI_Optin_Newsletter__c": rng.random() < 0.55,
    }


def _near_duplicate(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    twin = dict(record)
    email = record.get("Email")
    if email and rng.random() < 0.5:
        twin["Email"] = email.upper() if rng.random() < 0.5 else email.replace(".", "", 1)
    twin["FirstName"] = f"{record['FirstName']} "
    twin["DI_Contact_Id__c"] = None
    return twin


def _contacts(fake: Faker, rng: random.Random, account_ids: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while len(out) < CONTACTS:
        record = _person(fake, rng)
        birth = fake.date_of_birth(minimum_age=18, maximum_age=85)
        record.update(
            {
                "Birthdate": birth.isoformat() if rng.random() < 0.7 else None,
                "AccountId": rng.choice(account_ids) if rng.random() < 0.85 else None,
                "DI_Optin_Promotions__c": rng.random() < 0.35,
                "DI_Contact_Id__c": f"DI-{len(out) + 1:06d}" if rng.random() < 0.3 else None,
            }
        )
        out.append(record)
        if len(out) % 25 == 0:
            out.append(_near_duplicate(record, rng))
    return out[:CONTACTS]


def _leads(fake: Faker, rng: random.Random) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for number in range(LEADS):
        record = _person(fake, rng)
        company = fake.company() + (_LONG_SUFFIX if number % 15 == 7 else "")
        record.update(
            {
                "Company": company if rng.random() < 0.9 else "[not provided]",
                "Status": rng.choice(LEAD_STATUSES),
                "DI_Contact_Id__c": f"ACQ-{number + 1:06d}" if number % 4 == 0 else None,
            }
        )
        out.append(record)
    return out


def fill_demo(store: Store) -> None:
    """Insert the demo records into ``store`` (every one must pass validation).

    Raises:
        RuntimeError: a demo record was refused (the seed and the schema disagree).
    """
    fake = Faker(["fr_CA", "en_CA"])
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    accounts = store.insert("Account", _accounts(fake, rng))
    account_ids = [r.id for r in accounts if r.id]
    for obj, records in (
        ("Contact", _contacts(fake, rng, account_ids)),
        ("Lead", _leads(fake, rng)),
    ):
        failed = [r for r in store.insert(obj, records) if not r.success]
        if failed:
            raise RuntimeError(f"demo seed: {obj} refused: {failed[0].errors}")

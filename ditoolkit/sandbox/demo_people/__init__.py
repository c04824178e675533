"""The demo cast: one deterministic set of people that both sandboxes' demo seeds draw from.

The Salesforce seed (:mod:`ditoolkit.sandbox.salesforce.demo`) and the Dialog Insight seed
(:mod:`ditoolkit.sandbox.dialoginsight.seed`) build their records from :func:`demo_cast`, so the
keys the demo mapping (``mappings/demo.yml``) joins on agree by construction, and its preview
shows every kind of change:

- ``contacts_to_di`` (Salesforce Contact → DI 1001, ``Id`` → ``f_SalesforceId``). Contact number
  *n* of a fresh org gets the id ``make_id("003", n)`` (the org's id counter), so 1001 holds
  real Contact ids. Most contacts are new to 1001; some are there unchanged (spelled otherwise:
  email case, spaces around names); some with an older phone, name, email, birthdate or company
  (updates); some carry a value DI would refuse (an address on a reserved, undeliverable domain;
  an account name over DI's 100 characters — a Contact's ``LastName`` holds at most 80, so it
  cannot be the long one); some have no email (outside the transfer's filter); and a few 1001
  members belong to contacts since deleted in Salesforce (target-only rows).
- ``acquisition_to_leads`` (DI 1002 → Lead, ``idContact`` → ``DI_Contact_Id__c``). Most 1002
  contacts are new to Salesforce; some were pushed earlier, so a Lead carries their
  ``idContact`` — unchanged, or with an older name, phone, company or newsletter opt-in; a few
  break a Salesforce rule (no last name, names over 40/80 characters, a reserved-domain
  address); three Leads point at 1002 contacts deleted since (target-only rows, the id gaps
  in 1002). ``idContact`` is DI's own unique id, so this transfer can have no duplicate key.
- ``tradeshow_csv_to_di`` (``mappings/data/tradeshow.csv`` → 1002 by email): six people of the
  file are already in 1002, three as the file has them, three with an older phone or company.

DI validates values on merge, so every DI record here is one the real DI accepts; its invalid
emails are addresses on reserved domains (``.test``, ``.invalid``, RFC 6761) that DI and
Salesforce both store but no mail reaches, which the toolkit's quality check holds back.
"""

from __future__ import annotations

from functools import cache

from ditoolkit.sandbox.demo_people.people import (
    NOT_PROVIDED,
    Account,
    Acquired,
    Contact,
    DemoCast,
    Lead,
    Maker,
    Member,
    Person,
    Purchase,
    Story,
)

__all__ = [
    "NOT_PROVIDED",
    "Account",
    "Acquired",
    "Contact",
    "DemoCast",
    "Lead",
    "Member",
    "Person",
    "Purchase",
    "Story",
    "demo_cast",
]


@cache
def demo_cast() -> DemoCast:
    """The demo cast: the same on every call and in every process (Faker and Random seeded)."""
    from ditoolkit.sandbox.demo_people.story import build_cast

    return build_cast(Maker())

"""The demo story: who is on which side, and how the two sides differ (see the package doc)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ditoolkit.sandbox.demo_people.people import (
    LONG_SUFFIX,
    RESERVED_DOMAINS,
    TRADESHOW,
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
    accounts,
    as_lead,
    older,
    respelled,
    scanned,
)
from ditoolkit.sandbox.salesforce.schema import LEAD_SOURCES

#: Salesforce Contacts by story of ``contacts_to_di`` (plus near-duplicates and conversions).
CONTACTS = {
    Story.NEW: 222,
    Story.UNCHANGED: 20,
    Story.CHANGED: 20,
    Story.HELD_BACK: 9,
    Story.OUTSIDE: 12,
    Story.TARGET_ONLY: 5,
}
#: DI 1002 contacts by story of ``acquisition_to_leads`` (plus the trade-show people).
ACQUIRED = {
    Story.NEW: 226,
    Story.UNCHANGED: 20,
    Story.CHANGED: 20,
    Story.HELD_BACK: 9,
    Story.TARGET_ONLY: 3,
}
CONVERTED = 8  # pushed leads since converted to Contacts, which carry their idContact
OTHER_LEADS = 60  # leads from other sources, without a DI id
PURCHASES = 80
#: What 1001 held before the Contact changed in Salesforce (cycled through).
MEMBER_CHANGES = (
    ("phone",),
    ("last", "email"),
    ("birthdate",),
    ("company",),
    ("no_email",),
    ("phone", "company"),
    ("email",),
)
#: What the Lead held before the 1002 contact changed in DI (cycled through).
LEAD_CHANGES = (("phone",), ("last",), ("newsletter",), ("not_provided",), ("first", "phone"))
_PUSHED_STATUSES = ("Open - Not Contacted", "Working - Contacted")
_PRODUCTS = ("Spa day", "Aqua pass", "Massage 60 min", "Gift card", "Yoga course")


@dataclass(kw_only=True)
class _Draft:
    """A Contact before it is numbered, and what 1001 holds of it."""

    person: Person
    account: int | None
    story: Story
    di_contact_id: str | None = None
    member: Person | None = None


def build_cast(maker: Maker) -> DemoCast:
    """Draw the whole cast from ``maker`` (a fixed order of draws keeps it deterministic)."""
    orgs = accounts(maker)
    acquired, pushed = _acquired(maker)
    converted = [a for a in acquired if a.story is Story.UNCHANGED][:CONVERTED]
    contacts, members = _contacts(maker, orgs, converted=converted)
    leads = [*pushed, *_other_leads(maker)]
    maker.rng.shuffle(leads)
    return DemoCast(
        accounts=orgs,
        contacts=contacts,
        members=members,
        purchases=_purchases(maker, members),
        acquired=tuple(acquired),
        leads=tuple(leads),
    )


# --- Salesforce Contacts and DI 1001 -----------------------------------------------------------


def _contacts(
    maker: Maker, orgs: tuple[Account, ...], *, converted: list[Acquired]
) -> tuple[tuple[Contact, ...], tuple[Member, ...]]:
    regular = [i for i, a in enumerate(orgs) if len(a.name) <= 100]
    long = [i for i, a in enumerate(orgs) if len(a.name) > 100]
    drafts: list[_Draft] = []
    counts = dict.fromkeys(Story, 0)
    for story in maker.shuffled(CONTACTS):
        index = counts[story]
        counts[story] += 1
        account: int | None = maker.rng.choice(
            long if story is Story.HELD_BACK and index % 2 else regular
        )
        if story in (Story.NEW, Story.UNCHANGED) and maker.rng.random() < 0.15:
            account = None
        person = maker.person(complete=story is Story.CHANGED)
        person = replace(person, company=orgs[account].name if account is not None else None)
        draft = _Draft(person=person, account=account, story=story)
        drafts.append(_draft(maker, draft, index=index))
        if story is Story.NEW and index % 40 == 39:
            twin = replace(person, first=f"{person.first} ", email=(person.email or "").upper())
            drafts.append(_Draft(person=twin, account=account, story=Story.NEW))
    for position, lead in enumerate(converted):
        person = replace(as_lead(lead.person), company=None, newsletter=lead.person.newsletter)
        draft = _Draft(
            person=person, account=None, story=Story.NEW, di_contact_id=str(lead.id_contact)
        )
        drafts.insert(11 + 31 * position, draft)
    return _numbered(maker, drafts)


def _draft(maker: Maker, draft: _Draft, *, index: int) -> _Draft:
    """Give ``draft`` its story: a 1001 member, a trap or no email."""
    person, story = draft.person, draft.story
    if story is Story.UNCHANGED:
        draft.member = respelled(person, index)
    elif story is Story.CHANGED:
        draft.member = older(maker, person, changes=MEMBER_CHANGES[index % len(MEMBER_CHANGES)])
    elif story is Story.TARGET_ONLY:
        draft.member = person
    elif story is Story.HELD_BACK and index % 2 == 0:
        domain = RESERVED_DOMAINS[index % len(RESERVED_DOMAINS)]
        draft.person = replace(person, email=maker.email(person.first or "", "", domain=domain))
    elif story is Story.OUTSIDE:
        draft.person = replace(person, email=None)
    if draft.member is not None:
        optins = maker.optin(tri_state=True), maker.optin(tri_state=True)
        draft.member = replace(draft.member, newsletter=optins[0], promotions=optins[1])
    return draft


def _numbered(maker: Maker, drafts: list[_Draft]) -> tuple[tuple[Contact, ...], tuple[Member, ...]]:
    contacts: list[Contact] = []
    members: list[Member] = []
    for number, draft in enumerate(drafts, start=1):
        contact = Contact(
            number=number,
            person=draft.person,
            account=draft.account,
            story=draft.story,
            opted_out=maker.rng.random() < 0.15,
            lead_source=maker.rng.choice((*LEAD_SOURCES, None)),
            di_contact_id=draft.di_contact_id,
        )
        contacts.append(contact)
        if draft.member is not None:
            members.append(
                Member(
                    id_contact=len(members) + 1,
                    salesforce_id=contact.salesforce_id,
                    person=draft.member,
                    story=draft.story,
                )
            )
    return tuple(contacts), tuple(members)


def _purchases(maker: Maker, members: tuple[Member, ...]) -> tuple[Purchase, ...]:
    rng = maker.rng
    return tuple(
        Purchase(
            id_purchase=f"P-{number:06d}",
            id_contact=rng.choice(members).id_contact,
            product=rng.choice(_PRODUCTS),
            amount=round(rng.uniform(15, 400), 2),
            purchase_date=f"{rng.choice((2024, 2025))}-{rng.randint(1, 12):02d}-"
            f"{rng.randint(1, 28):02d}",
        )
        for number in range(1, PURCHASES + 1)
    )


# --- DI 1002 and Salesforce Leads --------------------------------------------------------------


def _acquired(maker: Maker) -> tuple[list[Acquired], list[Lead]]:
    slots: list[Story | int] = list(maker.shuffled(ACQUIRED))
    for k in range(len(TRADESHOW)):
        slots.insert(17 + 45 * k, k)  # an int: the trade-show person number k
    acquired: list[Acquired] = []
    leads: list[Lead] = []
    counts = dict.fromkeys(Story, 0)
    for id_contact, slot in enumerate(slots, start=1):
        if isinstance(slot, int):
            acquired.append(_scanned(maker, id_contact=id_contact, number=slot))
            continue
        index = counts[slot]
        counts[slot] += 1
        person = _acquired_person(maker, slot, index=index, previous=acquired)
        if slot is not Story.TARGET_ONLY:
            acquired.append(Acquired(id_contact=id_contact, person=person, story=slot))
        if slot in (Story.UNCHANGED, Story.CHANGED, Story.TARGET_ONLY):
            leads.append(_pushed(maker, person, story=slot, id_contact=id_contact, index=index))
    return acquired, leads


def _scanned(maker: Maker, *, id_contact: int, number: int) -> Acquired:
    row, differences = TRADESHOW[number]
    held = replace(scanned(row), newsletter=maker.optin(tri_state=True), **differences)
    story = Story.UNCHANGED if number < len(TRADESHOW) // 2 else Story.CHANGED
    return Acquired(id_contact=id_contact, person=held, story=Story.NEW, scanned=story)


def _acquired_person(maker: Maker, story: Story, *, index: int, previous: list[Acquired]) -> Person:
    person = maker.person(complete=story is Story.CHANGED, tri_state=story is not Story.CHANGED)
    company = maker.fake.company() if story is Story.CHANGED or maker.rng.random() < 0.6 else None
    person = replace(person, birthdate=None, promotions=None, company=company)
    if story is Story.HELD_BACK:
        return _trap(maker, person, index=index)
    if story is Story.UNCHANGED or (story is Story.NEW and index % 4 == 1):
        return respelled(person, index)
    if story is Story.NEW and index % 50 == 49 and previous:  # the previous person, again
        twin = previous[-1].person
        local, _, domain = (twin.email or "").lower().partition("@")
        return replace(person, first=twin.first, last=twin.last, email=f"{local}+promo@{domain}")
    return person


def _trap(maker: Maker, person: Person, *, index: int) -> Person:
    """A value DI accepts and the Lead transfer holds back (cycling through four kinds)."""
    kind = index % 4
    if kind == 0:
        return replace(person, last=None)
    if kind == 1:
        return replace(person, first=((person.first or "") + " ") * 8 + "Marie-Ève")
    if kind == 2:
        long = f"{person.last}-{maker.other_last_name(person.last)}-" * 6
        return replace(person, last=long[: 81 + index % 19].strip("-"))
    domain = RESERVED_DOMAINS[index % len(RESERVED_DOMAINS)]
    return replace(person, email=maker.email(person.first or "", person.last or "", domain=domain))


def _pushed(maker: Maker, person: Person, *, story: Story, id_contact: int, index: int) -> Lead:
    """The Lead an earlier sync made of a 1002 contact (older values when it changed since)."""
    lead = as_lead(person)
    if story is Story.CHANGED:
        changes = LEAD_CHANGES[index % len(LEAD_CHANGES)]
        lead = older(maker, lead, changes=changes)
    converted = story is Story.UNCHANGED and index < CONVERTED
    status = "Closed - Converted" if converted else maker.rng.choice(_PUSHED_STATUSES)
    return Lead(
        person=lead, status=status, lead_source="Web", di_contact_id=str(id_contact), story=story
    )


def _other_leads(maker: Maker) -> list[Lead]:
    """Leads from other sources (web forms, lists, partners): no DI id."""
    out = []
    for number in range(OTHER_LEADS):
        person = maker.person()
        draw = maker.rng.random()
        if draw < 0.1:
            person = replace(person, email=None)
        elif draw < 0.18:
            domain = maker.rng.choice(RESERVED_DOMAINS)
            person = replace(person, email=maker.email(person.first or "", "", domain=domain))
        company = maker.fake.company() + (LONG_SUFFIX if number % 15 == 7 else "")
        source = maker.rng.choice((*LEAD_SOURCES[1:], None))
        status = maker.rng.choice(("Open - Not Contacted", "Working - Contacted",
                                   "Closed - Not Converted"))  # fmt: skip
        lead = Lead(
            person=replace(person, company=company),
            status=status,
            lead_source=source,
            di_contact_id=None,
            story=Story.OUTSIDE,
        )
        out.append(lead)
    return out

"""The demo people: their records on each side, and how the cast draws and varies them."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from faker import Faker

from ditoolkit.sandbox.salesforce.ids import make_id
from ditoolkit.sandbox.salesforce.schema import INDUSTRIES

SEED = 20240611
NOT_PROVIDED = "[not provided]"
LONG_SUFFIX = (
    " - Division des services professionnels, technologiques et financiers de l'Amérique du "
    "Nord (siège social)"
)
RESERVED_DOMAINS = ("example.test", "mail.invalid", "courriel.test")
_BORN_FROM = date(1940, 1, 1)


class Story(StrEnum):
    """What a record shows in its transfer's preview."""

    NEW = "new"  # the source holds it, the target not yet: an insert
    UNCHANGED = "unchanged"  # both hold it, equal after normalization
    CHANGED = "changed"  # both hold it, one or two mapped fields differ: an update
    HELD_BACK = "held_back"  # a value the quality checks refuse
    TARGET_ONLY = "target_only"  # the target holds it, the source no longer does
    OUTSIDE = "outside"  # not selected by the transfer (no email, a lead from elsewhere)


@dataclass(frozen=True, kw_only=True)
class Person:
    """One person as one side holds them (``None``: the side has no value)."""

    first: str | None
    last: str | None
    email: str | None
    phone: str | None = None
    birthdate: str | None = None
    company: str | None = None
    newsletter: bool | None = None
    promotions: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Account:
    """A Salesforce Account."""

    name: str
    industry: str
    city: str
    legacy_id: str | None


@dataclass(frozen=True, kw_only=True)
class Contact:
    """A Salesforce Contact, in the order the seed inserts it (``number`` counts from 1)."""

    number: int
    person: Person
    account: int | None
    story: Story
    opted_out: bool = False
    lead_source: str | None = None
    di_contact_id: str | None = None

    @property
    def salesforce_id(self) -> str:
        """The 18-character id the Salesforce sandbox gives Contact number ``number``."""
        return make_id("003", self.number)

    @property
    def deleted(self) -> bool:
        """Deleted in Salesforce after its last sync (1001 still holds it)."""
        return self.story is Story.TARGET_ONLY


@dataclass(frozen=True, kw_only=True)
class Member:
    """A contact of DI project 1001 (Communications), keyed by its Salesforce Contact id."""

    id_contact: int
    salesforce_id: str
    person: Person
    story: Story


@dataclass(frozen=True, kw_only=True)
class Acquired:
    """A contact of DI project 1002 (Acquisition); ``scanned`` when the trade-show file has it."""

    id_contact: int
    person: Person
    story: Story
    scanned: Story | None = None


@dataclass(frozen=True, kw_only=True)
class Lead:
    """A Salesforce Lead; ``person.company`` is its (required) ``Company``."""

    person: Person
    status: str
    lead_source: str | None
    di_contact_id: str | None
    story: Story


@dataclass(frozen=True, kw_only=True)
class Purchase:
    """A row of DI relational table 2001 (Purchases)."""

    id_purchase: str
    id_contact: int
    product: str
    amount: float
    purchase_date: str


@dataclass(frozen=True, kw_only=True)
class DemoCast:
    """Everything both demo seeds write, in insert order."""

    accounts: tuple[Account, ...]
    contacts: tuple[Contact, ...]
    members: tuple[Member, ...]
    purchases: tuple[Purchase, ...]
    acquired: tuple[Acquired, ...]
    leads: tuple[Lead, ...]


#: Rows of ``mappings/data/tradeshow.csv`` (email, first name, last name, company, phone) whose
#: people are already in 1002, and what 1002 holds otherwise (nothing, a respelling, or older
#: values).
TRADESHOW: tuple[tuple[tuple[str, str, str, str, str], dict[str, Any]], ...] = (
    (
        (
            "jacqueline.chabot@gmail.com",
            "Jacqueline",
            "Chabot",
            "Trottier-Lemieux",
            "(247)529-9168",
        ),
        {"email": "Jacqueline.Chabot@gmail.com"},
    ),
    (
        (
            "etienne.fournier@hotmail.com",
            "Étienne",
            "Fournier",
            "Beauchamp-Cloutier",
            "365-492-9617",
        ),
        {},
    ),
    (
        ("vincent.perreault@gmail.com", "Vincent", "Perreault", "Dumont Inc", "(835)969-4639"),
        {"first": "Vincent "},
    ),
    (
        ("charles.moreau@hotmail.com", "Charles", "Moreau", "Potvin PLC", "(992)647-4189"),
        {"phone": "(514) 555-0187"},
    ),
    (
        (
            "gilbert.beaulieu@gmail.com",
            "Gilbert",
            "Beaulieu",
            "Paquette-Benoît",
            "240.503.2191x1303",
        ),
        {"phone": None, "company": None},
    ),
    (
        (
            "camille.langlois@hotmail.com",
            "Camille",
            "Langlois",
            "Thibodeau Ltd",
            "722.982.9469x09100",
        ),
        {"company": "Thibodeau Inc"},
    ),
)


def scanned(row: tuple[str, str, str, str, str]) -> Person:
    """The person of one :data:`TRADESHOW` row, as the file has them."""
    email, first, last, company, phone = row
    return Person(first=first, last=last, email=email, phone=phone, company=company)


def ascii_part(text: str) -> str:
    """``text`` as an email's local part: accents dropped, lower case, letters and digits."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


class Maker:
    """Draws people and values from one seeded Faker and one seeded Random, in a fixed order."""

    def __init__(self, seed: int = SEED) -> None:
        self.fake = Faker(["fr_CA", "en_CA"])
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)
        self._serial = 0

    def person(self, *, complete: bool = False, tri_state: bool = False) -> Person:
        """A new person; ``complete`` fills every value, ``tri_state`` allows unset opt-ins."""
        first, last = self.fake.first_name(), self.fake.last_name()
        return Person(
            first=first,
            last=last,
            email=self.email(first, last),
            phone=self.phone() if complete or self.rng.random() < 0.85 else None,
            birthdate=self.birthdate() if complete or self.rng.random() < 0.7 else None,
            newsletter=self.optin(tri_state=tri_state),
            promotions=self.optin(tri_state=tri_state),
        )

    def email(self, first: str, last: str, *, domain: str | None = None) -> str:
        """A unique address for the name (a serial number keeps it unique)."""
        self._serial += 1
        host = domain or self.fake.free_email_domain()
        return f"{ascii_part(first)}.{ascii_part(last)}{self._serial}@{host}"

    def phone(self) -> str:
        """A 555 number, in one of the forms people type."""
        area = self.rng.choice(("514", "438", "418", "450", "819"))
        digits = f"{area}5550{self.rng.randint(100, 199)}"
        forms = (
            f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
            f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}",
            f"{digits[:3]}.{digits[3:6]}.{digits[6:]}",
            digits,
        )
        return self.rng.choice(forms)

    def birthdate(self) -> str:
        return (_BORN_FROM + timedelta(days=self.rng.randrange(24_000))).isoformat()

    def optin(self, *, tri_state: bool) -> bool | None:
        draw = self.rng.random()
        if tri_state and draw > 0.75:
            return None
        return draw < 0.45

    def other_last_name(self, last: str | None) -> str:
        """A last name that is not ``last``."""
        while (name := self.fake.last_name()) == last:
            pass
        return name

    def other_phone(self, phone: str | None) -> str:
        """A phone number that is not ``phone``."""
        while (number := self.phone()) == phone:
            pass
        return number

    def shuffled(self, counts: dict[Story, int]) -> list[Story]:
        """``counts[story]`` of each story, in a seeded order."""
        stories = [story for story, count in counts.items() for _ in range(count)]
        self.rng.shuffle(stories)
        return stories


def respelled(person: Person, index: int) -> Person:
    """The same person spelled as another side might: equal after normalization."""
    email = person.email or ""
    kind = index % 3
    if kind == 0:
        return replace(person, email=email.upper())
    if kind == 1:
        return replace(person, first=f"  {person.first} ", last=f"{person.last} ")
    local, _, domain = email.partition("@")
    return replace(person, email=f"{local.title()}@{domain.upper()}")


def misspelled(name: str) -> str:
    """``name`` with a typo: two letters swapped, or one dropped when swapping changes nothing."""
    i = max(1, len(name) // 2)
    if i + 1 < len(name) and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i + 1 :] if len(name) > 1 else name + "e"


def older(maker: Maker, person: Person, *, changes: tuple[str, ...]) -> Person:
    """``person`` with the earlier value of each field named in ``changes``."""
    values: dict[str, Any] = {}
    for name in changes:
        if name == "phone":
            values["phone"] = maker.other_phone(person.phone)
        elif name == "last":
            values["last"] = maker.other_last_name(person.last)
        elif name == "first":
            values["first"] = misspelled(person.first or "")
        elif name == "no_email":
            values["email"] = None
        elif name == "newsletter":
            values["newsletter"] = not person.newsletter
        elif name == "email":
            values["email"] = maker.email(person.first or "", person.last or "")
        elif name == "company":
            values["company"] = maker.fake.company()
        elif name == "not_provided":
            values["company"] = NOT_PROVIDED
        else:  # a value the earlier record did not have yet
            values[name] = None
    return replace(person, **values)


def as_lead(person: Person) -> Person:
    """What ``acquisition_to_leads`` writes to a Lead for a 1002 contact."""
    return Person(
        first=person.first.strip() if person.first else None,
        last=person.last.strip() if person.last else None,
        email=person.email.strip().lower() if person.email else None,
        phone=person.phone,
        company=(person.company or "").strip() or NOT_PROVIDED,
        newsletter=bool(person.newsletter),
    )


def accounts(maker: Maker, *, count: int = 40) -> tuple[Account, ...]:
    """Accounts; every twelfth has a name longer than DI's 100 characters."""
    out = []
    for number in range(count):
        name = maker.fake.company() + (LONG_SUFFIX if number % 12 == 5 else "")
        out.append(
            Account(
                name=name[:255],
                industry=maker.rng.choice(INDUSTRIES),
                city=maker.fake.city(),
                legacy_id=f"LEG-{number:05d}" if number % 3 else None,
            )
        )
    return tuple(out)

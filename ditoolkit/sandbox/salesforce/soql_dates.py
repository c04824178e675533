"""SOQL date and datetime literals: fixed values in storage form, and relative ranges.

A relative date literal (``TODAY``, ``LAST_N_DAYS:7``...) is a half-open range of whole days
``[start, end)``, computed in UTC from an injectable ``now``. Weeks start on Sunday (Salesforce's
default ``en_US`` locale); quarters are calendar quarters. Fiscal literals are not supported.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

_FIXED = (
    "YESTERDAY",
    "TODAY",
    "TOMORROW",
    "LAST_WEEK",
    "THIS_WEEK",
    "NEXT_WEEK",
    "LAST_MONTH",
    "THIS_MONTH",
    "NEXT_MONTH",
    "LAST_90_DAYS",
    "NEXT_90_DAYS",
    "LAST_QUARTER",
    "THIS_QUARTER",
    "NEXT_QUARTER",
    "LAST_YEAR",
    "THIS_YEAR",
    "NEXT_YEAR",
)
_UNITS = ("DAYS", "WEEKS", "MONTHS", "QUARTERS", "YEARS")
FIXED_DATE_LITERALS = frozenset(_FIXED)
N_DATE_LITERALS = frozenset(
    name for unit in _UNITS for name in (f"LAST_N_{unit}", f"NEXT_N_{unit}", f"N_{unit}_AGO")
)


def date_range(name: str, n: int | None, *, now: datetime) -> tuple[date, date]:
    """The half-open day range ``[start, end)`` a date literal stands for.

    Args:
        name: the literal in upper case, e.g. ``THIS_MONTH`` or ``LAST_N_DAYS``.
        n: the number after the colon for ``..._N_...`` literals, else ``None``.
        now: the current instant; its UTC date is "today".
    """
    today = now.astimezone(UTC).date()
    if n is None:
        return _fixed_range(name, today)
    return _n_range(name, n, today=today)


def _fixed_range(name: str, today: date) -> tuple[date, date]:
    period, _, unit = name.partition("_")
    if name in ("YESTERDAY", "TODAY", "TOMORROW"):
        start = today + timedelta(days={"YESTERDAY": -1, "TODAY": 0, "TOMORROW": 1}[name])
        return start, start + timedelta(days=1)
    if name == "LAST_90_DAYS":
        return today - timedelta(days=90), today + timedelta(days=1)
    if name == "NEXT_90_DAYS":
        return today + timedelta(days=1), today + timedelta(days=91)
    step = {"LAST": -1, "THIS": 0, "NEXT": 1}[period]
    return _unit_range(unit, today, first=step, count=1)


def _n_range(name: str, n: int, *, today: date) -> tuple[date, date]:
    if name.startswith("N_"):
        unit = name.split("_")[1].rstrip("S")
        return _unit_range(unit, today, first=-n, count=1)
    unit = name.rsplit("_", 1)[1].rstrip("S")
    if unit == "DAY":
        if name.startswith("LAST_"):
            return today - timedelta(days=n), today + timedelta(days=1)
        return today + timedelta(days=1), today + timedelta(days=n + 1)
    if name.startswith("LAST_"):
        return _unit_range(unit, today, first=-n, count=n)
    return _unit_range(unit, today, first=1, count=n)


def _unit_range(unit: str, today: date, *, first: int, count: int) -> tuple[date, date]:
    """``count`` whole units starting ``first`` units away from the one holding ``today``."""
    if unit == "DAY":
        start = today + timedelta(days=first)
        return start, start + timedelta(days=count)
    if unit == "WEEK":
        sunday = today - timedelta(days=(today.weekday() + 1) % 7)
        start = sunday + timedelta(weeks=first)
        return start, start + timedelta(weeks=count)
    months = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit]
    index = today.year * 12 + today.month - 1
    index -= index % months
    start_index = index + first * months
    return _month_start(start_index), _month_start(start_index + count * months)


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def date_text(day: date) -> str:
    """A date in storage form, ``YYYY-MM-DD``."""
    return day.isoformat()


def datetime_text(moment: datetime) -> str:
    """An aware datetime in storage form: UTC, ``YYYY-MM-DDTHH:MM:SS.mmm+0000``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def day_start_text(day: date) -> str:
    """Midnight UTC of ``day`` in datetime storage form."""
    return datetime_text(datetime(day.year, day.month, day.day, tzinfo=UTC))


def parse_date(text: str) -> date:
    """``YYYY-MM-DD`` as a date (``ValueError`` when the day does not exist)."""
    return date.fromisoformat(text)


def parse_datetime(text: str) -> datetime:
    """A SOQL datetime literal (``Z`` or ``+hh:mm`` offset, optional millis) as an aware datetime."""
    head, _, _ = text.partition(".")
    if "." in text:
        millis_and_zone = text[len(head) + 1 :]
        digits = len(millis_and_zone) - len(millis_and_zone.lstrip("0123456789"))
        millis, zone = millis_and_zone[:digits], millis_and_zone[digits:]
        text = f"{head}.{millis.ljust(3, '0')}{zone}"
    return datetime.fromisoformat(text.replace("Z", "+00:00"))

"""The data-quality vocabulary: reason codes, their severity, and value checks per type.

Each check takes a column (raw values and their normalized form) and returns a boolean mask
of the rows it finds wrong; :mod:`ditoolkit.core.quality` turns masks into findings. Checks
that need a library (email syntax, phone numbers) run once per distinct value.
"""

from __future__ import annotations

import enum
from functools import lru_cache

import email_validator
import numpy as np
import pandas as pd
import phonenumbers

from ditoolkit.port import FieldSchema


class Reason(enum.StrEnum):
    """Why a value or a row was flagged."""

    MISSING_KEY = "MISSING_KEY"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    REQUIRED_MISSING = "REQUIRED_MISSING"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    TOO_LONG = "TOO_LONG"
    NOT_IN_PICKLIST = "NOT_IN_PICKLIST"
    UNPARSABLE_DATE = "UNPARSABLE_DATE"
    DATE_OUT_OF_RANGE = "DATE_OUT_OF_RANGE"
    NOT_A_NUMBER = "NOT_A_NUMBER"
    NOT_A_BOOLEAN = "NOT_A_BOOLEAN"


class Severity(enum.StrEnum):
    """``blocking`` holds the row back; ``warning`` reports it and lets it through."""

    BLOCKING = "blocking"
    WARNING = "warning"


#: Default severity per reason; override per check with ``severities=``.
DEFAULT_SEVERITY: dict[Reason, Severity] = {
    **{reason: Severity.BLOCKING for reason in Reason},
    Reason.INVALID_PHONE: Severity.WARNING,
}

#: What each reason means, for messages (``{field}``, ``{limit}`` filled in).
MESSAGES: dict[Reason, str] = {
    Reason.MISSING_KEY: "the key {field} is empty: the row cannot be matched",
    Reason.DUPLICATE_KEY: "the key {field} appears more than once: no row is picked",
    Reason.REQUIRED_MISSING: "{field} is required and empty",
    Reason.INVALID_EMAIL: "{field} is not a valid email address",
    Reason.INVALID_PHONE: "{field} is not a valid phone number for region {limit}",
    Reason.TOO_LONG: "{field} is longer than {limit} characters",
    Reason.NOT_IN_PICKLIST: "{field} is not one of the picklist's values",
    Reason.UNPARSABLE_DATE: "{field} is not a date",
    Reason.DATE_OUT_OF_RANGE: "{field} is outside 1700-01-01..4000-12-31 (Salesforce's range)",
    Reason.NOT_A_NUMBER: "{field} is not a number",
    Reason.NOT_A_BOOLEAN: "{field} is not a boolean (true/false, 1/0, yes/no)",
}

#: Salesforce accepts dates from 1700-01-01 to 4000-12-31.
DATE_RANGE = (pd.Timestamp("1700-01-01"), pd.Timestamp("4000-12-31 23:59:59"))

# A conservative ASCII form that email-validator always accepts (checked in the tests); the
# rest (unicode, quoted parts, odd characters) goes to email-validator itself.
_SIMPLE_EMAIL = (
    r"^[a-z0-9_%+-]+(\.[a-z0-9_%+-]+)*@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)


def blank(raw: pd.Series) -> np.ndarray:
    """Raw values that are null or whitespace-only text."""
    missing = raw.isna().to_numpy(dtype=bool)
    if pd.api.types.is_object_dtype(raw.dtype) or pd.api.types.is_string_dtype(raw.dtype):
        text = raw.astype("string").str.strip()
        missing = missing | (text == "").to_numpy(dtype=bool, na_value=True)
    return missing


@lru_cache(maxsize=262_144)
def email_is_valid(address: str) -> bool:
    """Email syntax as email-validator judges it (no DNS lookup)."""
    try:
        email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return True


def invalid_emails(normalized: pd.Series) -> np.ndarray:
    """Non-null values that are not valid email addresses."""
    text = normalized.astype("string")
    simple = text.str.fullmatch(_SIMPLE_EMAIL).fillna(False).to_numpy(dtype=bool)
    tld = text.str.rsplit(".", n=1).str[-1]
    special = tld.isin(email_validator.SPECIAL_USE_DOMAIN_NAMES).to_numpy(dtype=bool)
    local_len = text.str.split("@", n=1).str[0].str.len().fillna(0).to_numpy()
    simple &= ~special & (local_len <= 64) & (text.str.len().fillna(0).to_numpy() <= 254)
    rest = text[~simple & text.notna().to_numpy()]
    bad = np.zeros(len(text), dtype=bool)
    if len(rest):
        verdict = {v: not email_is_valid(v) for v in rest.unique()}
        bad[np.flatnonzero(~simple & text.notna().to_numpy())] = rest.map(verdict).to_numpy(bool)
    return bad


@lru_cache(maxsize=262_144)
def phone_is_valid(number: str, region: str) -> bool:
    """A number phonenumbers judges valid for ``region`` (or in international form)."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(parsed))


def invalid_phones(normalized: pd.Series, *, region: str) -> np.ndarray:
    """Non-null values that are not valid phone numbers."""
    present = normalized.notna().to_numpy(dtype=bool)
    bad = np.zeros(len(normalized), dtype=bool)
    values = normalized[present].astype(str)
    verdict = {v: not phone_is_valid(v, region) for v in values.unique()}
    bad[np.flatnonzero(present)] = values.map(verdict).to_numpy(dtype=bool)
    return bad


def too_long(normalized: pd.Series, field: FieldSchema) -> np.ndarray:
    """Text longer than the field's length."""
    if field.length is None:
        return np.zeros(len(normalized), dtype=bool)
    lengths = normalized.astype("string").str.len()
    return (lengths > field.length).to_numpy(dtype=bool, na_value=False)


def not_in_picklist(normalized: pd.Series, field: FieldSchema) -> np.ndarray:
    """Values of a restricted picklist that are not among its values."""
    if not field.restricted or not field.picklist_values:
        return np.zeros(len(normalized), dtype=bool)
    outside = ~normalized.isin(field.picklist_values) & normalized.notna()
    return outside.to_numpy(dtype=bool)


def out_of_range(normalized: pd.Series) -> np.ndarray:
    """Dates or datetimes outside Salesforce's range."""
    values = (
        normalized.dt.tz_localize(None)
        if isinstance(normalized.dtype, pd.DatetimeTZDtype)
        else normalized
    )
    outside = (values < DATE_RANGE[0]) | (values > DATE_RANGE[1])
    return outside.to_numpy(dtype=bool, na_value=False)

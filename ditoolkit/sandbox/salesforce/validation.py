"""Field validation and conversion to storage values, with Salesforce's error codes and wording.

A :class:`RecordValidator` is built once per object and operation; it turns one JSON record
into storage values (see :mod:`.store` for the layout) or into the errors Salesforce reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from ditoolkit.sandbox.salesforce.ids import to_18
from ditoolkit.sandbox.salesforce.schema import FieldDef, ObjectDef
from ditoolkit.sandbox.salesforce.validation_columns import FieldConverter, field_converter

# Salesforce's own check is a pattern too: a local part, "@", dotted domain labels, a TLD.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = {"true": 1, "false": 0}


class FieldProblem(Exception):
    """A value Salesforce would refuse: ``statusCode``, message and the fields involved."""

    def __init__(self, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or []

    def as_error(self) -> dict[str, Any]:
        """The error as it appears in a save result."""
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}


def format_datetime(moment: datetime) -> str:
    """``moment`` in Salesforce's stored and returned form, in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    # Salesforce keeps milliseconds (SystemModstamp watermarks depend on them)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def _type_error(f: FieldDef, value: object) -> FieldProblem:
    kind = type(value).__name__.upper()
    token = "VALUE_STRING" if isinstance(value, str) else f"VALUE_{kind}"
    if isinstance(value, dict | list):
        token = "START_OBJECT" if isinstance(value, dict) else "START_ARRAY"
    wanted = f.soap_type.split(":")[1]
    return FieldProblem(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {wanted} from {token} value {value} "
        "or request may be missing a required field",
        [f.name],
    )


def _text(f: FieldDef) -> Callable[[Any], Any]:
    restricted = frozenset(f.picklist_values) if f.restricted_picklist else None
    is_email = f.type == "email"

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = str(value)
        elif not isinstance(value, str):
            raise _type_error(f, value)
        if value == "":
            return None
        if len(value) > f.length:
            raise FieldProblem(
                "STRING_TOO_LONG",
                f"{f.label}: data value too large: {value} (max length={f.length})",
                [f.name],
            )
        if is_email and not _EMAIL.fullmatch(value):
            raise FieldProblem(
                "INVALID_EMAIL_ADDRESS", f"{f.label}: invalid email address: {value}", [f.name]
            )
        if restricted is not None and value not in restricted:
            raise FieldProblem(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{f.label}: bad value for restricted picklist field: {value}",
                [f.name],
            )
        return value

    return convert


def _boolean(f: FieldDef) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value is None:
            return 0  # a checkbox is never null: Salesforce stores false
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str) and value.lower() in _TRUE:
            return _TRUE[value.lower()]
        raise _type_error(f, value)

    return convert


def _number(f: FieldDef) -> Callable[[Any], Any]:
    cast: Callable[[Any], Any] = int if f.type == "int" else float

    def convert(value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _type_error(f, value)
        try:
            number = cast(value)
        except ValueError:
            raise _type_error(f, value) from None
        if f.type == "int" and isinstance(value, float) and value != number:
            raise _type_error(f, value)
        return number

    return convert


def _date(f: FieldDef) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not _DATE.match(value):
            raise _type_error(f, value)
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            raise _type_error(f, value) from None

    return convert


def _datetime(f: FieldDef) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not _DATE.match(value):
            raise _type_error(f, value)
        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            raise _type_error(f, value) from None

    return convert


def reference_converter(f: FieldDef, prefixes: frozenset[str]) -> Callable[[Any], Any]:
    """A converter for an id or reference field whose targets have key ``prefixes``."""

    def convert(value: Any) -> Any:
        if value is None or value == "":
            return None
        full = to_18(value) if isinstance(value, str) else None
        if full is None or (prefixes and full[:3] not in prefixes):
            raise FieldProblem(
                "MALFORMED_ID", f"{f.label}: id value of incorrect type: {value}", [f.name]
            )
        return full

    return convert


def converter(f: FieldDef, prefixes: frozenset[str] = frozenset()) -> Callable[[Any], Any]:
    """The converter from a JSON value to the storage value of ``f``."""
    if f.type in ("id", "reference"):
        return reference_converter(f, prefixes)
    if f.type == "boolean":
        return _boolean(f)
    if f.type in ("int", "double", "currency", "percent"):
        return _number(f)
    if f.type == "date":
        return _date(f)
    if f.type == "datetime":
        return _datetime(f)
    return _text(f)


class RecordValidator:
    """Turns JSON records of one object into storage values, for inserts or for updates.

    Args:
        obj: the object.
        prefixes: key prefix of each object by lower-case name (to check reference types).
        creating: validate for an insert (else for an update).
    """

    def __init__(self, obj: ObjectDef, *, prefixes: dict[str, str], creating: bool) -> None:
        self.obj = obj
        self.creating = creating
        self._converters: dict[str, tuple[FieldDef, Callable[[Any], Any]]] = {}
        self._keys: dict[str, tuple[str, Callable[[Any], Any] | None] | None] = {}
        self._columns: dict[str, FieldConverter] = {}
        #: shape plans by record keys, kept by :mod:`.validation_batch`
        self.plans: dict[tuple[str, ...], Any] = {}
        if not creating:
            self._keys.update({"Id": None, "id": None, "ID": None})
        for f in obj.fields:
            targets = frozenset(prefixes[t.lower()] for t in f.reference_to)
            if f.type == "id":
                targets = frozenset({obj.key_prefix})
            self._converters[f.name] = (f, converter(f, targets))
        writable = [f for f in obj.stored_fields if (f.createable if creating else f.updateable)]
        self.required = [
            f
            for f in writable
            if not f.nillable
            and f.type != "boolean"
            and f.default_value is None
            and not f.defaulted_on_create
        ]
        self.defaults = {
            f.name: self._converters[f.name][1](f.default_value)
            for f in writable
            if f.default_value is not None
        }

    def entry(self, key: str) -> tuple[str, Callable[[Any], Any] | None] | None:
        """(canonical name, converter or ``None`` when not writable), ``None`` if unknown."""
        try:
            return self._keys[key]
        except KeyError:
            pass
        f = self.obj.field(key)
        entry = None
        if f is not None:
            writable = f.createable if self.creating else f.updateable
            entry = (f.name, self._converters[f.name][1] if writable else None)
        self._keys[key] = entry
        return entry

    def convert(self, name: str, value: Any) -> Any:
        """The storage value of ``value`` for field ``name`` (canonical name)."""
        return self._converters[name][1](value)

    def column(self, name: str) -> FieldConverter:
        """The cell and column converters of field ``name`` (canonical name)."""
        found = self._columns.get(name)
        if found is None:
            f, cell = self._converters[name]
            found = self._columns[name] = field_converter(f, cell, email=_EMAIL)
        return found

    def unknown_field(self, key: str) -> dict[str, Any]:
        """The error of a record carrying ``key``, which names no field."""
        message = f"No such column '{key}' on sobject of type {self.obj.name}"
        return FieldProblem("INVALID_FIELD", message, [key]).as_error()

    def not_writable(self, names: list[str]) -> dict[str, Any]:
        """The error of a record setting fields ``names`` it may not set."""
        return _not_writable(names, id_on_insert=self.creating and "Id" in names)

    def prepare(self, record: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Storage values by canonical field name, or the errors Salesforce would report.

        ``attributes`` and (for updates) ``Id`` are skipped; on insert, defaults are applied.
        """
        values: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        locked: list[str] = []
        entry = self.entry
        for key, value in record.items():
            found = entry(key)
            if found is None:
                if key == "attributes" or (not self.creating and key.lower() == "id"):
                    continue
                return {}, [self.unknown_field(key)]
            name, convert = found
            if convert is None:
                locked.append(name)
                continue
            try:
                values[name] = convert(value)
            except FieldProblem as problem:
                errors.append(problem.as_error())
        if locked:
            return {}, [self.not_writable(locked)]
        if self.creating:
            for name, default in self.defaults.items():
                if values.get(name) is None:
                    values[name] = default
        missing = [
            f.name
            for f in self.required
            if values.get(f.name) is None and (self.creating or f.name in values)
        ]
        if missing:
            message = f"Required fields are missing: [{', '.join(missing)}]"
            errors.append(FieldProblem("REQUIRED_FIELD_MISSING", message, missing).as_error())
        return values, errors


def _not_writable(names: list[str], *, id_on_insert: bool) -> dict[str, Any]:
    if id_on_insert:
        return FieldProblem(
            "INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", ["Id"]
        ).as_error()
    message = (
        f"Unable to create/update fields: {', '.join(names)}. Please check the security "
        "settings of this field and verify that it is read/write for your profile or "
        "permission set."
    )
    return FieldProblem("INVALID_FIELD_FOR_INSERT_UPDATE", message, names).as_error()

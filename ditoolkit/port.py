"""The System port: what the sync engine (``core``) and the adapters (``systems``) share.

Every external system (Salesforce, Dialog Insight, a CSV file, memory) answers three calls:
``describe``, ``read`` and ``write``. Core sees systems only through this module, so that it
never imports HTTP clients or widgets.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from ditoolkit.errors import RejectedError


class FieldType(enum.StrEnum):
    """Normalized field types, common to every system."""

    STRING = "string"
    TEXT = "text"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    PICKLIST = "picklist"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    ID = "id"
    REFERENCE = "reference"


#: The pandas dtype each normalized type reads into.
PANDAS_DTYPES: dict[FieldType, str] = {
    FieldType.STRING: "string",
    FieldType.TEXT: "string",
    FieldType.EMAIL: "string",
    FieldType.PHONE: "string",
    FieldType.URL: "string",
    FieldType.PICKLIST: "string",
    FieldType.BOOLEAN: "boolean",
    FieldType.INTEGER: "Int64",
    FieldType.DECIMAL: "Float64",
    FieldType.DATE: "datetime64[s]",
    FieldType.DATETIME: "datetime64[ns, UTC]",
    FieldType.ID: "string",
    FieldType.REFERENCE: "string",
}


@dataclass(frozen=True)
class FieldSchema:
    """One field of a table, as its system describes it.

    Attributes:
        name: the field's API name (``LastName``, ``f_EMail``).
        type: the normalized type.
        label: the human label, when the system gives one.
        length: the maximum length of a text value, when limited.
        required: a value must be given on create.
        key: the table's primary key (``Id`` on Salesforce, the project's key in DI).
        unique: values are unique across the table.
        external_id: usable as an upsert key (Salesforce external ids).
        createable: may be set on insert.
        updateable: may be set on update.
        picklist_values: allowed values of a picklist.
        restricted: a picklist that rejects other values.
        reference_to: the tables a reference points to.
        default: the value applied on create when none is given.
        optin: a Dialog Insight opt-in (subscribed / unsubscribed / never set).
        precision: total digits of a decimal, when known.
        scale: digits after the point of a decimal, when known.
    """

    name: str
    type: FieldType
    label: str | None = None
    length: int | None = None
    required: bool = False
    key: bool = False
    unique: bool = False
    external_id: bool = False
    createable: bool = True
    updateable: bool = True
    picklist_values: tuple[str, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    default: Any = None
    optin: bool = False
    precision: int | None = None
    scale: int | None = None

    @property
    def dtype(self) -> str:
        """The pandas dtype values of this field read into."""
        return PANDAS_DTYPES[self.type]


@dataclass(frozen=True)
class TableSchema:
    """A table (Salesforce object, DI contacts or relational table, CSV file) and its fields.

    Attributes:
        system: the system's name (``salesforce``, ``dialoginsight``, ``csv``, ``memory``).
        name: the table's name (``Contact``, ``Purchases``, a file path).
        fields: the fields, in the system's order.
        key: the primary key field's name, if the table has one.
        label: the human label.
    """

    system: str
    name: str
    fields: tuple[FieldSchema, ...]
    key: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_lower", {f.name.lower(): f for f in self.fields})

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_lower  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[FieldSchema]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    @property
    def names(self) -> list[str]:
        """The field names, in order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> FieldSchema:
        """The field called ``name`` (case-insensitive).

        Raises:
            KeyError: with a message naming the table and the closest fields.
        """
        found: FieldSchema | None = self._by_lower.get(name.lower())  # type: ignore[attr-defined]
        if found is None:
            raise KeyError(f"{self.system} table {self.name!r} has no field {name!r}")
        return found

    def get(self, name: str) -> FieldSchema | None:
        """The field called ``name`` (case-insensitive), or ``None``."""
        result: FieldSchema | None = self._by_lower.get(name.lower())  # type: ignore[attr-defined]
        return result


class Operation(enum.StrEnum):
    """Write operations a system may support."""

    INSERT = "insert"
    UPDATE = "update"
    UPSERT = "upsert"
    DELETE = "delete"
    HARD_DELETE = "hard_delete"


class RowStatus(enum.StrEnum):
    """Outcome of one row of a write."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    SKIPPED = "skipped"


#: The columns of :attr:`WriteResult.frame`, in order.
RESULT_COLUMNS = ("row", "key", "operation", "status", "id", "error_code", "message")


@dataclass
class RowResult:
    """The outcome of one input row."""

    row: int
    key: Any
    operation: str
    status: RowStatus
    id: str | None = None
    error_code: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not RowStatus.FAILED


@dataclass
class WriteResult:
    """One row per input row of a write, in input order: nothing fails silently.

    Attributes:
        system: the system written to.
        table: the table written to.
        rows: one :class:`RowResult` per input row, in input order.
        api_calls: how many API calls the write made.
    """

    system: str
    table: str
    rows: list[RowResult] = field(default_factory=list)
    api_calls: int = 0

    @classmethod
    def from_rows(
        cls, system: str, table: str, rows: Iterable[RowResult], *, api_calls: int = 0
    ) -> WriteResult:
        """Build a result, sorted by input row."""
        return cls(system, table, sorted(rows, key=lambda r: r.row), api_calls=api_calls)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def ok(self) -> bool:
        """True when every row succeeded (or was skipped on purpose)."""
        return all(r.ok for r in self.rows)

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame with :data:`RESULT_COLUMNS`."""
        data = [
            (r.row, r.key, r.operation, r.status.value, r.id, r.error_code, r.message)
            for r in self.rows
        ]
        return pd.DataFrame(data, columns=list(RESULT_COLUMNS)).astype(
            {"row": "int64", "status": "string", "id": "string", "error_code": "string"}
        )

    def failed(self) -> pd.DataFrame:
        """The failed rows, with their error code and message."""
        frame = self.frame
        return frame[frame["status"] == RowStatus.FAILED.value].reset_index(drop=True)

    def counts(self) -> dict[str, int]:
        """How many rows ended in each status."""
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.status.value] = out.get(r.status.value, 0) + 1
        return out

    def raise_for_errors(self) -> None:
        """Raise :class:`RejectedError` naming the first failures, if any row failed."""
        bad = [r for r in self.rows if not r.ok]
        if not bad:
            return
        sample = "; ".join(
            f"row {r.row} (key {r.key!r}): {r.error_code or 'ERROR'} {r.message or ''}".strip()
            for r in bad[:5]
        )
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise RejectedError(
            f"{len(bad)} of {len(self.rows)} rows failed writing {self.table}: {sample}{more}",
            system=self.system,
            code=bad[0].error_code,
            hint="see WriteResult.failed() for every failed row and its reason",
        )

    def to_csv(self, path: str | Path) -> Path:
        """Write the result rows to ``path`` as CSV (headers even when empty), formula-like
        text neutralised for spreadsheets."""
        from ditoolkit.core.spreadsheet import neutralize_frame

        target = Path(path)
        neutralize_frame(self.frame).to_csv(target, index=False)
        return target


@runtime_checkable
class System(Protocol):
    """The port every external system implements."""

    name: str

    def tables(self) -> list[str]:
        """The names of the tables this system exposes."""
        ...

    def describe(self, table: str) -> TableSchema:
        """The schema of ``table``.

        Raises:
            NotFoundError: the table does not exist.
        """
        ...

    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        where: Any = None,
        since: Any = None,
    ) -> pd.DataFrame:
        """Rows of ``table`` as a DataFrame typed from :meth:`describe`."""
        ...

    def write(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        operation: str,
        key: str | None = None,
    ) -> WriteResult:
        """Write ``frame`` to ``table``; one result row per input row, in input order."""
        ...

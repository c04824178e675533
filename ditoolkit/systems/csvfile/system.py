"""CSV files behind the System port: a folder of files, each file a table.

Writes go through :class:`~ditoolkit.systems.memory.MemorySystem`, the reference
implementation, so a CSV file validates and reports rows exactly as the port promises; the
file is then rewritten atomically in its own delimiter, as UTF-8.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ditoolkit.errors import NotFoundError, RejectedError
from ditoolkit.port import FieldSchema, FieldType, TableSchema, WriteResult
from ditoolkit.systems.csvfile.files import read_csv_file, write_csv_file
from ditoolkit.systems.memory import MemorySystem

SYSTEM = "csv"


class CsvSystem:
    """CSV files as tables: ``describe``, ``read`` and ``write`` by file name.

    Args:
        directory: the folder of the files; a table is a path relative to it.
        files: table name → path, for files elsewhere.
        schemas: table name → schema, to type the columns it knows (else all strings).
        delimiter: ``"auto"`` or the delimiter used to read.
        encoding: ``"auto"`` or the codec used to read.
    """

    name = SYSTEM

    def __init__(
        self,
        directory: str | Path | None = None,
        *,
        files: Mapping[str, str | Path] | None = None,
        schemas: Mapping[str, TableSchema] | None = None,
        delimiter: str = "auto",
        encoding: str = "auto",
    ) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.files = {name: Path(p) for name, p in (files or {}).items()}
        self.schemas = dict(schemas or {})
        self.delimiter = delimiter
        self.encoding = encoding

    def path(self, table: str) -> Path:
        """The file behind ``table``."""
        if table in self.files:
            return self.files[table]
        path = Path(table)
        return path if path.is_absolute() or self.directory is None else self.directory / path

    def tables(self) -> list[str]:
        """The ``*.csv`` files of the folder and the named files."""
        found = sorted(p.name for p in self.directory.glob("*.csv")) if self.directory else []
        return sorted(set(found) | set(self.files) | set(self.schemas))

    def describe(self, table: str) -> TableSchema:
        """The table's schema: the one given, else every header column as a string field.

        Raises:
            NotFoundError: the file does not exist and no schema was given.
        """
        header = self._header(table)
        return self._schema(table, header)

    def _header(self, table: str) -> list[str] | None:
        path = self.path(table)
        if not path.exists():
            if table in self.schemas:
                return None
            raise NotFoundError(
                f"no file {str(path)!r} for table {table!r}",
                system=SYSTEM,
                code="NOT_FOUND",
                hint="check the path, or write to it first",
            )
        frame = read_csv_file(path, delimiter=self.delimiter, encoding=self.encoding)
        return [str(c) for c in frame.columns]

    def _schema(self, table: str, header: Sequence[str] | None) -> TableSchema:
        given = self.schemas.get(table)
        if given is None:
            fields = tuple(FieldSchema(name, FieldType.STRING) for name in header or ())
            return TableSchema(SYSTEM, table, fields)
        extra = tuple(
            FieldSchema(name, FieldType.STRING) for name in header or () if name not in given
        )
        return TableSchema(SYSTEM, table, given.fields + extra, key=given.key, label=given.label)

    def read(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        where: Any = None,
        since: Any = None,
    ) -> pd.DataFrame:
        """The file's rows, typed from the schema when one was given, indexed by line.

        Raises:
            InputFileError: the file is malformed.
            RejectedError: ``since`` was given (files have no modification stamps), an unknown
                column, or a malformed ``where``.
        """
        if since is not None:
            raise RejectedError(
                f"{table}: a CSV file has no modification stamps to read changes since",
                system=SYSTEM,
                code="INVALID_OPERATION",
                hint="read the whole file (since=None)",
            )
        self._header(table)  # NotFoundError for a missing file without a schema
        frame = self._frame(table)
        if where is not None:
            frame = frame[MemorySystem.mask(table, frame, where)]
        if columns is not None:
            schema = self._schema(table, [str(c) for c in frame.columns])
            frame = frame[[MemorySystem.field_of(schema, c).name for c in columns]]
        return frame

    def _frame(self, table: str) -> pd.DataFrame:
        path = self.path(table)
        schema = self.schemas.get(table)
        if not path.exists():
            assert schema is not None
            return MemorySystem({table: (schema, None)}).read(table)
        return read_csv_file(path, delimiter=self.delimiter, encoding=self.encoding, schema=schema)

    def write(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        operation: str = "insert",
        key: str | None = None,
    ) -> WriteResult:
        """Insert, update, upsert or delete rows of the file; one result per input row.

        A new file gets the schema's columns, or the frame's. Cells that a spreadsheet would
        run as a formula are written with a leading ``'``.
        """
        path = self.path(table)
        existing = self._frame(table) if path.exists() else None
        header = [str(c) for c in existing.columns] if existing is not None else None
        if header is None and table not in self.schemas:
            header = [str(c) for c in frame.columns]
        schema = self._schema(table, header)
        store = MemorySystem({table: (schema, existing)}, modstamp="")
        try:
            result = store.write(table, frame, operation=operation, key=key)
        except RejectedError as exc:
            raise RejectedError(
                f"{path}: {exc.message.removeprefix('memory: ')}",
                system=SYSTEM,
                code=exc.code,
                hint=exc.hint,
            ) from exc
        generated = schema.get(schema.key) if schema.key else None
        for row in result.rows:
            if generated is None or generated.type is not FieldType.ID:
                row.id = None
        if any(r.ok for r in result.rows) or existing is None:
            delimiter = str((existing.attrs if existing is not None else {}).get("delimiter", ","))
            write_csv_file(path, store.read(table), delimiter=delimiter, columns=schema.names)
        return WriteResult.from_rows(SYSTEM, table, result.rows, api_calls=1)

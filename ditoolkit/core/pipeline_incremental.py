"""What an incremental read compares: the keys read, and the keys deleted since the watermark.

A source read from a watermark holds only the rows changed since, so the diff compares only
the target rows whose key it read (:func:`keys_read_only`); a row missing from it is never a
delete (see :mod:`ditoolkit.core.pipeline`).

A source side that can also list its rows deleted since a time
(:attr:`~ditoolkit.core.pipeline.Endpoint.read_deleted`: on Salesforce, ``queryAll`` with
``IsDeleted = true`` and ``SystemModstamp >= watermark``) lets an incremental read find deletes
too. Each deleted row goes through the transfer's filters and transforms like a live one
(:func:`deleted_target_keys`), and its target key joins the keys compared: the diff then finds
a target row with no source row — a delete, planned when the transfer allows ``delete``.

A deleted key that the incremental read also holds is not a delete: the record was undeleted,
or deleted and re-created with the same key (either stamps it after the watermark), so the
source has it live and it is compared as usual.

Core stays free of HTTP: the reader is a plain callable set by the code that binds a side
(``ditoolkit.workflow.binding``); tests give a fake one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from ditoolkit.core.mapping import Transfer
from ditoolkit.core.normalize import normalize_series
from ditoolkit.port import TableSchema

if TYPE_CHECKING:
    from ditoolkit.core.pipeline import Endpoint

__all__ = [
    "DELETED_READ",
    "DeletedReader",
    "deleted_target_keys",
    "keys_read_only",
    "read_deleted_keys",
    "reads_deletes",
    "source_columns",
]

#: ``attrs`` key of an incrementally read source frame: how many deleted rows were read with
#: it. Absent when deletes could not be read incrementally (a full read finds them anyway).
DELETED_READ = "deleted_read"


class DeletedReader(Protocol):
    """Reads the rows of a table deleted at or after a time (with their values when deleted)."""

    def __call__(
        self, table: str, *, columns: Sequence[str], where: Any, since: Any
    ) -> pd.DataFrame:
        """The deleted rows of ``table`` matching ``where``, stamped at or after ``since``.

        Args:
            table: the table (a Salesforce object).
            columns: the columns to read (those the live source read reads).
            where: the side's own filter, as given to the live read.
            since: the watermark.
        """
        ...


def reads_deletes(reader: DeletedReader | None, transfer: Transfer, *, since: Any) -> bool:
    """Whether an incremental read of a source with ``reader`` also finds its deletes.

    Only when there is a watermark (a full read finds deletes by itself), the side can list
    its deleted rows, and the transfer allows ``delete`` (otherwise they are not read at all).
    """
    return since is not None and reader is not None and "delete" in transfer.operations


def deleted_target_keys(
    deleted: pd.DataFrame, transfer: Transfer, *, direction: str, schema: TableSchema
) -> pd.Index:
    """The normalised target keys of the deleted source rows ``deleted``.

    The rows go through the transfer's filters and transforms as live source rows do, so that
    a deleted key is compared with the target's in the same form; a row whose key a transform
    cannot produce is dropped (it can match nothing).
    """
    from ditoolkit.core.transforms import apply_transforms

    key = transfer.pairs_for(direction)[0].target
    if deleted.empty:
        return pd.Index([], dtype=object)
    transformed, _ = apply_transforms(deleted, transfer, direction=direction)
    if key not in transformed.columns:
        return pd.Index([], dtype=object)
    keys = normalize_series(transformed[key], schema.get(key)).dropna()
    found: pd.Index = pd.Index(keys.drop_duplicates())
    return found


def keys_read_only(
    target: pd.DataFrame,
    source: pd.DataFrame,
    *,
    key: str,
    schema: TableSchema,
    deleted: pd.Index | None = None,
) -> pd.DataFrame:
    """The target rows compared after an incremental read: the keys read, and the deleted ones.

    A target row whose source row was not re-read (not modified since the watermark) is
    neither a delete nor unchanged; it is left out of the comparison. A target row whose key
    is in ``deleted`` (normalised keys, :func:`deleted_target_keys`) is kept: unless the source
    read has that key too, the diff finds it deleted.
    """
    field = schema.get(key)
    read = pd.Index(normalize_series(source[key], field).dropna())
    if deleted is not None and len(deleted):
        read = read.append(deleted)
    keys = normalize_series(target[key], field)
    kept = target[keys.isin(read).to_numpy(dtype=bool)]
    kept.attrs = dict(target.attrs)
    return kept


def source_columns(endpoint: Endpoint, transfer: Transfer, *, direction: str) -> list[str]:
    """The columns a source read of ``direction`` reads: mapped, filtered on, the modstamp."""
    side = transfer.source_side(direction)
    columns = [r.source for r in transfer.pairs_for(direction) if r.source is not None]
    columns += [rule.field for rule in transfer.filters if rule.side == side]
    if endpoint.modstamp is not None:
        columns.append(endpoint.modstamp)
    return list(dict.fromkeys(columns))


def read_deleted_keys(
    endpoint: Endpoint,
    transfer: Transfer,
    *,
    direction: str,
    since: Any,
    schema: TableSchema,
    source: pd.DataFrame | None = None,
) -> pd.Index | None:
    """The target keys of the source rows deleted since ``since``, or None when not readable.

    None when deletes cannot be read incrementally (no watermark, no
    :attr:`Endpoint.read_deleted`, or the transfer does not allow ``delete``). When read, the
    count of deleted rows goes to ``source.attrs["deleted_read"]``.
    """
    reader = endpoint.read_deleted
    if not reads_deletes(reader, transfer, since=since):
        return None
    assert reader is not None
    columns = source_columns(endpoint, transfer, direction=direction)
    rows = reader(endpoint.table, columns=columns, where=endpoint.where, since=since)
    if source is not None:
        source.attrs[DELETED_READ] = len(rows)
    return deleted_target_keys(rows, transfer, direction=direction, schema=schema)

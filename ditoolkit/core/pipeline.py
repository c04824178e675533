"""The preview of one transfer: read → transform → quality → diff → plan, per direction.

:func:`preview_transfer` runs every direction of a transfer (two for ``both``) through the
port only, and writes nothing. For each direction it:

1. reads the source (the transfer's mapped fields, its filters' fields, and the side's
   ``where`` when the side is a Salesforce object) and the target (the mapped target fields,
   the key first) — never whole objects; the target is read without the source's ``where``,
   so that a row outside the filter is never mistaken for a new one;
2. expresses the source in target field names (:func:`~ditoolkit.core.transforms.apply_transforms`);
3. checks quality against the target's schema; rows a transform could not convert (an
   unparsable date, an unmapped value) are held back with the same reasons;
4. diffs against the target on the target key (target rows without a key can match nothing
   and are left out of the comparison; :attr:`DirectionPreview.target_unkeyed` counts them);
5. applies the project rules — in a type A project, rows that would *create* Salesforce
   records are held back with :data:`TYPE_A_NO_CREATE` — and, for ``both``, the three-way
   rules below;
6. freezes the plan (:func:`~ditoolkit.core.plan.build_plan`).

Incremental reads: ``since=`` (direction → watermark) reads a direction's source only from
its watermark on (``system.read(..., since=)``); a side whose :attr:`Endpoint.modstamp` is set
(``SystemModstamp`` on Salesforce) always reads that field too, so that the next watermark can
be taken from the rows read. A source read from a watermark holds only the rows changed since,
so the diff of that direction compares only the keys read: the target is restricted to them
before the comparison, and a target row not re-read is neither a delete nor unchanged — it is
simply not looked at. **Deletes from a watermark**: when the source side can list its rows
deleted since a time (:attr:`Endpoint.read_deleted`; Salesforce's ``queryAll``) and the
transfer allows ``delete``, those rows are read too, their keys go through the transfer's
filters and transforms, and the target rows with those keys join the comparison, so the diff
plans their deletes — unless the incremental read has the key live (undeleted, or re-created
with the same key). The source frame's ``attrs["deleted_read"]`` counts the deleted rows read
(:mod:`ditoolkit.core.pipeline_incremental`). A side without such a reader (or a transfer
without ``delete``) finds deletes only by a full read (no ``since``; ``apply --full``): a row
missing from an incremental read is never a delete. The plan's target fingerprint is still
taken from the whole target as read, so that apply's freshness check re-reads it the same way.

Two-way transfers (``both``) preview each direction against the base snapshot of the last
sync: each direction plans only the writes to its own target (updates flowing the other way
are planned by the other direction); a row on one side only is new there (insert on the other
side) unless the base has its key, in which case it was deleted on the other side (a delete,
when deletes are allowed). Without a base (first sync) nothing is deleted and every differing
value is a conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import pandas as pd

from ditoolkit.core.diff import UPDATE_COLUMNS, Diff, diff_frames
from ditoolkit.core.diff_keys import HELD_COLUMNS
from ditoolkit.core.findings import Finding
from ditoolkit.core.mapping import FieldRoute, Transfer
from ditoolkit.core.normalize import normalize_series
from ditoolkit.core.pipeline_incremental import (
    DeletedReader,
    keys_read_only,
    read_deleted_keys,
    source_columns,
)
from ditoolkit.core.pipeline_quality import release_required_for_updates, with_transform_findings
from ditoolkit.core.plan import build_plan
from ditoolkit.core.preview import DirectionPreview, Preview
from ditoolkit.core.quality import LINE_COLUMN, check_quality
from ditoolkit.errors import MappingError
from ditoolkit.port import System, TableSchema

__all__ = [
    "TYPE_A_NO_CREATE",
    "BaseStore",
    "DeletedReader",
    "Endpoint",
    "compare",
    "hold_back_inserts",
    "keys_read_only",
    "preview_direction",
    "preview_transfer",
    "read_deleted_keys",
    "read_source",
    "read_target",
    "source_columns",
]

#: The reason code of a row held back because a type A project never creates SF records.
TYPE_A_NO_CREATE = "TYPE_A_NO_CREATE"
_TYPE_A_MESSAGE = (
    "project {project} is type A: it may update Salesforce records but never create them; "
    "this row has no matching {target} record (send DI-created contacts through a type B "
    "project)"
)


@dataclass(frozen=True)
class Endpoint:
    """One side of a transfer as core sees it: a system behind the port and a table.

    Attributes:
        system: the system (a Dialog Insight project already bound, see ``ditoolkit.workflow``).
        table: the table (Salesforce object, DI table code, CSV path).
        where: the system's own filter, applied when this side is read as the source.
        label: how reports name the side (``Salesforce Lead``); the table when None.
        modstamp: the field holding each row's modification time (``SystemModstamp`` on
            Salesforce), read with every source read of this side; None when the system
            keeps none (Dialog Insight, a CSV file), which then is always read whole.
        read_deleted: reads the side's rows deleted since a watermark (Salesforce's
            ``queryAll``), so that an incremental read finds deletes too (see the module);
            None when the side cannot list them.
    """

    system: System
    table: str
    where: Any = None
    label: str | None = None
    modstamp: str | None = None
    read_deleted: DeletedReader | None = field(default=None, compare=False)

    @property
    def title(self) -> str:
        """The label, or the table's name."""
        return self.label or self.table


class BaseStore(Protocol):
    """Where the snapshot of the last successful sync of a two-way transfer is kept."""

    def load_base(self, transfer: Transfer) -> pd.DataFrame | None:
        """The agreed rows of the last sync (columns in either side's field names), or None."""
        ...


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def read_source(
    endpoint: Endpoint, transfer: Transfer, *, direction: str, since: Any = None
) -> pd.DataFrame:
    """The source rows of ``direction``: only the fields the transfer reads, filtered.

    Args:
        endpoint: the source side.
        transfer: the transfer.
        direction: ``sf_to_di`` or ``di_to_sf``.
        since: read only the rows modified at or after this time (needs
            :attr:`Endpoint.modstamp`); None reads every row.

    Returns:
        The rows, with the side's modstamp column when it has one (the next watermark);
        ``attrs["since"]`` holds ``since``.

    Raises:
        MappingError: ``since`` is given for a side that keeps no modification time.
    """
    if since is not None and endpoint.modstamp is None:
        raise MappingError(
            f"transfer {transfer.name!r}: {endpoint.title} keeps no modification time, "
            "so it cannot be read incrementally",
            hint="read it whole (no watermark), as apply does for this side",
        )
    window = {"since": since} if since is not None else {}
    frame = endpoint.system.read(
        endpoint.table,
        columns=source_columns(endpoint, transfer, direction=direction),
        where=endpoint.where,
        **window,
    )
    frame.attrs["since"] = since
    return frame


def read_target(
    endpoint: Endpoint, transfer: Transfer, *, direction: str, schema: TableSchema | None = None
) -> pd.DataFrame:
    """The target rows of ``direction``: the mapped target fields (key first), keyed rows only.

    Apply re-reads the target through this same function to check that a plan is fresh.
    How many rows were left out for lack of a key is in ``attrs["unkeyed"]``.
    """
    routes = transfer.pairs_for(direction)
    key = routes[0].target
    frame = endpoint.system.read(endpoint.table, columns=_unique([r.target for r in routes]))
    keys = normalize_series(frame[key], schema.get(key) if schema is not None else None)
    keyed = frame[keys.notna().to_numpy(dtype=bool)]
    keyed.attrs["unkeyed"] = len(frame) - len(keyed)
    return keyed


def preview_transfer(
    transfer: Transfer,
    *,
    endpoints: Mapping[str, Endpoint],
    project_type: str | None = None,
    base: pd.DataFrame | None = None,
    phone_region: str | None = "CA",
    since: Mapping[str, Any] | None = None,
) -> Preview:
    """Preview every direction of ``transfer``; nothing is written.

    Args:
        transfer: the mapping's transfer.
        endpoints: side name (``salesforce``, ``dialoginsight``, ``csv``) → :class:`Endpoint`.
        project_type: the DI project's type (``A`` or ``B``; None when unknown).
        base: for ``both``, the snapshot of the last sync (None on the first sync).
        phone_region: the region of phone numbers without a country code.
        since: direction → watermark: that direction's source is read from it on (see the
            module: incremental reads); a direction left out is read whole.

    Returns:
        The :class:`~ditoolkit.core.preview.Preview`.

    Raises:
        MappingError: an endpoint the transfer needs is missing.
    """
    directions = {
        flow: preview_direction(
            transfer,
            flow,
            source=_endpoint(endpoints, transfer.source_side(flow), transfer),
            target=_endpoint(endpoints, transfer.target_side(flow), transfer),
            project_type=project_type,
            base=base,
            phone_region=phone_region,
            since=(since or {}).get(flow),
        )
        for flow in transfer.flows
    }
    return Preview(transfer=transfer, directions=directions, project_type=project_type)


def _endpoint(endpoints: Mapping[str, Endpoint], side: str, transfer: Transfer) -> Endpoint:
    if side not in endpoints:
        raise MappingError(
            f"transfer {transfer.name!r} needs its {side} side, which was not connected",
            hint=f"connect {side} (sides given: {', '.join(endpoints) or 'none'})",
        )
    return endpoints[side]


def preview_direction(
    transfer: Transfer,
    direction: str,
    *,
    source: Endpoint,
    target: Endpoint,
    project_type: str | None = None,
    base: pd.DataFrame | None = None,
    phone_region: str | None = "CA",
    since: Any = None,
) -> DirectionPreview:
    """One direction of a transfer, read, checked, compared and planned (see the module).

    ``since`` reads the source from that watermark on and compares only the keys read (and
    those deleted since, when the source can list them: :func:`read_deleted_keys`).
    """
    key = transfer.pairs_for(direction)[0].target
    target_schema = target.system.describe(target.table)
    source_frame = read_source(source, transfer, direction=direction, since=since)
    target_frame = read_target(target, transfer, direction=direction, schema=target_schema)
    transformed, findings = apply_transforms_with_lines(source_frame, transfer, direction)
    quality = check_quality(transformed, key=key, schema=target_schema, phone_region=phone_region)
    quality = with_transform_findings(quality, findings, frame=transformed, schema=target_schema)
    compared = target_frame
    if since is not None:
        deleted = read_deleted_keys(
            source,
            transfer,
            direction=direction,
            since=since,
            schema=target_schema,
            source=source_frame,
        )
        compared = keys_read_only(
            target_frame, transformed, key=key, schema=target_schema, deleted=deleted
        )
    diff = compare(
        transformed,
        compared,
        transfer=transfer,
        direction=direction,
        schema=target_schema,
        base=base,
    )
    if transfer.nulls == "leave":
        quality = release_required_for_updates(
            quality, frame=transformed, matched=diff.target_keys, schema=target_schema
        )
    if since is not None:  # the plan's fingerprint is of the whole target (apply re-reads it)
        diff = replace(diff, target=target_frame)
    if direction != "sf_to_di" and project_type == "A":
        message = _TYPE_A_MESSAGE.format(project=transfer.project, target=target.table)
        diff = hold_back_inserts(diff, reason=TYPE_A_NO_CREATE, message=message)
    plan = build_plan(
        diff,
        quality,
        operations=sorted(transfer.operations),
        transfer_name=transfer.name,
        direction=direction,
        mapping_fingerprint=transfer.fingerprint(),
    )
    return DirectionPreview(
        direction=direction,
        source_table=source.title,
        target_table=target.title,
        source=source_frame,
        target=target_frame,
        transformed=transformed,
        transform_findings=tuple(findings),
        quality=quality,
        diff=diff,
        plan=plan,
        target_schema=target_schema,
        target_unkeyed=int(target_frame.attrs.get("unkeyed", 0)),
    )


def compare(
    source: pd.DataFrame,
    target: pd.DataFrame,
    *,
    transfer: Transfer,
    direction: str,
    schema: TableSchema,
    base: pd.DataFrame | None = None,
) -> Diff:
    """The diff of one direction, with the two-way rules of a ``both`` transfer applied."""
    routes = transfer.pairs_for(direction)
    key = routes[0].target
    two_way = transfer.direction == "both"
    direction_base = _base_for(base, routes) if two_way else None
    diff = diff_frames(
        source,
        target,
        key=key,
        schema=schema,
        null_policy=transfer.nulls,
        fields=_unique([r.target for r in routes[1:] if r.target != key]),
        base=direction_base,
        two_way=two_way,
    )
    return _own_writes_only(diff, direction_base, schema=schema) if two_way else diff


def apply_transforms_with_lines(
    frame: pd.DataFrame, transfer: Transfer, direction: str
) -> tuple[pd.DataFrame, list[Finding]]:
    """:func:`apply_transforms`, keeping a CSV row's physical line in :data:`LINE_COLUMN`."""
    from ditoolkit.core.transforms import apply_transforms

    transformed, findings = apply_transforms(frame, transfer, direction=direction)
    if frame.index.name == "line" and LINE_COLUMN not in transformed.columns:
        transformed[LINE_COLUMN] = transformed.index.to_numpy()
    return transformed, findings


def hold_back_inserts(diff: Diff, *, reason: str, message: str) -> Diff:
    """``diff`` with every insert moved to ``held_back`` with ``reason``."""
    inserts = diff.inserts
    if inserts.empty:
        return diff
    held = pd.DataFrame(
        {
            "side": "source",
            "row": inserts.index.to_numpy(dtype=object),
            "key": inserts[diff.key].astype(object).to_numpy(),
            "reason": reason,
            "message": message,
        },
        columns=HELD_COLUMNS,
    )
    parts = [p.astype(object) for p in (diff.held_back, held) if not p.empty]
    return replace(diff, inserts=inserts.iloc[0:0], held_back=pd.concat(parts, ignore_index=True))


def _base_for(base: pd.DataFrame | None, routes: list[FieldRoute]) -> pd.DataFrame | None:
    """The base snapshot in this direction's target field names."""
    if base is None:
        return None
    renames = {
        r.source: r.target
        for r in routes
        if r.source is not None and r.source in base.columns and r.target not in base.columns
    }
    return base.rename(columns=renames)


def _own_writes_only(diff: Diff, base: pd.DataFrame | None, *, schema: TableSchema) -> Diff:
    """A two-way direction keeps only writes to its own target (see the module)."""
    empty_back = pd.DataFrame({c: pd.Series(dtype="object") for c in UPDATE_COLUMNS})
    if base is None or diff.key not in base.columns:
        return replace(diff, updates_back=empty_back, deletes=diff.deletes.iloc[0:0])
    known = pd.Index(normalize_series(base[diff.key], schema.get(diff.key)).dropna())
    return replace(
        diff,
        updates_back=empty_back,
        inserts=diff.inserts[~diff.inserts[diff.key].isin(known)],
        deletes=diff.deletes[diff.deletes[diff.key].isin(known)],
    )

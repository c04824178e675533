"""Previewing a mapping's transfers against the connected systems, with calls and time spent."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ditoolkit.core.compatibility import SchemaCatalog
from ditoolkit.core.mapping import Mapping, Transfer
from ditoolkit.core.pipeline import BaseStore, preview_transfer
from ditoolkit.core.preview import Preview
from ditoolkit.workflow.binding import endpoints_for
from ditoolkit.workflow.connections import Connections


@dataclass(frozen=True, eq=False)
class TransferPreview:
    """One transfer's preview and what it cost.

    Attributes:
        preview: the preview.
        api_calls: API calls made while previewing, per system.
        seconds: wall-clock time spent.
    """

    preview: Preview
    api_calls: dict[str, int]
    seconds: float

    @property
    def name(self) -> str:
        """The transfer's name."""
        return self.preview.transfer.name


def selected_transfers(mapping: Mapping, name: str | None) -> list[Transfer]:
    """The transfer called ``name``, or every transfer (MappingError names the known ones)."""
    return [mapping.transfer(name)] if name else list(mapping.transfers)


def preview_one(
    transfer: Transfer,
    connections: Connections,
    *,
    catalog: SchemaCatalog,
    base_store: BaseStore | None = None,
) -> TransferPreview:
    """Preview ``transfer``, counting the API calls and seconds it takes."""
    started, before = time.perf_counter(), connections.api_calls()
    project_type = catalog.project_types.get(transfer.project) if transfer.project else None
    base = base_store.load_base(transfer) if base_store is not None else None
    preview = preview_transfer(
        transfer,
        endpoints=endpoints_for(transfer, connections),
        project_type=project_type,
        base=base,
    )
    after = connections.api_calls()
    calls = {name: after[name] - before.get(name, 0) for name in after}
    return TransferPreview(preview, calls, round(time.perf_counter() - started, 3))


def preview_mapping(
    mapping: Mapping,
    connections: Connections,
    *,
    catalog: SchemaCatalog,
    transfer: str | None = None,
    base_store: BaseStore | None = None,
) -> list[TransferPreview]:
    """Preview every transfer of ``mapping`` (or the one named); nothing is written."""
    return [
        preview_one(t, connections, catalog=catalog, base_store=base_store)
        for t in selected_transfers(mapping, transfer)
    ]

"""The tables a run writes to, built from a transfer's sides (see :mod:`ditoolkit.core.destination`).

Salesforce updates and deletes address records by ``Id``: with an external-id key (such as
``DI_Contact_Id__c``) inserts and updates go as upserts by that key (a resumed run cannot
duplicate), deletes look the ``Id`` up by key. Dialog Insight merges by the project's primary
key. Both read rows back by key with one ``IN`` filter per chunk of keys.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ditoolkit.core.destination import Destination, KeyReader
from ditoolkit.core.mapping import Transfer
from ditoolkit.core.pipeline import Endpoint, read_target
from ditoolkit.port import System
from ditoolkit.workflow.binding import endpoints_for
from ditoolkit.workflow.connections import Connections

#: Keys per ``IN`` filter when rows are read back by key.
KEYS_PER_READ = 300


def _key_reader(system: System, *, table: str, key: str) -> KeyReader:
    def read(keys: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
        frames = [
            system.read(
                table, columns=list(columns), where={key: list(keys[i : i + KEYS_PER_READ])}
            )
            for i in range(0, len(keys), KEYS_PER_READ)
        ]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
        return pd.concat(frames, ignore_index=True)

    return read


def destination_for(endpoint: Endpoint, key: str) -> Destination:
    """The table of ``endpoint`` as a run's destination, keyed by ``key``."""
    system, table = endpoint.system, endpoint.table
    if system.name == "salesforce":
        by_id = key == "Id"
        return Destination(
            system,
            table,
            key,
            id_field="Id",
            upsert_inserts=not by_id,
            update_operation="update" if by_id else "upsert",
            key_reader=_key_reader(system, table=table, key=key),
            nulls_option=True,
        )
    if system.name == "dialoginsight":
        return Destination(
            system,
            table,
            key,
            upsert_inserts=True,
            key_reader=_key_reader(system, table=table, key=key),
            nulls_option="nulls" in inspect.signature(system.write).parameters,
        )
    return Destination(system, table, key)


@dataclass(frozen=True, eq=False)
class TransferTables:
    """Each direction's target of a transfer, as the journal names them (the direction)."""

    transfer: Transfer
    endpoints: dict[str, Endpoint]

    def key(self, direction: str) -> str:
        """The target key field of ``direction``."""
        return self.transfer.pairs_for(direction)[0].target

    def endpoint(self, direction: str) -> Endpoint:
        """The target side of ``direction``."""
        return self.endpoints[self.transfer.target_side(direction)]

    def destination(self, direction: str) -> Destination:
        """The target of ``direction`` as a destination."""
        return destination_for(self.endpoint(direction), self.key(direction))

    def destinations(self) -> dict[str, Destination]:
        """Direction → destination, for every direction of the transfer."""
        return {flow: self.destination(flow) for flow in self.transfer.flows}

    def reread(self, direction: str) -> pd.DataFrame:
        """The target of ``direction`` read as the preview read it."""
        endpoint = self.endpoint(direction)
        schema = endpoint.system.describe(endpoint.table)
        return read_target(endpoint, self.transfer, direction=direction, schema=schema)


def transfer_tables(transfer: Transfer, connections: Connections) -> TransferTables:
    """The targets of ``transfer``'s directions, on ``connections``."""
    return TransferTables(transfer, endpoints_for(transfer, connections))

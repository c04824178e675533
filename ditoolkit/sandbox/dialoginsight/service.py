"""The DI sandbox as the runner sees it: an ASGI app, its connection info, its storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ditoolkit.sandbox.dialoginsight.app import build_app
from ditoolkit.sandbox.dialoginsight.seed import apply_seed
from ditoolkit.sandbox.dialoginsight.store import ADMIN_ID_KEY, Store
from ditoolkit.sandbox.dialoginsight.world import PROJECTS
from ditoolkit.sandbox.faults import FaultState

#: DI publishes no call allowance; the fault settings can set one (``daily_limit``).
UNLIMITED = 10**12


class DialogInsightSandbox:
    """An emulated DI account over ``DIR/dialoginsight.sqlite``.

    Args:
        data_dir: where the database lives; records and keys survive restarts.
        seed: ``demo`` or ``empty``: what a new database (or a data reset) starts with.
    """

    def __init__(self, data_dir: Path, *, seed: str) -> None:
        self.seed = seed
        self.store = Store(Path(data_dir) / "dialoginsight.sqlite")
        if self.store.is_new:
            apply_seed(self.store, seed)
        self.faults = FaultState(default_daily_limit=UNLIMITED)
        self.app = build_app(self)

    def __repr__(self) -> str:
        return f"DialogInsightSandbox({self.store.path})"

    def reset(self, wipe_data: bool) -> None:
        """Admin reset: faults and counters always; records and extra keys when asked."""
        if wipe_data:
            self.store.wipe()
            apply_seed(self.store, self.seed)

    def connection_info(self, *, base_url: str, ca_bundle: str) -> dict[str, Any]:
        """The ``dialoginsight`` section of ``sandbox.json``."""
        admin = self.store.api_key(ADMIN_ID_KEY) or {}
        return {
            "base_url": f"{base_url.rstrip('/')}/webservices/ofc4/",
            "idKey": ADMIN_ID_KEY,
            "Key": admin.get("key"),
            "ca_bundle": ca_bundle,
            "projects": [
                {"idProject": p.id_project, "name": p.name, "type": p.type} for p in PROJECTS
            ],
            "tables": [
                {
                    "idTable": t.id_table,
                    "code": t.code,
                    "idProject": t.id_project,
                    # not in the API: lets clients page a table by its key
                    "key": next((f.name for f in t.fields if f.primary_key), None),
                }
                for p in PROJECTS
                for t in p.tables
            ],
        }

    def close(self) -> None:
        self.store.close()

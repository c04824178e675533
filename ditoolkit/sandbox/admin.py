"""A client of one sandbox's ``/__sandbox__/`` admin API, for tests, benchmarks and the demo."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests


class SandboxAdmin:
    """Faults, counters and resets of one running sandbox (Salesforce or Dialog Insight).

    Args:
        base: the sandbox's root URL (``https://127.0.0.1:PORT``); a path after it is ignored
            only when it is the DI ``/webservices/...`` base.
        ca_bundle: the sandbox's ``ca.pem``.
    """

    def __init__(self, base: str, ca_bundle: str) -> None:
        root = base.split("/webservices/")[0].rstrip("/")
        self.base = root + "/__sandbox__"
        self.http = requests.Session()
        self.http.verify = ca_bundle
        self.http.trust_env = False  # the sandbox's CA, even when REQUESTS_CA_BUNDLE is set

    @classmethod
    def of(cls, section: Mapping[str, Any]) -> SandboxAdmin:
        """The admin API of one ``sandbox.json`` section (``salesforce`` or ``dialoginsight``).

        Args:
            section: the section; its ``instance_url`` (Salesforce) or ``base_url`` (Dialog
                Insight) and its ``ca_bundle`` are used.
        """
        base = section.get("instance_url") or section["base_url"]
        return cls(str(base), str(section["ca_bundle"]))

    def post(self, path: str, body: Mapping[str, Any], *, timeout: float = 30) -> Any:
        """POST ``body`` to ``/__sandbox__/<path>``; the decoded answer.

        Raises:
            requests.HTTPError: the sandbox refused it.
        """
        answer = self.http.post(f"{self.base}/{path}", json=dict(body), timeout=timeout)
        answer.raise_for_status()
        return answer.json()

    def faults(self, **settings: Any) -> None:
        """Set fault settings (``latency_ms``, ``error_rate``, ``session_expiry_after``...)."""
        self.post("faults", settings, timeout=10)

    def reset(self, *, data: bool = True, timeout: float = 120) -> None:
        """Clear faults and counters; with ``data``, also put the records back to the seed."""
        self.post("reset", {"data": data}, timeout=timeout)

    def counters(self) -> dict[str, Any]:
        """``{"total", "by_endpoint", "rows_served"}`` as the sandbox counts them."""
        answer: dict[str, Any] = self.http.get(f"{self.base}/counters", timeout=10).json()
        return answer

    def calls(self) -> int:
        """API calls counted since the last reset."""
        return int(self.counters()["total"])

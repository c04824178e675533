"""Connections made on first use from one profile, and the API calls they make.

Salesforce calls are counted by a response hook on the client's ``requests`` session (every
REST, Bulk and describe call goes through it; the login before the hook is not counted);
Dialog Insight counts its own calls (:attr:`DialogInsightSystem.api_calls`).
"""

from __future__ import annotations

from typing import Any

from ditoolkit.systems.dialoginsight import DialogInsightSystem
from ditoolkit.systems.salesforce import SalesforceSystem


class Connections:
    """Salesforce and Dialog Insight adapters for one profile, connected on first use.

    Args:
        profile: the ``ditoolkit.toml`` profile, ``"sandbox"``, or None (environment).
        salesforce / dialoginsight: adapters already connected (tests, notebooks).
    """

    def __init__(
        self,
        profile: str | None = None,
        *,
        salesforce: SalesforceSystem | None = None,
        dialoginsight: DialogInsightSystem | None = None,
    ) -> None:
        self.profile = profile
        self._sf: SalesforceSystem | None = None
        self._di = dialoginsight
        self._sf_calls = 0
        if salesforce is not None:
            self._attach(salesforce)

    def __repr__(self) -> str:
        return f"Connections(profile={self.profile!r})"

    @property
    def salesforce(self) -> SalesforceSystem:
        """The Salesforce adapter (logs in on first use)."""
        if self._sf is None:
            from ditoolkit.api import connect_salesforce

            self._attach(connect_salesforce(profile=self.profile))
        assert self._sf is not None
        return self._sf

    @property
    def dialoginsight(self) -> DialogInsightSystem:
        """The Dialog Insight adapter."""
        if self._di is None:
            from ditoolkit.api import connect_dialoginsight

            self._di = connect_dialoginsight(profile=self.profile)
        return self._di

    def _attach(self, sf: SalesforceSystem) -> None:
        def count(response: Any, *args: Any, **kwargs: Any) -> Any:
            self._sf_calls += 1
            return response

        sf.sf.session.hooks["response"].append(count)
        self._sf = sf

    def api_calls(self) -> dict[str, int]:
        """API calls so far: ``{"salesforce": N, "dialoginsight": N}``."""
        return {
            "salesforce": self._sf_calls,
            "dialoginsight": self._di.api_calls if self._di is not None else 0,
        }

    def close(self) -> None:
        """Close the HTTP sessions opened."""
        if self._di is not None:
            self._di.close()
        if self._sf is not None:
            self._sf.sf.session.close()

"""Count the API calls a notebook run spends on each system (summary.json's ``api_calls``)."""

from __future__ import annotations

from typing import Any


class ApiCallMeter:
    """HTTP calls made through the given adapters since the meter was attached.

    Salesforce calls are counted with a response hook on the client's ``requests`` session
    (login happens before, and is not counted); Dialog Insight calls from the adapter's own
    counter.

    Example:
        >>> meter = ApiCallMeter(salesforce=sf, dialoginsight=di)  # doctest: +SKIP
        >>> meter.counts()  # doctest: +SKIP
        {'salesforce': 3, 'dialoginsight': 2}
    """

    def __init__(self, *, salesforce: Any = None, dialoginsight: Any = None) -> None:
        self._salesforce_calls = 0
        self._dialoginsight = dialoginsight
        self._dialoginsight_start = int(getattr(dialoginsight, "api_calls", 0) or 0)
        session = getattr(getattr(salesforce, "sf", None), "session", None)
        if session is not None:
            session.hooks.setdefault("response", []).append(self._count_salesforce)

    def _count_salesforce(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        self._salesforce_calls += 1
        return response

    def counts(self) -> dict[str, int]:
        """``{"salesforce": n, "dialoginsight": m}`` since the meter was attached."""
        di_now = int(getattr(self._dialoginsight, "api_calls", 0) or 0)
        return {
            "salesforce": self._salesforce_calls,
            "dialoginsight": di_now - self._dialoginsight_start,
        }

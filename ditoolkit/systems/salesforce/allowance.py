"""The API allowance guard: refuse to start work that would spend the org's daily allowance."""

from __future__ import annotations

from dataclasses import dataclass

from simple_salesforce import Salesforce

from ditoolkit.errors import AllowanceError
from ditoolkit.systems.salesforce.failures import call_with_retries


@dataclass(frozen=True)
class Usage:
    used: int
    total: int

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.used)


def current_usage(sf: Salesforce) -> Usage:
    """API usage from the last ``Sforce-Limit-Info`` header, else from ``/limits`` (one call)."""
    seen = getattr(sf, "api_usage", {}).get("api-usage")
    if seen is not None:
        return Usage(int(seen.used), int(seen.total))
    limits = call_with_retries(sf.limits, doing="read limits")
    daily = limits["DailyApiRequests"]
    return Usage(int(daily["Max"]) - int(daily["Remaining"]), int(daily["Max"]))


def guard(sf: Salesforce, *, calls: int, reserve: float, doing: str) -> Usage:
    """Raise :class:`AllowanceError` if ``calls`` more calls would eat into the reserve.

    Args:
        calls: the estimated calls of the work about to start.
        reserve: the share of the daily allowance to keep untouched (0.2 = 20 %).
        doing: what the work is, for the message.
    """
    usage = current_usage(sf)
    keep = int(usage.total * reserve)
    if usage.remaining - calls < keep:
        raise AllowanceError(
            f"{doing} needs about {calls} API calls; {usage.remaining} of {usage.total} remain "
            f"today and {keep} ({reserve:.0%}) are kept in reserve",
            system="salesforce",
            code="ALLOWANCE_RESERVE",
            hint="run it after the allowance resets, lower the reserve, or split the work",
        )
    return usage

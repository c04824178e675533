"""The ``--resolve`` setting of ``apply``: conflict policies per field, applied to a preview.

``--resolve prefer_salesforce`` settles every conflicting field; ``--resolve
Email=prefer_dialoginsight`` one field (named on either side). Without it, conflicts are
reported and their rows left out (the default, ``report``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ditoolkit.core.conflicts import REPORT, parse_policy, resolve_conflicts
from ditoolkit.core.mapping import Transfer
from ditoolkit.core.plan import build_plan
from ditoolkit.core.preview import DirectionPreview, Preview


@dataclass(frozen=True)
class ConflictPolicy:
    """A default policy and per-field policies (field names of either side)."""

    default: str = REPORT
    fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, specs: Sequence[str] | None) -> ConflictPolicy:
        """From ``--resolve`` values: ``POLICY`` or ``FIELD=POLICY``.

        Raises:
            ConfigError: an unknown policy.
        """
        default, fields = REPORT, {}
        for spec in specs or ():
            name, sep, policy = spec.partition("=")
            if sep:
                fields[name.strip()] = parse_policy(policy)
            else:
                default = parse_policy(name)
        return cls(default, fields)

    @property
    def reports_only(self) -> bool:
        """Nothing is settled: every conflict is reported."""
        return self.default == REPORT and all(p == REPORT for p in self.fields.values())

    def for_direction(self, transfer: Transfer, direction: str) -> dict[str, str]:
        """Target field name of ``direction`` → policy."""
        out: dict[str, str] = {}
        for route in transfer.pairs_for(direction):
            for name in (route.source, route.target):
                if name is not None and name in self.fields:
                    out[route.target] = self.fields[name]
        return out


def _resettled(
    d: DirectionPreview, *, transfer: Transfer, policy: ConflictPolicy
) -> DirectionPreview:
    diff = resolve_conflicts(
        d.diff,
        direction=d.direction,
        policies=policy.for_direction(transfer, d.direction),
        default=policy.default,
    )
    plan = build_plan(
        diff,
        d.quality,
        operations=sorted(transfer.operations),
        transfer_name=transfer.name,
        direction=d.direction,
        mapping_fingerprint=transfer.fingerprint(),
    )
    return replace(d, diff=diff, plan=plan)


def settle_conflicts(preview: Preview, policy: ConflictPolicy) -> Preview:
    """``preview`` with its plans re-made after the policy settled what it can."""
    if policy.reports_only or preview.transfer.direction != "both":
        return preview
    directions = {
        name: _resettled(d, transfer=preview.transfer, policy=policy)
        for name, d in preview.directions.items()
    }
    return replace(preview, directions=directions)

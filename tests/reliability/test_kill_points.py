"""The toolkit killed with SIGKILL at seeded random points of a two-direction sync, each kill
followed by a resume (the next ``apply`` continues the unfinished run), then checked."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from reliability_rig import Rig, check_synced, kill_when, seed

States = dict[str, int]


@dataclass(frozen=True)
class KillPoint:
    """Where to kill: after ``done`` journaled rows, mid-batch or between batches, or a
    number of seconds after the start (login, reads, preview, reconcile)."""

    kind: str
    done: int = 0
    seconds: float = 0.0

    def ready(self, *, started: float, done_at_start: int) -> Callable[[States], bool]:
        if self.kind == "timed":
            return lambda _: time.monotonic() - started >= self.seconds
        floor = max(self.done, done_at_start + 1)  # every kill lets the run move on
        if self.kind == "in_flight":
            return lambda s: s.get("done", 0) >= floor and s.get("sent", 0) > 0
        return lambda s: s.get("done", 0) >= floor and s.get("sent", 0) == 0


def kill_points(*, seed_value: int, count: int, rows: int) -> list[KillPoint]:
    """``count`` seeded points over a run of ``rows`` journaled rows (one in five timed)."""
    rng = random.Random(seed_value)
    timed = count // 5
    marks = sorted(rng.sample(range(1, rows - 500), count - timed))
    points = [KillPoint(rng.choice(["in_flight", "between_batches"]), done=m) for m in marks]
    for _ in range(timed):
        points.insert(
            rng.randrange(len(points) + 1), KillPoint("timed", seconds=rng.uniform(0.5, 4))
        )
    return points


def _kill_and_resume(rig: Rig, *, rows: int, count: int, seed_value: int) -> None:
    seed(contacts=rows, leads=rows)
    total, killed, unknown, top_ups = rows, 0, 0, 0
    points = kill_points(seed_value=seed_value, count=count, rows=2 * rows)
    while killed < len(points):
        point = points[killed]
        done = rig.journal().states().get("done", 0)
        ready = point.ready(started=time.monotonic(), done_at_start=done)
        if not kill_when(rig, ready):
            # the run finished before this point (a kill can land later than its mark when the
            # machine is slow): give the sync new people to move and try the same point again
            top_ups += 1
            assert top_ups <= 3, "\n".join(rig.log)
            seed(contacts=rows // 4, leads=rows // 4, start=total)
            total += rows // 4
            rig.log.append(f"run ended before {point}: seeded {rows // 4} more per side")
            continue
        killed += 1
        states = rig.journal().states()
        unknown += states.get("sent", 0) > 0
        rig.log.append(f"killed at {point} with {states}")
    assert killed == count, "\n".join(rig.log)
    assert unknown, "no kill left a batch with an unknown outcome"  # reconcile was exercised
    assert rig.apply_until_done(attempts=1) == 1
    check_synced(rig, contacts=total, leads=total)


def test_killed_at_seeded_points_then_resumed(rig: Rig) -> None:
    _kill_and_resume(rig, rows=1_500, count=5, seed_value=20)


@pytest.mark.slow
@pytest.mark.timeout(1200)  # about 6 minutes on a loaded 2-core machine
def test_20_000_rows_killed_at_20_seeded_points(rig: Rig) -> None:
    _kill_and_resume(rig, rows=10_000, count=20, seed_value=2000)

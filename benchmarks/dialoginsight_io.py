"""Write and read 10,000 and 100,000 DI contacts against a fresh sandbox; print calls and rows/s.

Usage: ``.venv/bin/python benchmarks/dialoginsight_io.py [--sizes 10000 100000] [--batch-size 500]``
"""

from __future__ import annotations

import argparse
import tempfile
import time

import pandas as pd

from ditoolkit.sandbox.admin import SandboxAdmin
from ditoolkit.sandbox.process import start_sandbox
from ditoolkit.systems.dialoginsight import DialogInsightSystem

PROJECT = 1002  # Acquisition: key f_EMail


def contacts(n: int) -> pd.DataFrame:
    """``n`` distinct contacts with names and an opt-in in each of its three states."""
    return pd.DataFrame(
        {
            "f_EMail": [f"bench{i:07d}@example.com" for i in range(n)],
            "f_FirstName": [f"First{i}" for i in range(n)],
            "f_LastName": [f"Last{i}" for i in range(n)],
            "optin_Newsletter": pd.array(
                [(True, False, None)[i % 3] for i in range(n)], dtype="boolean"
            ),
        }
    )


def measure(di: DialogInsightSystem, n: int) -> list[tuple[str, int, int, float]]:
    """(step, rows, calls, seconds) for an insert, an update and a whole read of ``n`` rows."""
    frame = contacts(n)
    out = []
    for step, data in (("write (create)", frame), ("write (update)", frame.assign(f_LastName="X"))):
        start = time.perf_counter()
        result = di.write("Contact", data, operation="upsert", project=PROJECT)
        out.append((step, len(result), result.api_calls, time.perf_counter() - start))
        if not result.ok:
            raise SystemExit(f"{step}: {len(result.failed())} rows failed")
    before, start = di.api_calls, time.perf_counter()
    rows = len(di.read("Contact", project=PROJECT))
    out.append(("read (paged)", rows, di.api_calls - before, time.perf_counter() - start))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, start_sandbox(tmp, seed="empty") as sandbox:
        info = sandbox.dialoginsight
        print(
            f"{'contacts':>9}  {'step':<15} {'rows':>8} {'calls':>6} {'seconds':>8} {'rows/s':>9}"
        )
        for n in args.sizes:
            SandboxAdmin.of(info).reset()
            di = DialogInsightSystem.from_settings(info, batch_size=args.batch_size)
            for step, rows, calls, seconds in measure(di, n):
                print(
                    f"{n:>9}  {step:<15} {rows:>8} {calls:>6} {seconds:>8.2f} {rows / seconds:>9,.0f}"
                )
            di.close()
        sandbox.stop(timeout=3)


if __name__ == "__main__":
    main()

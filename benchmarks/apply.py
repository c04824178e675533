"""Time ``apply`` end to end over HTTPS: Dialog Insight contacts become Salesforce leads.

Run: ``.venv/bin/python benchmarks/apply.py [ROWS]`` (default 5,000). Starts both sandboxes
(empty seed) in a temporary folder, seeds ROWS contacts in DI project 1002, then times:

1. the first apply (preview, freshness check, journaled batches, verify) — every row inserted;
2. a re-run with nothing to change (zero write calls);
3. a run after 1 % of the contacts changed;
4. the undo of that run.

Prints one table (seconds, rows per second, exit status) and the journal's size. The mapping
and the seeding are the apply tests' own (``tests/apply/sandbox_world.py``).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "apply"))

from sandbox_world import LEADS_MAPPING, seed_di_contacts  # noqa: E402

from ditoolkit.cli import main  # noqa: E402
from ditoolkit.sandbox.process import start_sandbox  # noqa: E402


def _cli(*args: str) -> tuple[int, str, float]:
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue().strip(), time.perf_counter() - started


def main_benchmark(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder, start_sandbox(Path(folder), seed="empty") as sb:
        os.environ["DITOOLKIT_SANDBOX_DIR"] = str(sb.data_dir)
        os.environ["DITOOLKIT_HOME"] = str(Path(folder) / "home")
        mapping = Path(folder) / "leads.yml"
        mapping.write_text(LEADS_MAPPING, encoding="utf-8")
        seed_di_contacts(rows)
        print(f"{'step':<28}{'seconds':>9}{'rows/s':>10}  exit")
        steps = [("first apply (insert all)", rows), ("re-run, nothing changed", 0)]
        for label, count in steps:
            code, _, seconds = _cli("apply", str(mapping), "--profile", "sandbox")
            print(f"{label:<28}{seconds:>9.2f}{count / seconds:>10.0f}  {code}")
        changed = max(1, rows // 100)
        seed_di_contacts(changed, name="Renamed")
        code, run_id, seconds = _cli("apply", str(mapping), "--profile", "sandbox")
        print(f"{'1 % changed':<28}{seconds:>9.2f}{changed / seconds:>10.0f}  {code}")
        code, _, seconds = _cli("undo", run_id, "--yes")
        print(f"{'undo of that run':<28}{seconds:>9.2f}{changed / seconds:>10.0f}  {code}")
        size = (Path(folder) / "home" / "journal.sqlite").stat().st_size
        print(f"journal: {size / 1e6:.1f} MB for {rows + 2 * changed} journaled rows")


if __name__ == "__main__":
    main_benchmark(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000)

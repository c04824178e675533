"""Time ``apply`` end to end over HTTPS: Dialog Insight contacts become Salesforce leads.

Run: ``.venv/bin/python benchmarks/apply.py [ROWS]`` (default 5,000). Starts both sandboxes
(empty seed) in a temporary folder, seeds ROWS contacts in DI project 1002, then times:

1. the first apply (preview, freshness check, journaled batches, verify) — every row inserted;
2. a re-run with nothing to change (zero write calls);
3. a run after 1 % of the contacts changed;
4. the undo of that run.

Prints one table (seconds, rows per second, exit status) and the journal's size.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from ditoolkit.cli import main
from ditoolkit.sandbox.process import start_sandbox

MAPPING = """\
version: 1
project: 1002
transfers:
  - name: leads
    direction: di_to_sf
    salesforce: {object: Lead}
    dialoginsight: {table: Contact}
    key: {dialoginsight: idContact, salesforce: DI_Contact_Id__c}
    fields:
      - {dialoginsight: f_EMail, salesforce: Email}
      - {dialoginsight: f_LastName, salesforce: LastName}
      - {salesforce: Company, value: "[not provided]"}
    operations: [insert, update]
"""


def _cli(*args: str) -> tuple[int, str, float]:
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue().strip(), time.perf_counter() - started


def _seed(rows: int, *, start: int = 0, name: str = "Person") -> None:
    from ditoolkit.api import connect_dialoginsight

    di = connect_dialoginsight(profile="sandbox")
    frame = pd.DataFrame(
        {
            "f_EMail": [f"person{i}@example.com" for i in range(start, start + rows)],
            "f_LastName": [f"{name}{i}" for i in range(start, start + rows)],
        }
    )
    di.write("Contact", frame, operation="upsert", project=1002).raise_for_errors()
    di.close()


def main_benchmark(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder, start_sandbox(Path(folder), seed="empty") as sb:
        os.environ["DITOOLKIT_SANDBOX_DIR"] = str(sb.data_dir)
        os.environ["DITOOLKIT_HOME"] = str(Path(folder) / "home")
        mapping = Path(folder) / "leads.yml"
        mapping.write_text(MAPPING, encoding="utf-8")
        _seed(rows)
        print(f"{'step':<28}{'seconds':>9}{'rows/s':>10}  exit")
        steps = [("first apply (insert all)", rows), ("re-run, nothing changed", 0)]
        for label, count in steps:
            code, _, seconds = _cli("apply", str(mapping), "--profile", "sandbox")
            print(f"{label:<28}{seconds:>9.2f}{count / seconds:>10.0f}  {code}")
        changed = max(1, rows // 100)
        _seed(changed, name="Renamed")
        code, run_id, seconds = _cli("apply", str(mapping), "--profile", "sandbox")
        print(f"{'1 % changed':<28}{seconds:>9.2f}{changed / seconds:>10.0f}  {code}")
        code, _, seconds = _cli("undo", run_id, "--yes")
        print(f"{'undo of that run':<28}{seconds:>9.2f}{changed / seconds:>10.0f}  {code}")
        size = (Path(folder) / "home" / "journal.sqlite").stat().st_size
        print(f"journal: {size / 1e6:.1f} MB for {rows + 2 * changed} journaled rows")


if __name__ == "__main__":
    main_benchmark(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000)

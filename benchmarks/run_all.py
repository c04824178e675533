"""Run the benchmarks and print one table.

Parts (each can be skipped):

1. ``diff_frames`` vs datacompy on 1,000,000 rows × 20 fields (``benchmarks/diff.py``'s
   frames): seconds, ratio, peak memory over the two inputs' size.
2. Salesforce API calls for writing and reading 1,000 and 100,000 Contacts through the
   adapter vs the naive way (one call per record for writes — by construction; REST
   ``query_all`` for reads — measured), counted by the sandbox (``salesforce_io.py``).
3. Dialog Insight calls for writing and reading 100,000 contacts (``dialoginsight_io.py``).
4. An end-to-end type A sync of 100,000 Salesforce contacts into DI project 1001 with
   ``python -m ditoolkit apply`` in a child process (seconds, calls counted by both
   sandboxes, the child's peak memory), then the same command again with nothing to change.

Usage::

    .venv/bin/python benchmarks/run_all.py [--diff-rows N] [--skip-diff] [--skip-datacompy]
        [--sf-sizes 1000 100000] [--skip-salesforce] [--di-rows N] [--skip-dialoginsight]
        [--e2e-rows N] [--skip-e2e]
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dialoginsight_io  # noqa: E402
import salesforce_io  # noqa: E402

from ditoolkit.sandbox.admin import SandboxAdmin  # noqa: E402
from ditoolkit.sandbox.process import SandboxProcess, start_sandbox  # noqa: E402

TYPE_A_MAPPING = """\
version: 1
project: 1001
transfers:
  - name: contacts_type_a
    direction: sf_to_di
    salesforce: {object: Contact}
    dialoginsight: {table: Contact}
    key: {salesforce: Id, dialoginsight: f_SalesforceId}
    fields:
      - {salesforce: Email, dialoginsight: f_EMail}
      - {salesforce: FirstName, dialoginsight: f_FirstName}
      - {salesforce: LastName, dialoginsight: f_LastName}
    operations: [insert, update]
"""


@dataclass
class Row:
    """One line of the table (blank cells are ``None``)."""

    what: str
    seconds: float | None = None
    calls: str | None = None
    baseline: str | None = None
    ratio: str | None = None
    memory: str | None = None


class Sandboxes:
    """Call counters and data resets of both sandboxes."""

    def __init__(self, sandbox: SandboxProcess) -> None:
        self.admins = (SandboxAdmin.of(sandbox.salesforce), SandboxAdmin.of(sandbox.dialoginsight))

    def calls(self) -> tuple[int, int]:
        sf, di = (admin.calls() for admin in self.admins)
        return sf, di

    def wipe(self) -> None:
        for admin in self.admins:
            admin.reset(timeout=300)


def diff_rows(rows: int, *, datacompy: bool) -> list[Row]:
    """``diff_frames`` vs datacompy, as ``benchmarks/diff.py`` measures them."""
    import diff

    source, target = diff.make_frames(rows)
    inputs = int(source.memory_usage(deep=True).sum() + target.memory_usage(deep=True).sum())
    table = diff.schema()
    seconds, peak, _ = diff.measure(
        lambda: diff.diff_frames(source, target, key="Id", schema=table)
    )
    label = f"diff {rows:,} rows x 20 fields"
    ours = Row(f"{label}: diff_frames", seconds, memory=f"{peak / inputs:.2f} x inputs")
    if not datacompy:
        return [ours]
    import datacompy as dc

    def compare() -> None:
        found = dc.PandasCompare(source, target, join_columns=["Id"])
        _ = (~found.intersect_rows.filter(like="_match").all(axis=1)).sum()

    gc.collect()
    base_seconds, base_peak, _ = diff.measure(compare)
    ours.baseline = f"datacompy {base_seconds:.1f} s"
    ours.ratio = f"{base_seconds / seconds:.1f}x as fast"
    ours.memory += f" (datacompy {base_peak / inputs:.2f}; {base_peak / max(peak, 1):.1f}x ours)"
    return [ours]


def salesforce_rows(sandbox: SandboxProcess, sizes: list[int]) -> list[Row]:
    """Adapter calls vs naive calls for Contact writes and reads."""
    sf = salesforce_io.connect(sandbox.salesforce)  # the adapter tests' own login
    counters = SandboxAdmin.of(sandbox.salesforce)
    out = []
    for n in sizes:
        counters.reset(timeout=300)
        sf.describe("Contact")
        frame = salesforce_io.contacts(n)
        write = lambda f=frame: sf.write("Contact", f, operation="insert")  # noqa: E731
        result, calls, seconds = salesforce_io.measure_calls(counters, write)
        assert result.ok, result.failed().head()
        out.append(_versus(f"SF write {n:,} Contacts", seconds, calls, naive=n))
        soql = "SELECT " + ", ".join(sf.describe("Contact").names) + " FROM Contact"
        _, naive, _ = salesforce_io.measure_calls(counters, lambda q=soql: sf.sf.query_all(q))
        back, calls, seconds = salesforce_io.measure_calls(counters, lambda: sf.read("Contact"))
        assert len(back) == n
        out.append(_versus(f"SF read {n:,} Contacts", seconds, calls, naive=naive))
    return out


def _versus(what: str, seconds: float, calls: int, *, naive: int | None) -> Row:
    """A row of calls against the naive way's (``ratio`` = naive calls / ours)."""
    if naive is None:
        return Row(what, seconds, f"{calls:,}")
    ratio = f"{naive / calls:,.0f}x fewer" if naive >= 2 * calls else f"{naive / calls:.2f}"
    return Row(what, seconds, f"{calls:,}", f"naive {naive:,} calls", ratio)


def dialoginsight_rows(sandbox: SandboxProcess, rows: int) -> list[Row]:
    """DI calls for creating, updating and reading ``rows`` contacts."""
    from ditoolkit.systems.dialoginsight import DialogInsightSystem

    SandboxAdmin.of(sandbox.dialoginsight).reset(timeout=300)
    di = DialogInsightSystem.from_settings(sandbox.dialoginsight)
    try:
        measured = dialoginsight_io.measure(di, rows)
    finally:
        di.close()
    return [  # naive writes: one Merge per record; reads have no naive counterpart
        _versus(f"DI {step} {count:,} contacts", s, calls, naive=None if "read" in step else count)
        for step, count, calls, s in measured
    ]


def _peak_rss(child: subprocess.Popen[str]) -> int:
    """Sample the child's resident memory until it exits; the peak, in bytes."""
    process, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        try:
            peak = max(peak, process.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.02)
    return peak


def _timed_apply(mapping: Path, env: dict[str, str], counters: Sandboxes) -> tuple[Row, int]:
    before = counters.calls()
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "ditoolkit", "apply", str(mapping), "--profile", "sandbox"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = _peak_rss(child)
    _, err = child.communicate()
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"apply failed (exit {child.returncode}):\n{err[-3000:]}")
    sf, di = (b - a for a, b in zip(before, counters.calls(), strict=True))
    row = Row("", seconds, f"SF {sf:,} + DI {di:,}", memory=f"{peak / 2**20:,.0f} MiB peak")
    return row, child.returncode


def end_to_end_rows(sandbox: SandboxProcess, rows: int, folder: Path) -> list[Row]:
    """A first type A sync of ``rows`` Salesforce contacts into DI 1001, then a no-op one."""
    counters = Sandboxes(sandbox)
    counters.wipe()
    frame = salesforce_io.contacts(rows).drop(columns=["DI_Contact_Id__c"])
    env = {**os.environ, "DITOOLKIT_SANDBOX_DIR": str(sandbox.data_dir)}
    env["DITOOLKIT_HOME"] = str(folder / "home")
    os.environ.update(env)
    from ditoolkit.api import connect_salesforce

    connect_salesforce(profile="sandbox").write(
        "Contact", frame, operation="insert"
    ).raise_for_errors()
    mapping = folder / "type_a.yml"
    mapping.write_text(TYPE_A_MAPPING, encoding="utf-8")
    first, _ = _timed_apply(mapping, env, counters)
    first.what = f"sync {rows:,} SF Contacts -> DI 1001 (type A, apply)"
    again, _ = _timed_apply(mapping, env, counters)
    again.what = "re-sync, nothing changed"
    return [first, again]


def render(rows: list[Row]) -> str:
    """The table as GitHub Markdown."""
    head = "| benchmark | seconds | API calls | baseline | ratio | peak memory |"
    lines = [head, "|---|--:|--:|---|---|---|"]
    for r in rows:
        cells = [
            r.what,
            f"{r.seconds:,.2f}" if r.seconds is not None else "",
            r.calls or "",
            r.baseline or "",
            r.ratio or "",
            r.memory or "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the benchmarks; print one table.")
    parser.add_argument("--diff-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-diff", action="store_true")
    parser.add_argument("--skip-datacompy", action="store_true")
    parser.add_argument("--sf-sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--skip-salesforce", action="store_true")
    parser.add_argument("--di-rows", type=int, default=100_000)
    parser.add_argument("--skip-dialoginsight", action="store_true")
    parser.add_argument("--e2e-rows", type=int, default=100_000)
    parser.add_argument("--skip-e2e", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    rows: list[Row] = []
    if not args.skip_diff:
        print(f"diff: {args.diff_rows:,} rows ...", file=sys.stderr, flush=True)
        rows += diff_rows(args.diff_rows, datacompy=not args.skip_datacompy)
        print(render(rows), file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as tmp, start_sandbox(Path(tmp) / "sb", seed="empty") as sb:
        if not args.skip_salesforce:
            print("Salesforce reads and writes ...", file=sys.stderr, flush=True)
            rows += salesforce_rows(sb, args.sf_sizes)
            print(render(rows), file=sys.stderr, flush=True)
        if not args.skip_dialoginsight:
            print("Dialog Insight reads and writes ...", file=sys.stderr, flush=True)
            rows += dialoginsight_rows(sb, args.di_rows)
            print(render(rows), file=sys.stderr, flush=True)
        if not args.skip_e2e:
            print("end-to-end sync ...", file=sys.stderr, flush=True)
            rows += end_to_end_rows(sb, args.e2e_rows, Path(tmp))
    print(render(rows))


if __name__ == "__main__":
    main()

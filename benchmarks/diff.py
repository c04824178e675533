"""Time ``diff_frames`` against datacompy on the same two frames, and its peak memory.

Run: ``.venv/bin/python benchmarks/diff.py [ROWS] [--skip-datacompy]`` (default 1,000,000 rows
× 20 mapped fields: strings, emails, integers, decimals, booleans, dates), with 1 % inserts,
5 % updates and 1 % deletes. Prints one table: seconds, ratio to datacompy, peak memory over
the two inputs' size. A second ``diff_frames`` row compares the same source with the target
spelled as Dialog Insight returns it (dotted dates, ``"1"``/``"0"`` booleans, numbers as text),
where normalization does real work (datacompy would report every such value as a change).

Targets on a 2-core machine: under 10 s, at least 3× faster than datacompy, peak memory
under 3× the two inputs.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import psutil

from ditoolkit.core.diff import diff_frames
from ditoolkit.port import FieldSchema, FieldType, TableSchema

T = FieldType
KINDS = (
    [T.STRING] * 4
    + [T.EMAIL] * 3
    + [T.INTEGER] * 4
    + [T.DECIMAL] * 3
    + [T.BOOLEAN] * 3
    + [T.DATE] * 3
)


def schema() -> TableSchema:
    """Key ``Id`` and 20 fields ``f00``..``f19`` of mixed types."""
    fields = [FieldSchema("Id", T.ID, key=True)]
    fields += [
        FieldSchema(f"f{i:02d}", kind, scale=2 if kind is T.DECIMAL else None)
        for i, kind in enumerate(KINDS)
    ]
    return TableSchema("dialoginsight", "Contact", tuple(fields), key="Id")


def _column(kind: FieldType, n: int, rng: np.random.Generator, salt: int) -> pd.Series:
    numbers = rng.integers(0, 1_000_000, n)
    if kind is T.STRING:
        return pd.Series(np.char.add(f"name{salt}_", numbers.astype(str)), dtype="str")
    if kind is T.EMAIL:
        return pd.Series(
            np.char.add(np.char.add("user", numbers.astype(str)), f"@ex{salt}.com"), dtype="str"
        )
    if kind is T.INTEGER:
        return pd.Series(numbers, dtype="Int64")
    if kind is T.DECIMAL:
        return pd.Series(numbers / 100, dtype="Float64")
    if kind is T.BOOLEAN:
        return pd.Series(numbers % 2 == 0, dtype="boolean")
    days = pd.to_timedelta(numbers % 20_000, unit="D")
    return pd.Series(pd.Timestamp("1950-01-01") + days).astype("datetime64[s]")


def _changed(values: pd.Series, kind: FieldType) -> pd.Series:
    """Each value made different (one update per changed row)."""
    if kind in (T.STRING, T.EMAIL):
        return "new." + values
    if kind is T.BOOLEAN:
        return ~values
    if kind is T.DATE:
        return values + pd.Timedelta(days=1)
    return values + (1 if kind is T.INTEGER else 0.01)


def make_frames(n: int, *, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A source and a target: 1 % source-only, 1 % target-only, 5 % rows with a changed field."""
    rng = np.random.default_rng(seed)
    total = n + n // 100
    data = {"Id": pd.Series(np.char.add("003", np.arange(total).astype(str)), dtype="str")}
    for i, kind in enumerate(KINDS):
        data[f"f{i:02d}"] = _column(kind, total, rng, i)
    rows = pd.DataFrame(data)
    source = rows.iloc[:n].reset_index(drop=True)
    target = pd.concat([rows.iloc[n // 100 : n], rows.iloc[n:]], ignore_index=True)
    changed = rng.choice(n - n // 100, size=n // 20, replace=False)
    field_of = rng.integers(0, len(KINDS), len(changed))
    for i, kind in enumerate(KINDS):
        name = f"f{i:02d}"
        pick = changed[field_of == i]
        target.loc[pick, name] = _changed(target.loc[pick, name], kind).to_numpy()
    return source, target.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def as_dialog_insight(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as Dialog Insight returns it: text everywhere, dotted dates, 1/0 booleans."""
    out = {}
    for name, kind in zip(frame.columns, [T.ID, *KINDS], strict=True):
        col = frame[name]
        if kind is T.DATE:
            out[name] = col.dt.strftime("%Y.%m.%d")
        elif kind is T.BOOLEAN:
            out[name] = col.map({True: "1", False: "0"}).astype("str")
        elif kind in (T.INTEGER, T.DECIMAL):
            out[name] = col.astype("str")
        else:
            out[name] = col
    return pd.DataFrame(out)


class PeakRss:
    """Sample the process's RSS every 5 ms; report the peak above the starting point."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._stop = threading.Event()
        self.start = 0
        self.peak = 0

    def __enter__(self) -> PeakRss:
        gc.collect()
        self.start = self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)

    @property
    def added(self) -> int:
        return self.peak - self.start


def measure(func: Callable[[], Any]) -> tuple[float, int, Any]:
    """Seconds, peak added RSS (bytes), and the result of ``func()``."""
    with PeakRss() as rss:
        began = time.perf_counter()
        result = func()
        seconds = time.perf_counter() - began
    return seconds, rss.added, result


def main(argv: list[str]) -> None:
    n = int(next((a for a in argv if a.isdigit()), 1_000_000))
    skip_datacompy = "--skip-datacompy" in argv
    print(f"generating {n:,} rows x {len(KINDS)} fields ...", flush=True)
    source, target = make_frames(n)
    di_target = as_dialog_insight(target)
    inputs = int(source.memory_usage(deep=True).sum() + target.memory_usage(deep=True).sum())
    table = schema()
    rows: list[tuple[str, float, int, str]] = []

    seconds, peak, diff = measure(lambda: diff_frames(source, target, key="Id", schema=table))
    rows.append(("diff_frames (typed frames)", seconds, peak, str(diff.summary())))
    seconds, peak, di_diff = measure(lambda: diff_frames(source, di_target, key="Id", schema=table))
    rows.append(("diff_frames (DI text target)", seconds, peak, str(di_diff.summary())))
    if not skip_datacompy:
        import datacompy

        def run() -> str:
            compare = datacompy.PandasCompare(source, target, join_columns=["Id"])
            rows_unequal = int((~compare.intersect_rows.filter(like="_match").all(axis=1)).sum())
            return f"df1 only {len(compare.df1_unq_rows)}, df2 only {len(compare.df2_unq_rows)}, unequal rows {rows_unequal}"

        seconds, peak, summary = measure(run)
        rows.append(("datacompy.PandasCompare", seconds, peak, summary))
    _print(rows, inputs=inputs, n=n)


def _print(rows: list[tuple[str, float, int, str]], *, inputs: int, n: int) -> None:
    baseline = rows[-1][1] if rows[-1][0].startswith("datacompy") else None
    print(f"\n{n:,} rows; the two inputs take {inputs / 2**20:,.0f} MiB")
    print(f"{'method':<30} {'seconds':>8} {'vs datacompy':>13} {'peak MiB':>9} {'peak/inputs':>12}")
    for name, seconds, peak, _ in rows:
        ratio = (
            f"{baseline / seconds:.1f}x faster"
            if baseline and not name.startswith("datacompy")
            else "-"
        )
        print(
            f"{name:<30} {seconds:>8.2f} {ratio:>13} {peak / 2**20:>9,.0f} {peak / inputs:>12.2f}"
        )
    print()
    for name, *_, summary in rows:
        print(f"{name}: {summary}")


if __name__ == "__main__":
    main(sys.argv[1:])

"""The success and error files of a CSV load, shaped like Salesforce Data Loader's.

Every row of the input file lands in exactly one of two files, one line per input row, in the
file's order (rows that share a key each get their own line and reason):

- ``<file>.success.csv``: the rows the target now holds as the file says: every original
  column (mapped or not, in the file's order), then ``ID`` (the target's id when the write
  returned one), ``STATUS`` (``Item Created``, ``Item Updated`` or ``Item Unchanged`` for a
  row the target already held) and ``LINE``;
- ``<file>.error.csv``: the rows not loaded: every original column, then ``ERROR``
  (``REASON: message``: held back by a check such as ``DUPLICATE_KEY``, refused by the target
  such as ``InvalidEmail``, left out by a filter, an operation the transfer does not allow,
  not written by an interrupted run) and ``LINE``.

A dry run writes neither file (see :func:`~ditoolkit.workflow.apply_files.write_apply_files`).

``LINE`` is the physical line of the file where the row starts (the header is line 1), the
number that errors about the file cite. An added column whose name the file already uses gets
``_RESULT`` appended. Every cell and header goes through the CSV neutraliser
(:func:`ditoolkit.core.spreadsheet.neutralize`), so ``=HYPERLINK(...)`` is written
``'=HYPERLINK(...)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ditoolkit.core.fingerprint import key_text
from ditoolkit.core.mapping import CsvSide
from ditoolkit.core.normalize import normalize_series
from ditoolkit.core.preview import DirectionPreview
from ditoolkit.core.quality import LINE_COLUMN
from ditoolkit.errors import DitoolkitError
from ditoolkit.systems.csvfile import read_csv_file, write_csv_file

if TYPE_CHECKING:
    from ditoolkit.workflow.apply_command import TransferRun

#: STATUS of a success row, by the row's write status.
STATUS_TEXT = {"created": "Item Created", "updated": "Item Updated", "unchanged": "Item Unchanged"}
#: The columns each file adds after the input file's own.
SUCCESS_ADDED = ("ID", "STATUS", "LINE")
ERROR_ADDED = ("ERROR", "LINE")
#: The outcome of each input row: success (``ok``) with ``id`` and ``status``, else ``error``.
OUTCOME_COLUMNS = ["ok", "id", "status", "error"]

_FILTERED = "FILTERED: the transfer's filters leave this row out"
_HELD = "HELD_BACK: another row with the same key is held back"
_NOT_SENT = "NOT_SENT: the plan did not send this row"

#: One input row's outcome: ok, id, STATUS text, ERROR text.
Outcome = tuple[bool, Any, str | None, str | None]


def write_csv_results(run: TransferRun, *, out: Path | None) -> list[Path]:
    """Write the success and error files of a CSV load (see the module).

    Args:
        run: the applied transfer; nothing is written unless it reads a CSV file and was
            previewed (a resume by run id has no preview).
        out: the folder of the files; None puts them beside the input file.

    Returns:
        The files written: success first, then error.
    """
    side = run.transfer.csv
    if side is None or run.preview is None:
        return []
    source = Path(side.resolved or side.path)
    folder = out or source.parent
    written: list[Path] = []
    for direction, d in run.preview.directions.items():
        rows = input_rows(side, d)
        outcomes = row_outcomes(run, direction, lines=rows.index)
        written += write_load_files(
            rows,
            outcomes,
            success_path=folder / f"{source.stem}.success.csv",
            error_path=folder / f"{source.stem}.error.csv",
        )
    return written


def input_rows(side: CsvSide, d: DirectionPreview) -> pd.DataFrame:
    """Every row of the input file with all its columns as text, indexed by line.

    The file is read again whole (the preview read only the columns the transfer uses). If it
    can no longer be read, or its lines or the values the preview read differ (it changed
    during the run), the rows the preview read (their columns only) stand in for it.
    """
    try:
        rows = read_csv_file(
            side.resolved or side.path, delimiter=side.delimiter, encoding=side.encoding
        )
    except DitoolkitError:
        return d.source.drop(columns=[LINE_COLUMN], errors="ignore")
    read = d.source.drop(columns=[LINE_COLUMN], errors="ignore")
    if d.source.index.name != "line" or not _same_cells(rows, read):
        return read
    return rows


def _same_cells(rows: pd.DataFrame, read: pd.DataFrame) -> bool:
    """Whether ``rows`` hold the lines and values the preview read (``read``'s columns)."""
    if not rows.index.equals(read.index) or not set(read.columns) <= set(rows.columns):
        return False
    return bool(rows[list(read.columns)].astype("string").equals(read.astype("string")))


def row_outcomes(run: TransferRun, direction: str, *, lines: pd.Index) -> pd.DataFrame:
    """The outcome of each input line (:data:`OUTCOME_COLUMNS`), indexed like ``lines``.

    A line is matched to its held-back reason by line, and to the run's result by its key
    (the keys of rows that were sent are unique: repeated keys are held back).
    """
    assert run.preview is not None
    d = run.preview.directions[direction]
    lookup = _Lookup.of(d, run.result.rows[run.result.rows["side"] == direction])
    keys = _keys_by_line(d)
    outcomes: dict[Any, Outcome] = {}
    for line in lines:
        if line not in keys:
            outcomes[line] = _failure(_FILTERED)
        elif line in lookup.held_lines:
            outcomes[line] = _failure(lookup.held_lines[line])
        else:
            outcomes[line] = lookup.outcome(keys[line], run_id=run.result.run_id)
    frame = pd.DataFrame.from_dict(outcomes, orient="index", columns=OUTCOME_COLUMNS)
    return frame.reindex(lines)


def _keys_by_line(d: DirectionPreview) -> dict[Any, Any]:
    """Line → the row's key in the form the plan and the run name it."""
    frame = d.transformed
    key = d.plan.key
    lines = frame[LINE_COLUMN] if LINE_COLUMN in frame.columns else frame.index.to_series()
    keys = normalize_series(frame[key], d.target_schema.get(key))
    return dict(zip(lines.tolist(), keys.astype(object).tolist(), strict=True))


def _failure(error: str) -> Outcome:
    return (False, None, None, error)


@dataclass(frozen=True)
class _Lookup:
    """What the preview and the run say about the rows of one direction."""

    sent: _ResultsByKey
    held_lines: dict[Any, str]
    held_keys: frozenset[str]
    skipped: dict[str, str]
    unchanged: frozenset[str]

    @classmethod
    def of(cls, d: DirectionPreview, results: pd.DataFrame) -> _Lookup:
        errors = d.plan.errors
        source = errors[errors["side"] == "source"]
        held_keys = [*source["key"].tolist(), *d.quality.held_back_keys().tolist()]
        return cls(
            sent=_ResultsByKey(results),
            held_lines=_held_by_line(source),
            held_keys=frozenset(_folded(k) for k in held_keys if not _missing(k)),
            skipped={
                _folded(key): _error_text("SKIPPED", reason)
                for key, reason in zip(d.plan.skipped["key"], d.plan.skipped["reason"], strict=True)
            },
            unchanged=frozenset(_folded(k) for k in d.diff.unchanged_keys),
        )

    def outcome(self, key: Any, *, run_id: str) -> Outcome:
        """The outcome of the row of ``key`` that no check held back."""
        folded = None if _missing(key) else _folded(key)
        record = self.sent.take(key) if folded is not None else None
        if record is not None:
            return _result_outcome(record, run_id=run_id)
        if folded in self.unchanged:
            return (True, None, STATUS_TEXT["unchanged"], None)
        if folded in self.skipped:
            return _failure(self.skipped[folded])
        if folded in self.held_keys:
            return _failure(_HELD)
        return _failure(_NOT_SENT)


def _held_by_line(source: pd.DataFrame) -> dict[Any, str]:
    """Line → ``REASON: message`` of the source rows the plan holds back."""
    found: dict[Any, list[str]] = defaultdict(list)
    rows = source[source["row"].notna()]
    for row, reason, message in zip(rows["row"], rows["reason"], rows["message"], strict=True):
        found[_line_label(row)].append(_error_text(reason, message))
    return {line: "; ".join(texts) for line, texts in found.items()}


def _line_label(value: Any) -> Any:
    """A row label as the input's index spells it (the plan's JSON form makes 4 into 4.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _result_outcome(record: dict[str, Any], *, run_id: str) -> Outcome:
    """The outcome of a row the run sent (or was to send), from its result row."""
    status = None if _missing(record["status"]) else str(record["status"])
    if status in STATUS_TEXT:
        return (True, None if _missing(record["id"]) else record["id"], STATUS_TEXT[status], None)
    if status == "failed":
        return _failure(_error_text(record["error_code"], record["message"]))
    if status is not None:  # skipped: a dry run sends nothing
        return _failure(_error_text(status.upper(), record["message"]))
    message = f"run {run_id} stopped before this row was written: resume it"
    return _failure(_error_text("NOT_WRITTEN", message))


class _ResultsByKey:
    """The run's result rows of one direction, each taken once by its key."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self._by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in rows.to_dict("records"):
            self._by_key[_folded(record["key"])].append({str(k): v for k, v in record.items()})

    def take(self, key: Any) -> dict[str, Any] | None:
        """The first result row of ``key`` not taken yet (exact spelling first)."""
        found = self._by_key.get(_folded(key))
        if not found:
            return None
        exact = [i for i, r in enumerate(found) if str(r["key"]) == str(key)]
        return found.pop(exact[0] if exact else 0)


def _folded(key: Any) -> str:
    return str(key_text(pd.Series([str(key)], dtype="string")).iloc[0])


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _error_text(code: Any, message: Any) -> str:
    code_text = "ERROR" if _missing(code) else str(code)
    return code_text if _missing(message) else f"{code_text}: {message}"


def _free(name: str, taken: Iterable[str]) -> str:
    names = set(taken)
    while name in names:
        name = f"{name}_RESULT"
    return name


def write_load_files(
    rows: pd.DataFrame, outcomes: pd.DataFrame, *, success_path: Path, error_path: Path
) -> list[Path]:
    """Write the success and error files of ``rows`` (indexed by line) and their outcomes.

    Both files get their header even when they hold no row; every cell is neutralised.
    """
    columns = [str(c) for c in rows.columns]
    frame = rows.copy()
    frame.columns = pd.Index(columns)
    ok = outcomes["ok"].astype(bool).to_numpy()
    id_col, status_col, line_col = (_free(n, columns) for n in SUCCESS_ADDED)
    error_col, error_line_col = (_free(n, columns) for n in ERROR_ADDED)
    lines = frame.index.to_numpy(dtype=object)
    success = frame[ok].assign(
        **{
            id_col: outcomes.loc[ok, "id"].to_numpy(dtype=object),
            status_col: outcomes.loc[ok, "status"].to_numpy(dtype=object),
            line_col: lines[ok],
        }
    )
    errors = frame[~ok].assign(
        **{error_col: outcomes.loc[~ok, "error"].to_numpy(dtype=object), error_line_col: lines[~ok]}
    )
    return [
        write_csv_file(success_path, success, columns=[*columns, id_col, status_col, line_col]),
        write_csv_file(error_path, errors, columns=[*columns, error_col, error_line_col]),
    ]

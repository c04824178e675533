"""Success and error CSV files shaped like Salesforce Data Loader's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ditoolkit.errors import DitoolkitError
from ditoolkit.port import WriteResult
from ditoolkit.systems.csvfile.files import write_csv_file


def _free(name: str, taken: list[str]) -> str:
    while name in taken:
        name = f"{name}_RESULT"
    return name


def write_result_csvs(
    input_frame: pd.DataFrame,
    result: WriteResult,
    *,
    success_path: str | Path,
    error_path: str | Path,
) -> tuple[Path, Path]:
    """Write the success file (input columns, ``ID``, ``STATUS``) and the error file (input
    columns, ``ERROR``), both with headers even when empty.

    Raises:
        DitoolkitError: the result does not have one row per input row.
    """
    if len(result.rows) != len(input_frame):
        raise DitoolkitError(
            f"the result of writing {result.table} has {len(result.rows)} rows for "
            f"{len(input_frame)} input rows",
            hint="pass the frame that was written, unchanged",
        )
    columns = [str(c) for c in input_frame.columns]
    rows = input_frame.reset_index(drop=True).copy()
    rows.columns = pd.Index(columns)
    frame = result.frame
    ok = (frame["status"] != "failed").to_numpy()
    id_col, status_col, error_col = (_free(n, columns) for n in ("ID", "STATUS", "ERROR"))
    success = rows[ok].assign(
        **{id_col: frame.loc[ok, "id"].to_numpy(), status_col: frame.loc[ok, "status"].to_numpy()}
    )
    codes = frame.loc[~ok, "error_code"].fillna("ERROR").astype(str)
    messages = frame.loc[~ok, "message"].fillna("").astype(str)
    errors = rows[~ok].assign(**{error_col: (codes + ": " + messages).to_numpy()})
    return (
        write_csv_file(success_path, success, columns=[*columns, id_col, status_col]),
        write_csv_file(error_path, errors, columns=[*columns, error_col]),
    )

"""An ingest job's result files, rebuilt on request from its upload and its row outcomes.

Processing keeps one outcome per uploaded row (``[sf__Id, created]`` for a success,
``[sf__Id, "CODE:message:fields --"]`` for a failure); the three files Salesforce serves
(``successfulResults``, ``failedResults``, ``unprocessedRecords``) are written from those and
the upload when a client asks, so a job nobody asks about costs nothing more.
"""

from __future__ import annotations

import json
from typing import Any

from ditoolkit.sandbox.salesforce.bulk2_csv import UploadError, read_upload, result_file

_HEADS = {
    "successfulResults": ["sf__Id", "sf__Created"],
    "failedResults": ["sf__Id", "sf__Error"],
    "unprocessedRecords": [],
}


def encode_outcomes(outcomes: list[list[Any]]) -> str:
    """Row outcomes as kept in the job book."""
    return json.dumps(outcomes, separators=(",", ":"))


def result_text(kind: str, *, upload: bytes | None, delimiter: str, outcomes: str | None) -> str:
    """The result file ``kind`` of an ingest job.

    Args:
        kind: ``successfulResults``, ``failedResults`` or ``unprocessedRecords``.
        upload: the job's CSV, or ``None`` when nothing was uploaded.
        delimiter: the job's ``columnDelimiter`` name.
        outcomes: the kept row outcomes, or ``None`` when no row was processed (the job was
            aborted or failed as a whole): then every row is unprocessed.
    """
    try:
        header, rows = read_upload(upload or b"", delimiter=delimiter, line_ending=None)
    except UploadError:
        return ""
    if outcomes is None:
        picked = list(rows) if kind == "unprocessedRecords" else []
        return result_file(_HEADS[kind], picked, columns=header)
    if kind == "unprocessedRecords":
        return result_file([], [], columns=header)
    want_success = kind == "successfulResults"
    picked = []
    for cells, (sf_id, mark) in zip(rows, json.loads(outcomes), strict=False):
        if isinstance(mark, bool) == want_success:
            shown = ("true" if mark else "false") if want_success else mark
            picked.append([sf_id, shown, *cells])
    return result_file(_HEADS[kind], picked, columns=header)

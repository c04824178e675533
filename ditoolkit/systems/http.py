"""The transport both clients mount on their ``requests`` session: timeouts and bounded answers.

Neither Salesforce nor Dialog Insight should be able to make the toolkit wait forever or read
an answer of any size into memory: every request gets a timeout unless its caller set one, and
every answer's body is read in chunks and refused once it passes a size bound (decoded bytes,
so a compressed answer cannot expand past it either). Callers that ask for a streamed answer
get the ``Content-Length`` check only; they read the body themselves.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from ditoolkit.errors import RejectedError

MIB = 1024 * 1024
#: Chunk size of the bounded read.
_CHUNK = 256 * 1024
#: The error code of an answer past its bound.
TOO_LARGE = "RESPONSE_TOO_LARGE"


class BoundedAdapter(HTTPAdapter):
    """An HTTPS adapter giving each request a timeout and each answer a size bound.

    Args:
        system: the system named in errors (``salesforce``, ``dialoginsight``).
        timeout: seconds, or (connect, read) seconds, when the caller set none.
        max_bytes: the largest answer body read, in decoded bytes.
        max_bytes_by_type: larger or smaller bounds by media type (``text/csv``).
        setting: the setting a user raises to accept larger answers (named in the hint).
    """

    def __init__(
        self,
        *,
        system: str,
        timeout: float | tuple[float, float],
        max_bytes: int,
        max_bytes_by_type: dict[str, int] | None = None,
        setting: str = "max_response_mb",
    ) -> None:
        super().__init__()
        self.system = system
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_bytes_by_type = dict(max_bytes_by_type or {})
        self.setting = setting

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        streamed = bool(kwargs.get("stream"))
        kwargs["stream"] = True
        response = super().send(request, **kwargs)
        limit = self.limit_for(response)
        declared = _content_length(response)
        if declared is not None and declared > limit:
            response.close()
            raise self._too_large(request, limit, f"it declares {declared:,} bytes")
        if not streamed:
            self._read_bounded(request, response, limit)
        return response

    def limit_for(self, response: requests.Response) -> int:
        """The bound of ``response``, by its media type."""
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return self.max_bytes_by_type.get(media, self.max_bytes)

    def _read_bounded(
        self, request: requests.PreparedRequest, response: requests.Response, limit: int
    ) -> None:
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise self._too_large(request, limit, f"more than {limit:,} bytes came")
                chunks.append(chunk)
        finally:
            if size > limit:
                response.close()
        # what requests does itself for an answer that is not streamed
        response._content = b"".join(chunks)
        response._content_consumed = True  # type: ignore[attr-defined]

    def _too_large(
        self, request: requests.PreparedRequest, limit: int, detail: str
    ) -> RejectedError:
        where = urlsplit(request.url or "")
        return RejectedError(
            f"{request.method} {where.path}: the answer is larger than "
            f"{limit / MIB:,.1f} MiB ({detail}); it was not read",
            system=self.system,
            code=TOO_LARGE,
            hint=f"raise {self.setting} if answers this large are expected, or read fewer "
            "rows per call",
        )


def _content_length(response: requests.Response) -> int | None:
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def mebibytes(value: float) -> int:
    """``value`` MiB in bytes (at least one byte)."""
    return max(1, int(value * MIB))

"""The one error hierarchy of ditoolkit.

Every error a user can meet derives from :class:`DitoolkitError`. Adapters translate remote
errors at the boundary (``raise ... from exc``) into the family below, so that callers (the
notebooks, the CLI, the sync engine) decide by class, never by parsing messages.
"""

from __future__ import annotations


class DitoolkitError(Exception):
    """Root of every ditoolkit error.

    Args:
        message: what went wrong, naming the system, table or file, row or field.
        hint: the next step for the user, appended to the message.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} — {hint}" if hint else message)


class ConfigError(DitoolkitError):
    """A setting is missing or wrong (profile, credentials, file paths)."""


class MappingError(DitoolkitError):
    """A mapping file is malformed or does not fit the live schemas."""


class QualityError(DitoolkitError):
    """Rows fail data-quality checks and are held back."""


class InputFileError(DitoolkitError):
    """An input file (CSV) cannot be read as it stands.

    Attributes:
        path: the file.
        line: the 1-based physical line of the problem, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"{where}: {message}", hint=hint)


class RemoteSystemError(DitoolkitError):
    """A remote system (Salesforce, Dialog Insight) refused or failed a call.

    Attributes:
        system: ``"salesforce"``, ``"dialoginsight"``, ``"csv"`` or ``"memory"``.
        code: the system's own error code (``INVALID_SESSION_ID``, ``Throttled``...), if any.
        status: the HTTP status, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        system: str,
        code: str | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.system = system
        self.code = code
        self.status = status
        super().__init__(f"{system}: {message}", hint=hint)


class AuthError(RemoteSystemError):
    """Credentials were refused or the session expired and could not be renewed."""


class NotFoundError(RemoteSystemError):
    """The object, table, project or record does not exist."""


class RetriableError(RemoteSystemError):
    """A transient failure (lock, throttling, 5xx, timeout): the same call may succeed later."""


class RejectedError(RemoteSystemError):
    """The system rejected the request as invalid; retrying it unchanged cannot help."""


class AllowanceError(RemoteSystemError):
    """The work would spend the API allowance past the configured reserve."""


class ApplyError(DitoolkitError):
    """A sync run cannot start or continue (stale plan, journal problem, refused run)."""

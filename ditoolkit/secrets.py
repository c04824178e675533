"""A value that never shows itself: passwords, security tokens, API keys."""

from __future__ import annotations

from typing import Any


class Secret:
    """Wraps a secret string so that ``repr``, ``str``, f-strings and logs show ``***``.

    Call :meth:`reveal` at the one place the value goes on the wire.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        self._value = str(value)

    def reveal(self) -> str:
        """The secret value itself; pass it straight to the wire, never to a message."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled; keep it in memory or the keyring")


def reveal(value: str | Secret | None) -> str | None:
    """The plain value of a ``Secret`` or a plain string (``None`` stays ``None``)."""
    if value is None:
        return None
    return value.reveal() if isinstance(value, Secret) else str(value)

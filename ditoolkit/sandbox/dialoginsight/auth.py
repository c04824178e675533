"""``AuthKey`` checks: the key pair, its expiry date, its IP allow-list and its permissions.

Mirrors DI's key screen (``dialog-insight-api.md`` §1.3): a key has an idKey and a Key, an
optional list of authorised IP addresses or networks, an expiry date, an Active flag and
per-project permissions (``read``, ``write``, ``delete``).
"""

from __future__ import annotations

import hmac
import ipaddress
from datetime import UTC, datetime
from typing import Any

from ditoolkit.sandbox.dialoginsight.store import Store
from ditoolkit.sandbox.dialoginsight.wire import CallError

RIGHTS = ("read", "write", "delete")


def parse_expiry(text: str) -> datetime:
    """An expiry given as ``YYYY-MM-DD`` (end of that day, UTC) or an ISO datetime."""
    moment = datetime.fromisoformat(text)
    if len(text) == 10:
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ip_allowed(allowed: list[str], client_ip: str) -> bool:
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in allowed)


def authenticate(store: Store, auth: Any, *, client_ip: str) -> dict[str, Any]:
    """The stored key ``auth`` names, once its pair, expiry and IP restriction check out.

    Raises:
        CallError: ``InvalidAuthKey``, ``ExpiredAuthKey`` or ``IpNotAllowed``.
    """
    invalid = CallError("InvalidAuthKey", "the AuthKey (idKey, Key) is missing or not valid")
    if not isinstance(auth, dict):
        raise invalid
    raw_id, secret = auth.get("idKey"), auth.get("Key")
    if (
        not isinstance(raw_id, (int, str))
        or isinstance(raw_id, bool)
        or not isinstance(secret, str)
    ):
        raise invalid
    try:
        id_key = int(raw_id)  # DI accepts idKey as a number or a string of digits
    except (TypeError, ValueError):
        raise invalid from None
    key = store.api_key(id_key)
    if key is None or not key["active"] or not hmac.compare_digest(key["key"], secret):
        raise invalid
    if key["expires"] and parse_expiry(key["expires"]) < datetime.now(UTC):
        raise CallError("ExpiredAuthKey", f"the key {id_key} expired on {key['expires']}")
    if key["ips"] is not None and not _ip_allowed(key["ips"], client_ip):
        raise CallError("IpNotAllowed", f"the key {id_key} is not authorised from {client_ip}")
    return key


def rights_on(key: dict[str, Any], id_project: int) -> set[str]:
    """The rights ``key`` has on the project."""
    permissions = key["permissions"]
    if permissions is None:
        return set(RIGHTS)
    granted = permissions.get(str(id_project), permissions.get("*", []))
    return set(granted)


def require(key: dict[str, Any], id_project: int, right: str) -> None:
    """Raise ``PermissionDenied`` unless ``key`` has ``right`` on the project."""
    if right not in rights_on(key, id_project):
        raise CallError(
            "PermissionDenied",
            f"the key {key['idKey']} has no {right} permission on project {id_project}",
        )

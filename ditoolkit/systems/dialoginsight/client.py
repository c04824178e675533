"""A small client of Dialog Insight's OFC4 web services (``POST {base}/{service}.ashx``).

Every call carries the ``AuthKey`` envelope, is retried with backoff on throttling, 429, 5xx
and connection failures, and raises a ditoolkit error otherwise when the service answers
``Success:false`` or a non-2xx status. The key is a :class:`~ditoolkit.secrets.Secret`: it goes
on the wire and nowhere else.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from ditoolkit.errors import AllowanceError, ConfigError, RejectedError, RetriableError
from ditoolkit.secrets import Secret
from ditoolkit.systems.dialoginsight import assumptions as A
from ditoolkit.systems.dialoginsight.failures import SYSTEM, call_error, connection_error
from ditoolkit.systems.http import TOO_LARGE, BoundedAdapter, mebibytes

log = logging.getLogger(__name__)

Json = dict[str, Any]


def resolve_base_url(*, base_url: str | None, region: str | None) -> str:
    """The services' base URL, ending with ``/``, from an explicit URL or a region name.

    Raises:
        ConfigError: neither or an unknown region is given.
    """
    if base_url:
        return base_url if base_url.endswith("/") else base_url + "/"
    if region is None:
        raise ConfigError(
            "Dialog Insight needs a base_url or a region",
            hint=f"pass region= one of {sorted(A.REGION_URLS)} or base_url=",
        )
    try:
        name = region.strip().lower()
        return A.REGION_URLS[A.REGION_ALIASES.get(name, name)]
    except KeyError:
        raise ConfigError(
            f"unknown Dialog Insight region {region!r}",
            hint=f"use one of {sorted(A.REGION_URLS)} or pass base_url=",
        ) from None


class DialogInsightClient:
    """One authenticated connection to the OFC4 web services.

    Args:
        base_url: the services' base URL (``https://.../webservices/ofc4/``).
        region: ``canada`` or ``france`` when no ``base_url`` is given.
        id_key: the key's ``idKey``.
        key: the key's ``Key`` (kept as a :class:`Secret`).
        ca_bundle: a PEM file of the CA to trust (the sandbox's), overriding the system's.
        timeout: seconds to wait for each answer.
        attempts: attempts per call for retriable failures.
        retry_wait: the first wait between attempts, in seconds (doubles each time).
        retry_max_wait: the longest wait between attempts, in seconds.
        max_response_mb: the largest answer read; a larger one is refused unread.
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        region: str | None = None,
        id_key: int | str,
        key: str | Secret,
        ca_bundle: str | None = None,
        timeout: float = A.DEFAULT_TIMEOUT,
        attempts: int = A.DEFAULT_ATTEMPTS,
        retry_wait: float = A.DEFAULT_RETRY_WAIT,
        retry_max_wait: float = A.DEFAULT_RETRY_MAX_WAIT,
        max_response_mb: float = A.DEFAULT_MAX_RESPONSE_MB,
    ) -> None:
        self.base_url = resolve_base_url(base_url=base_url, region=region)
        self.id_key = _int_or_str(id_key)
        self._key = key if isinstance(key, Secret) else Secret(key)
        if not self._key:
            raise ConfigError("the Dialog Insight Key is empty", hint="set Key in your profile")
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.retry_wait = retry_wait
        self.retry_max_wait = retry_max_wait
        self.ca_bundle = ca_bundle
        self.calls: Counter[str] = Counter()
        self.session = requests.Session()
        self.session.mount(
            "https://",
            BoundedAdapter(system=SYSTEM, timeout=timeout, max_bytes=mebibytes(max_response_mb)),
        )
        # The bundle is also passed with every request: with trust_env on, requests would let
        # an exported REQUESTS_CA_BUNDLE override Session.verify (and proxies still apply).
        self.session.verify = ca_bundle if ca_bundle else True
        self.session.headers.update(
            {"Content-Type": "application/json", "Accept": "application/json"}
        )

    def __repr__(self) -> str:
        return f"DialogInsightClient(base_url={self.base_url!r}, id_key={self.id_key!r}, key=***)"

    @property
    def total_calls(self) -> int:
        """HTTP calls made so far (each retry attempt counts)."""
        return sum(self.calls.values())

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    # --- the generic call -------------------------------------------------------------------

    def call(self, service: str, method: str, body: Mapping[str, Any] | None = None) -> Json:
        """Call ``{service}.{method}`` with ``body`` plus the ``AuthKey``; return the answer.

        Raises:
            AuthError, NotFoundError, RejectedError: the service refused the call.
            AllowanceError: still throttled once the attempts are spent.
            RetriableError: 5xx or no answer, once the attempts are spent.
        """
        name = f"{service}.{method}"
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential_jitter(
                multiplier=self.retry_wait, max=self.retry_max_wait, jitter=self.retry_wait
            ),
            retry=retry_if_exception_type(RetriableError),
            before_sleep=_log_retry(name),
            reraise=True,
        )
        try:
            answer: Json = retrying(self._call_once, service, method, dict(body or {}))
        except RetriableError as exc:
            if exc.code not in A.ALLOWANCE_CODES:
                raise
            raise AllowanceError(
                f"{exc.message} (still after {self.attempts} attempts)",
                system=SYSTEM,
                code=exc.code,
                status=exc.status,
                hint="the key's call allowance looks spent; run again later (the run resumes "
                "where it stopped)",
            ) from exc
        return answer

    def envelope(self, body: Mapping[str, Any]) -> Json:
        """``body`` with the ``AuthKey`` (the one place the key is revealed)."""
        return {"AuthKey": {"idKey": self.id_key, "Key": self._key.reveal()}, **body}

    def url(self, service: str, method: str) -> str:
        """``{base}/{service}.ashx?method={Method}``."""
        path = A.SERVICES.get(service, service.lower())
        return f"{self.base_url}{path}.ashx?method={method}"

    def _call_once(self, service: str, method: str, body: Json) -> Json:
        name = f"{service}.{method}"
        self.calls[name] += 1
        log.debug("Dialog Insight call %s (%s)", name, _describe_body(body))
        try:
            response = self.session.post(
                self.url(service, method),
                json=self.envelope(body),
                timeout=self.timeout,
                verify=self.session.verify,
            )
        except requests.exceptions.SSLError as exc:
            raise ConfigError(
                f"{name}: the TLS certificate of {self.base_url} is not trusted",
                hint="set ca_bundle to the CA file of this service (the sandbox's ca.pem)",
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise connection_error(name, exc) from exc
        except RejectedError as exc:
            if exc.code != TOO_LARGE:
                raise
            raise RejectedError(
                f"{name}: {exc.message}", system=SYSTEM, code=TOO_LARGE, hint=exc.hint
            ) from None
        return self._decode(name, response)

    def _decode(self, name: str, response: requests.Response) -> Json:
        try:
            data = response.json()
        except ValueError:
            data = None
        ok_status = 200 <= response.status_code < 300
        if ok_status and isinstance(data, dict) and data.get("Success") is True:
            return data
        if ok_status and not isinstance(data, dict):
            data = {"ErrorMessage": "the answer is not a JSON envelope"}
        raise call_error(name, body=data, status=response.status_code, scrub=(self._key.reveal(),))

    # --- the methods --------------------------------------------------------------------

    def projects_list(self) -> list[Json]:
        """``Projects.List``: the projects this key sees (``idProject``, ``ProjectName``)."""
        return _records(self.call("Projects", "List"))

    def projects_get(self, id_project: int) -> Json:
        """``Projects.Get``: the project's ``ProjectInfo`` (fields, opt-ins), or ``{}``."""
        answer = self.call("Projects", "Get", {"idProject": id_project})
        info = answer.get("ProjectInfo")
        return info if isinstance(info, dict) else {}

    def contacts_get(
        self, id_project: int, *, clause: Any = None, max_rows: int | None = None
    ) -> list[Json]:
        """``Contacts.Get``: the contacts matching ``clause`` (one clause or a list, AND)."""
        body: Json = {"idProject": id_project}
        if clause is not None:
            body["Clause"] = clause
        if max_rows is not None:
            body["MaxRows"] = max_rows
        return _records(self.call("Contacts", "Get", body))

    def contacts_merge(
        self, id_project: int, records: list[Json], *, options: Mapping[str, Any]
    ) -> Json:
        """``Contacts.Merge``: upsert ``records`` (``{"ID": {...}, "Data": {...}}``)."""
        body = {"idProject": id_project, "Records": records, "MergeOptions": dict(options)}
        return self.call("Contacts", "Merge", body)

    def contacts_delete(self, id_project: int, *, clause: Any, max_rows: int) -> int | None:
        """``Contacts.Delete``: delete at most ``max_rows`` contacts matching ``clause``.

        Returns:
            ``DeletedRecords``, or ``None`` when the answer does not say.
        """
        body = {"idProject": id_project, "Clause": clause, "MaxRows": max_rows}
        return _count(self.call("Contacts", "Delete", body), "DeletedRecords")

    def relational_get(
        self, id_table: int, *, clause: Any = None, max_rows: int | None = None
    ) -> list[Json]:
        """``RelationalTables.Get``: the rows of table ``id_table`` matching ``clause``."""
        body: Json = {"idTable": id_table}
        if clause is not None:
            body["Clause"] = clause
        if max_rows is not None:
            body["MaxRows"] = max_rows
        return _records(self.call("RelationalTables", "Get", body))

    def relational_merge(
        self, id_table: int, records: list[Json], *, options: Mapping[str, Any]
    ) -> Json:
        """``RelationalTables.Merge``: upsert rows of table ``id_table``."""
        body = {"idTable": id_table, "Records": records, "MergeOptions": dict(options)}
        return self.call("RelationalTables", "Merge", body)

    def relational_delete(self, id_table: int, *, clause: Any, max_rows: int) -> int | None:
        """``RelationalTables.Delete``: delete at most ``max_rows`` rows matching ``clause``.

        Returns:
            ``DeletedRecords``, or ``None`` when the answer does not say.
        """
        body = {"idTable": id_table, "Clause": clause, "MaxRows": max_rows}
        return _count(self.call("RelationalTables", "Delete", body), "DeletedRecords")


def _int_or_str(value: int | str) -> int | str:
    text = str(value).strip()
    return int(text) if text.isdigit() else text


def _records(answer: Json) -> list[Json]:
    records = answer.get("Records")
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def _count(answer: Json, key: str) -> int | None:
    try:
        return int(answer[key])
    except (KeyError, TypeError, ValueError):
        return None


def _describe_body(body: Json) -> str:
    parts = [f"{k}={body[k]}" for k in ("idProject", "idTable", "MaxRows") if k in body]
    if isinstance(body.get("Records"), list):
        parts.append(f"{len(body['Records'])} records")
    return ", ".join(parts) or "no parameters"


def _log_retry(name: str) -> Any:
    def before_sleep(state: RetryCallState) -> None:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        log.warning(
            "Dialog Insight %s failed (%s); retrying, attempt %d",
            name,
            getattr(error, "code", None) or type(error).__name__,
            state.attempt_number + 1,
        )

    return before_sleep

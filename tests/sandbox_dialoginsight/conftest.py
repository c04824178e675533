"""Fixtures for the Dialog Insight sandbox tests: plain ``requests`` over real HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from ditoolkit.sandbox.process import SandboxProcess


@dataclass
class DiApi:
    """Raw OFC4 calls to one running DI sandbox (no ditoolkit client code involved)."""

    info: dict[str, Any]
    timeout: float = 30

    @property
    def auth(self) -> dict[str, Any]:
        return {"idKey": self.info["idKey"], "Key": self.info["Key"]}

    @property
    def root(self) -> str:
        return self.info["base_url"].split("/webservices/")[0]

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        """POST ``path`` (``contacts.ashx?method=Get``); the CA is passed per call on purpose:
        a session-level ``verify`` loses to ``REQUESTS_CA_BUNDLE``."""
        return requests.post(
            self.info["base_url"] + path,
            json=body,
            verify=self.info["ca_bundle"],
            timeout=self.timeout,
            **kwargs,
        )

    def call(self, method: str, body: dict[str, Any] | None = None, *, auth: Any = None
             ) -> dict[str, Any]:  # fmt: skip
        """Call ``Service.Method`` with the admin key (or ``auth``); the JSON answer."""
        service, name = method.split(".")
        payload = {"AuthKey": self.auth if auth is None else auth, **(body or {})}
        response = self.post(f"{service.lower()}.ashx?method={name}", payload)
        assert response.status_code == 200, response.text
        return response.json()

    def ok(self, method: str, body: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        answer = self.call(method, body, **kw)
        assert answer["Success"] is True, answer
        return answer

    def admin(self, verb: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            verb, f"{self.root}/__sandbox__/{path}", json=body, verify=self.info["ca_bundle"],
            timeout=self.timeout,
        )  # fmt: skip

    def new_key(self, **settings: Any) -> dict[str, Any]:
        response = self.admin("POST", "keys", settings)
        assert response.status_code == 200, response.text
        return response.json()

    def merge(self, project: int, records: list[dict], **options: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"idProject": project, "Records": records}
        if options:
            body["MergeOptions"] = options
        return self.ok("Contacts.Merge", body)

    def get(self, project: int, clause: Any = None, **extra: Any) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"idProject": project, **extra}
        if clause is not None:
            body["Clause"] = clause
        return list(self.ok("Contacts.Get", body)["Records"])


def clause(field: str, operator: str, value: Any = None) -> dict[str, Any]:
    """A FieldClause as public clients write it."""
    result: dict[str, Any] = {
        "$type": "FieldClause",
        "Field": {"Name": field},
        "TypeOperator": operator,
    }
    if value is not None:
        result["ComparisonValue"] = value
    return result


def by_email(email: str, **data: Any) -> dict[str, Any]:
    """A project-1002 merge record keyed by email."""
    return {"ID": {"key_f_EMail": email}, "Data": {"f_EMail": email, **data}}


@pytest.fixture
def di(sandbox: SandboxProcess) -> Iterator[DiApi]:
    """The shared empty-seed DI sandbox, reset (records, keys, faults, counters) for this test."""
    api = DiApi(sandbox.dialoginsight)
    response = api.admin("POST", "reset", {"data": True})
    assert response.status_code == 200, response.text
    yield api


@pytest.fixture
def demo_di(demo_sandbox: SandboxProcess) -> DiApi:
    """The demo-seed DI sandbox (read only)."""
    return DiApi(demo_sandbox.dialoginsight)

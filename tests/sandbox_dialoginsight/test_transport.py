"""Transport: URL pattern, envelope, call-level failures, HTTP status codes."""

from __future__ import annotations

import json

import pytest
import requests

from tests.sandbox_dialoginsight.conftest import DiApi


def test_envelope_has_success_error_fields_request_id_and_trace(di: DiApi) -> None:
    answer = di.call("Projects.List")
    assert answer["Success"] is True
    assert answer["ErrorCode"] is None and answer["ErrorMessage"] is None
    assert isinstance(answer["idRequest"], int)
    assert "Projects.List" in answer["Trace"]
    assert di.info["Key"] not in json.dumps(answer)


@pytest.mark.parametrize(
    "path",
    ["projects.ashx?method=List", "Projects.ashx?method=list", "PROJECTS.ASHX?Method=LIST"],
)
def test_service_and_method_are_case_insensitive(di: DiApi, path: str) -> None:
    response = di.post(path, {"AuthKey": di.auth})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["Success"] is True


@pytest.mark.parametrize("verb", ["GET", "PUT", "DELETE"])
def test_other_http_methods_get_405(di: DiApi, verb: str) -> None:
    response = requests.request(
        verb, di.info["base_url"] + "contacts.ashx?method=Get", verify=di.info["ca_bundle"]
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_malformed_json_is_a_call_failure(di: DiApi) -> None:
    response = di.post("contacts.ashx?method=Get", data=b'{"AuthKey": {')
    assert response.status_code == 200
    answer = response.json()
    assert answer["Success"] is False and answer["ErrorCode"] == "InvalidRequest"
    assert "JSON" in answer["ErrorMessage"]


def test_body_that_is_not_an_object_is_refused(di: DiApi) -> None:
    answer = di.post("projects.ashx?method=List", [1, 2]).json()
    assert answer["ErrorCode"] == "InvalidRequest"


def test_unknown_method_and_service(di: DiApi) -> None:
    for path in ("contacts.ashx?method=Upsert", "contacts.ashx", "widgets.ashx?method=Get"):
        answer = di.post(path, {"AuthKey": di.auth}).json()
        assert answer["Success"] is False and answer["ErrorCode"] == "UnknownMethod", path


def test_a_path_that_is_not_a_handler_is_404(di: DiApi) -> None:
    response = di.post("contacts?method=Get", {"AuthKey": di.auth})
    assert response.status_code == 404


def test_utf8_bom_and_no_json_content_type_are_accepted(di: DiApi) -> None:
    raw = b"\xef\xbb\xbf" + json.dumps({"AuthKey": di.auth}).encode()
    response = di.post(
        "projects.ashx?method=List", None, data=raw, headers={"Content-Type": "text/plain"}
    )
    assert response.json()["Success"] is True


def test_missing_or_bad_parameters_are_invalid_requests(di: DiApi) -> None:
    assert di.call("Projects.Get")["ErrorCode"] == "InvalidRequest"
    assert di.call("Projects.Get", {"idProject": "abc"})["ErrorCode"] == "InvalidRequest"
    answer = di.call("Contacts.Get", {"idProject": 1002, "MaxRows": 0})
    assert answer["ErrorCode"] == "InvalidRequest"
    answer = di.call("Contacts.Merge", {"idProject": 1002, "Records": {"ID": {}}})
    assert answer["ErrorCode"] == "InvalidRequest"
    answer = di.call("Contacts.Merge", {"idProject": 1002, "Records": [], "MergeOptions": 3})
    assert answer["ErrorCode"] == "InvalidRequest"

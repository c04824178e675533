"""Logging in to the Salesforce sandbox: SOAP, OAuth, sessions, identity, credentials."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.dom import minidom

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession

from tests.sandbox_salesforce.conftest import VERSION, Admin, https_session, login

SOAP = (
    '<?xml version="1.0" encoding="utf-8" ?><env:Envelope '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    'xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>'
    '<n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>{user}</n1:username>'
    "<n1:password>{password}</n1:password></n1:login></env:Body></env:Envelope>"
)


def _soap(info: dict[str, Any], password: str) -> requests.Response:
    return https_session(info).post(
        f"{info['instance_url']}/services/Soap/u/{VERSION}",
        data=SOAP.format(user=info["username"], password=password),
        headers={"Content-Type": "text/xml", "SOAPAction": "login"},
    )


def _token(info: dict[str, Any], **form: str) -> requests.Response:
    return https_session(info).post(f"{info['instance_url']}/services/oauth2/token", data=form)


def test_connection_info_has_every_key(sf_info: dict[str, Any]) -> None:
    assert set(sf_info) == {
        "instance_url",
        "login_url",
        "api_version",
        "username",
        "password",
        "security_token",
        "consumer_key",
        "consumer_secret",
        "private_key_file",
        "ca_bundle",
    }
    assert sf_info["api_version"] == "59.0"
    assert Path(sf_info["private_key_file"]).is_absolute()
    assert sf_info["instance_url"] == sf_info["login_url"]


def test_soap_login_answers_a_full_login_result(sf_info: dict[str, Any]) -> None:
    answer = _soap(sf_info, sf_info["password"] + sf_info["security_token"])
    assert answer.status_code == 200
    doc = minidom.parseString(answer.content)
    values = {
        name: doc.getElementsByTagName(name)[0].firstChild.nodeValue
        for name in ("sessionId", "serverUrl", "userId", "organizationId", "userName")
    }
    assert re.fullmatch(r"00D[A-Za-z0-9]{12}![A-Za-z0-9]+", values["sessionId"])
    assert values["serverUrl"].startswith(sf_info["instance_url"] + "/services/Soap/u/59.0/")
    assert values["userId"].startswith("005") and len(values["userId"]) == 18
    assert values["organizationId"].startswith("00D")
    assert values["userName"] == sf_info["username"]
    for name in ("metadataServerUrl", "passwordExpired", "sandbox", "userEmail"):
        assert doc.getElementsByTagName(name), name


def test_soap_login_without_security_token_is_invalid_login(sf_info: dict[str, Any]) -> None:
    answer = _soap(sf_info, sf_info["password"])
    assert answer.status_code == 500
    assert "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>" in answer.text
    assert "Invalid username, password, security token; or user locked out." in answer.text


def test_simple_salesforce_wrong_password_raises_invalid_login(sf_info: dict[str, Any]) -> None:
    with pytest.raises(SalesforceAuthenticationFailed) as failure:
        login({**sf_info, "password": "wrong"})
    assert failure.value.code == "INVALID_LOGIN"


def test_simple_salesforce_logs_in_and_queries(sf: Salesforce) -> None:
    result = sf.query("SELECT Id, Username FROM User")
    assert result["totalSize"] == 1
    assert sf.session_id.startswith("00D")


def test_oauth_password_grant_returns_a_usable_token(sf_info: dict[str, Any]) -> None:
    answer = _token(
        sf_info,
        grant_type="password",
        client_id=sf_info["consumer_key"],
        client_secret=sf_info["consumer_secret"],
        username=sf_info["username"],
        password=sf_info["password"] + sf_info["security_token"],
    )
    assert answer.status_code == 200
    body = answer.json()
    assert {"access_token", "instance_url", "id", "token_type", "issued_at", "signature"} <= set(
        body
    )
    assert body["token_type"] == "Bearer"
    sf = Salesforce(
        instance_url=body["instance_url"],
        session_id=body["access_token"],
        session=https_session(sf_info),
    )
    assert sf.query("SELECT COUNT() FROM Organization")["totalSize"] == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"password": "nope"}, "invalid_grant"),
        ({"client_id": "nope"}, "invalid_client_id"),
        ({"client_secret": "nope"}, "invalid_client"),
        ({"grant_type": "authorization_code"}, "unsupported_grant_type"),
    ],
)
def test_oauth_errors(sf_info: dict[str, Any], change: dict[str, str], error: str) -> None:
    form = {
        "grant_type": "password",
        "client_id": sf_info["consumer_key"],
        "client_secret": sf_info["consumer_secret"],
        "username": sf_info["username"],
        "password": sf_info["password"] + sf_info["security_token"],
        **change,
    }
    answer = _token(sf_info, **form)
    assert answer.status_code == 400
    assert answer.json()["error"] == error
    assert answer.json()["error_description"]


def test_oauth_client_credentials_through_simple_salesforce(sf_info: dict[str, Any]) -> None:
    host = sf_info["instance_url"].split("://", 1)[1]
    sf = Salesforce(
        consumer_key=sf_info["consumer_key"],
        consumer_secret=sf_info["consumer_secret"],
        domain=f"{host}/services/oauth2/token?d=",
        session=https_session(sf_info),
    )
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1


def test_invalid_token_is_401_with_a_json_list(sf_info: dict[str, Any]) -> None:
    http = https_session(sf_info)
    answer = http.get(
        f"{sf_info['instance_url']}/services/data/v59.0/limits",
        headers={"Authorization": "Bearer 00D000000000000!nope"},
    )
    assert answer.status_code == 401
    assert answer.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    assert answer.headers["Content-Type"] == "application/json;charset=UTF-8"


def test_session_expiry_makes_simple_salesforce_log_in_again(
    sf: Salesforce, admin: Admin, sf_info: dict[str, Any]
) -> None:
    first = sf.session_id
    admin.faults(session_expiry_after=1)
    sf.query("SELECT Id FROM User")  # the allowed call
    assert sf.query("SELECT Id FROM User")["totalSize"] == 1  # 401, re-login, retry
    assert sf.session_id != first
    direct = Salesforce(
        instance_url=sf_info["instance_url"], session_id=first, session=https_session(sf_info)
    )
    with pytest.raises(SalesforceExpiredSession):
        direct.query("SELECT Id FROM User")


def test_userinfo_and_identity_url(sf: Salesforce, sf_info: dict[str, Any]) -> None:
    http = https_session(sf_info)
    http.headers["Authorization"] = f"Bearer {sf.session_id}"
    info = http.get(f"{sf_info['instance_url']}/services/oauth2/userinfo").json()
    assert info["user_id"].startswith("005") and info["organization_id"].startswith("00D")
    identity = http.get(f"{sf_info['instance_url']}/id/{info['organization_id']}/{info['user_id']}")
    assert identity.json()["username"] == sf_info["username"]
    user = sf.User.get(info["user_id"])
    assert user["Username"] == sf_info["username"] and user["Name"] == "Sandbox Analyst"
    org = sf.query(
        "SELECT Id, Name, InstanceName, IsSandbox, TrialExpirationDate, "
        "NamespacePrefix, OrganizationType FROM Organization"
    )
    assert org["records"][0]["Id"] == info["organization_id"]
    assert sf.is_sandbox() is True


def test_chunked_request_body_is_accepted(sf: Salesforce, sf_info: dict[str, Any]) -> None:
    http = https_session(sf_info)
    chunks = (part for part in (b'{"LastName": ', b'"Chunked"}'))
    answer = http.post(
        f"{sf_info['instance_url']}/services/data/v59.0/sobjects/Contact",
        data=chunks,
        headers={"Authorization": f"Bearer {sf.session_id}", "Content-Type": "application/json"},
    )
    assert answer.request.headers.get("Transfer-Encoding") == "chunked"
    assert answer.status_code == 201, answer.text


def test_credentials_and_records_survive_a_restart(tmp_path: Any) -> None:
    from ditoolkit.sandbox.process import start_sandbox

    with start_sandbox(tmp_path, seed="empty") as first:
        info = first.salesforce
        created = login(info).Contact.create({"LastName": "Kept"})["id"]
    with start_sandbox(tmp_path, seed="empty") as second:
        again = second.salesforce
        assert {k: again[k] for k in ("username", "password", "security_token")} == {
            k: info[k] for k in ("username", "password", "security_token")
        }
        assert login(again).Contact.get(created)["LastName"] == "Kept"

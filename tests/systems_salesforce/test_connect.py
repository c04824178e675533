from __future__ import annotations

import logging

import pytest

from ditoolkit.errors import AuthError, ConfigError
from ditoolkit.systems.salesforce import SalesforceSystem


def test_soap_login_with_password_and_token(sf_info, admin, connect) -> None:
    system = connect(sf_info)
    assert system.describe("Contact").name == "Contact"


def test_oauth_password_grant(sf_info, admin, connect) -> None:
    system = SalesforceSystem.connect(
        auth="oauth_password",
        username=sf_info["username"],
        password=sf_info["password"],
        security_token=sf_info["security_token"],
        consumer_key=sf_info["consumer_key"],
        consumer_secret=sf_info["consumer_secret"],
        login_url=sf_info["login_url"],
        ca_bundle=sf_info["ca_bundle"],
    )
    assert "Lead" in system.tables()


def test_oauth_client_credentials(sf_info, admin, connect) -> None:
    system = SalesforceSystem.connect(
        auth="client_credentials",
        consumer_key=sf_info["consumer_key"],
        consumer_secret=sf_info["consumer_secret"],
        login_url=sf_info["login_url"],
        ca_bundle=sf_info["ca_bundle"],
    )
    assert system.count("Account") == 0


def test_existing_session_id(sf_info, admin, connect) -> None:
    first = connect(sf_info)
    reused = SalesforceSystem.connect(
        session_id=first.sf.session_id,
        instance_url=sf_info["instance_url"],
        ca_bundle=sf_info["ca_bundle"],
    )
    assert reused.describe("Lead").field("Status").restricted


def test_wrong_password_is_refused_without_showing_it(sf_info, admin, connect, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as info:
        connect({**sf_info, "password": "not-the-password-xyz"})
    assert "not-the-password-xyz" not in str(info.value) + caplog.text
    assert sf_info["security_token"] not in str(info.value) + caplog.text
    assert info.value.code == "INVALID_LOGIN"


def test_incomplete_settings_say_what_is_missing() -> None:
    with pytest.raises(ConfigError, match="username \\+ password"):
        SalesforceSystem.connect(username="someone")


def test_ca_bundle_wins_over_exported_requests_ca_bundle(
    sf_info, admin, connect, monkeypatch, tmp_path
) -> None:
    bogus = tmp_path / "other-ca.pem"
    bogus.write_text("not a certificate\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bogus))
    assert connect(sf_info).count("Contact") == 0


def test_session_expiry_is_refreshed_transparently(sf_info, admin, connect) -> None:
    system = connect(sf_info)
    admin.faults(session_expiry_after=1)
    system.count("Contact")
    assert system.count("Lead") == 0  # the second call met an expired session and logged in again


def test_jwt_bearer_with_the_connected_apps_key(sf_info, admin) -> None:
    system = SalesforceSystem.connect(
        auth="jwt",
        username=sf_info["username"],
        consumer_key=sf_info["consumer_key"],
        private_key_file=sf_info["private_key_file"],
        login_url=sf_info["login_url"],
        ca_bundle=sf_info["ca_bundle"],
    )
    assert system.count("Contact") == 0


def test_jwt_signed_by_another_key_is_refused(sf_info, admin, tmp_path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = tmp_path / "other.pem"
    other.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(AuthError) as info:
        SalesforceSystem.connect(
            auth="jwt",
            username=sf_info["username"],
            consumer_key=sf_info["consumer_key"],
            private_key_file=str(other),
            login_url=sf_info["login_url"],
            ca_bundle=sf_info["ca_bundle"],
        )
    assert info.value.code == "invalid_grant"


def test_sandbox_profile_with_a_wrong_password_is_refused(sf_sandbox, admin, monkeypatch) -> None:
    import ditoolkit as dtk

    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(sf_sandbox.data_dir))
    assert dtk.connect_salesforce(profile="sandbox").count("Lead") == 0
    with pytest.raises(AuthError):
        dtk.connect_salesforce(profile="sandbox", password="wrong-password-x")


def test_a_server_that_stops_answering_times_out_with_a_clear_error(
    sf_info, admin, connect
) -> None:
    from ditoolkit.errors import RetriableError

    system = connect(sf_info, timeout=(5, 0.3))
    system.describe("Contact")
    admin.faults(latency_ms=1500)
    with pytest.raises(RetriableError, match="count Contact: connection problem"):
        system.count("Contact")

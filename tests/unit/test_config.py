"""Connection settings: each source alone, precedence between sources, errors that help."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from ditoolkit.config import (
    DialogInsightSettings,
    ditoolkit_home,
    resolve_dialoginsight,
    resolve_salesforce,
    settings_source_report,
)
from ditoolkit.errors import ConfigError
from ditoolkit.secrets import Secret

SECRET = "s3cr3t-Value-9f2"


class FakeKeyring(KeyringBackend):
    """An in-memory keyring backend, installed with keyring's own ``set_keyring``."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("DITOOLKIT_"):
            monkeypatch.delenv(name)
    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def fake_keyring() -> Any:
    previous = keyring.get_keyring()
    backend = FakeKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def write_toml(folder: Path, text: str) -> Path:
    path = folder / "ditoolkit.toml"
    path.write_text(text, encoding="utf-8")
    return path


PROD = """
[profiles.prod.salesforce]
username = "toml-user"
password = "toml-password"
login_url = "https://login.example.test"
ca_bundle = "certs/ca.pem"

[profiles.prod.dialoginsight]
region = "fr"
id_key = 77
key = "toml-key"
projects = [{idProject = 1001, name = "Communications", type = "A"}]
tables = [{idTable = 2001, code = "Purchases", idProject = 1001}]

[profiles.staging.salesforce]
username = "staging-user"
password = {keyring = "ditoolkit", username = "staging-sf-password"}
"""


def write_sandbox(folder: Path) -> Path:
    folder.mkdir(parents=True)
    info = {
        "salesforce": {
            "instance_url": "https://127.0.0.1:1111",
            "login_url": "https://127.0.0.1:1111",
            "api_version": "59.0",
            "username": "sandbox-user",
            "password": "sandbox-password",
            "security_token": "sandbox-token",
            "consumer_key": "sandbox-ck",
            "consumer_secret": "sandbox-cs",
            "ca_bundle": str(folder / "ca.pem"),
        },
        "dialoginsight": {
            "base_url": "https://127.0.0.1:2222/webservices/ofc4/",
            "idKey": 1,
            "Key": "sandbox-key",
            "ca_bundle": str(folder / "ca.pem"),
            "projects": [
                {"idProject": 1001, "name": "Communications", "type": "A"},
                {"idProject": 1002, "name": "Acquisition", "type": "B"},
            ],
            "tables": [{"idTable": 2001, "code": "Purchases", "idProject": 1001}],
        },
    }
    (folder / "sandbox.json").write_text(json.dumps(info), encoding="utf-8")
    return folder


# --- each source alone -------------------------------------------------------------------


def test_explicit_arguments_alone() -> None:
    settings = resolve_salesforce(username="arg-user", password=SECRET, security_token="tok")
    assert settings.username == "arg-user"
    assert isinstance(settings.password, Secret)
    assert settings.password.reveal() == SECRET
    assert settings.auth == "password"
    assert settings.sources["username"] == "argument"
    assert settings.sources["api_version"] == "default"


def test_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DITOOLKIT_SF_SESSION_ID", SECRET)
    monkeypatch.setenv("DITOOLKIT_SF_INSTANCE_URL", "https://org.example.test")
    monkeypatch.setenv("DITOOLKIT_SF_API_VERSION", "v60.0")
    settings = resolve_salesforce()
    assert settings.auth == "session"
    assert settings.session_id == Secret(SECRET)
    assert settings.api_version == "60.0"
    assert settings.sources["instance_url"] == "env DITOOLKIT_SF_INSTANCE_URL"
    assert settings.sources["auth"].startswith("inferred")


def test_profile_alone_resolves_relative_paths_from_the_file(clean_env: Path) -> None:
    path = write_toml(clean_env, PROD)
    settings = resolve_salesforce("prod")
    assert settings.username == "toml-user"
    assert settings.ca_bundle == str(clean_env / "certs" / "ca.pem")
    assert (
        settings.sources["username"] == f"ditoolkit.toml {path} [profiles.prod.salesforce].username"
    )
    di = resolve_dialoginsight("prod")
    assert di.base_url == "https://app.mydialoginsight.com/webservices/ofc4/"
    assert di.sources["base_url"] == "region fr"
    assert di.id_key == 77
    assert di.project(1001) is not None and di.project(1001).type == "A"  # type: ignore[union-attr]
    assert di.tables[0].code == "Purchases"


def test_profile_file_is_found_walking_up_from_a_subfolder(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_toml(clean_env, PROD)
    (clean_env / "notebooks").mkdir()
    monkeypatch.chdir(clean_env / "notebooks")
    assert resolve_salesforce("prod").username == "toml-user"


def test_config_file_named_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("DITOOLKIT_CONFIG", str(write_toml(elsewhere, PROD)))
    assert resolve_salesforce("prod").username == "toml-user"
    monkeypatch.setenv("DITOOLKIT_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="DITOOLKIT_CONFIG names .*missing.toml"):
        resolve_salesforce("prod")


def test_sandbox_alone_found_from_notebooks_folder(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_sandbox(clean_env / ".ditoolkit" / "sandbox")
    (clean_env / "notebooks").mkdir()
    monkeypatch.chdir(clean_env / "notebooks")
    sf = resolve_salesforce("sandbox")
    assert sf.username == "sandbox-user"
    assert sf.auth == "oauth_password"
    assert sf.ca_bundle == str(folder / "ca.pem")
    di = resolve_dialoginsight("sandbox")
    assert di.id_key == 1
    assert di.key == Secret("sandbox-key")
    assert [p.type for p in di.projects] == ["A", "B"]
    assert di.sources["key"] == f"sandbox {folder / 'sandbox.json'}"


def test_sandbox_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_sandbox(tmp_path / "sb")
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(folder))
    assert resolve_dialoginsight("sandbox").base_url.startswith("https://127.0.0.1:2222/")


def test_answer_size_bounds_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(write_sandbox(tmp_path / "sb")))
    monkeypatch.setenv("DITOOLKIT_SF_MAX_RESPONSE_MB", "256")
    monkeypatch.setenv("DITOOLKIT_SF_MAX_CSV_RESPONSE_MB", "2048.5")
    monkeypatch.setenv("DITOOLKIT_DI_MAX_RESPONSE_MB", "0.5")
    sf = resolve_salesforce("sandbox")
    assert (sf.max_response_mb, sf.max_csv_response_mb) == (256.0, 2048.5)
    assert sf.sources["max_response_mb"] == "env DITOOLKIT_SF_MAX_RESPONSE_MB"
    assert resolve_dialoginsight("sandbox").max_response_mb == 0.5
    monkeypatch.delenv("DITOOLKIT_SF_MAX_RESPONSE_MB")
    assert resolve_salesforce("sandbox").max_response_mb is None  # the adapter's default


@pytest.mark.parametrize("value", ["lots", "0", "-5", "nan"])
def test_an_answer_size_bound_that_is_not_a_positive_number_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DITOOLKIT_SANDBOX_DIR", str(write_sandbox(tmp_path / "sb")))
    monkeypatch.setenv("DITOOLKIT_DI_MAX_RESPONSE_MB", value)
    with pytest.raises(ConfigError, match="DITOOLKIT_DI_MAX_RESPONSE_MB") as info:
        resolve_dialoginsight("sandbox")
    assert "positive number" in str(info.value) and repr(value) in str(info.value)


# --- precedence between each pair --------------------------------------------------------


def test_argument_beats_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DITOOLKIT_SF_USERNAME", "env-user")
    monkeypatch.setenv("DITOOLKIT_SF_PASSWORD", "env-password")
    settings = resolve_salesforce(username="arg-user")
    assert settings.username == "arg-user"
    assert settings.password == Secret("env-password")


def test_environment_beats_profile(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_toml(clean_env, PROD)
    monkeypatch.setenv("DITOOLKIT_SF_USERNAME", "env-user")
    settings = resolve_salesforce("prod")
    assert settings.username == "env-user"
    assert settings.password == Secret("toml-password")


def test_profile_beats_sandbox(clean_env: Path) -> None:
    write_sandbox(clean_env / ".ditoolkit" / "sandbox")
    write_toml(clean_env, '[profiles.sandbox.salesforce]\nusername = "toml-user"\n')
    settings = resolve_salesforce("sandbox")
    assert settings.username == "toml-user"
    assert settings.password == Secret("sandbox-password")


def test_argument_beats_sandbox_and_environment_beats_sandbox(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_sandbox(clean_env / ".ditoolkit" / "sandbox")
    monkeypatch.setenv("DITOOLKIT_DI_ID_KEY", "5")
    di = resolve_dialoginsight("sandbox", key="arg-key")
    assert (di.id_key, di.key) == (5, Secret("arg-key"))
    assert di.sources["id_key"] == "env DITOOLKIT_DI_ID_KEY"


def test_profile_from_environment_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_toml(clean_env, PROD)
    monkeypatch.setenv("DITOOLKIT_PROFILE", "prod")
    assert resolve_salesforce().profile == "prod"


# --- secrets from the keyring and from other variables -----------------------------------


def test_secret_from_keyring(clean_env: Path, fake_keyring: FakeKeyring) -> None:
    write_toml(clean_env, PROD)
    fake_keyring.set_password("ditoolkit", "staging-sf-password", SECRET)
    settings = resolve_salesforce("staging")
    assert settings.password == Secret(SECRET)
    assert settings.sources["password"] == "keyring ditoolkit/staging-sf-password"


def test_keyring_default_username_is_the_setting_name(
    clean_env: Path, fake_keyring: FakeKeyring
) -> None:
    write_toml(
        clean_env,
        '[profiles.p.dialoginsight]\nregion = "ca"\nid_key = 3\nkey = {keyring = "di-prod"}\n',
    )
    fake_keyring.set_password("di-prod", "key", SECRET)
    assert resolve_dialoginsight("p").key == Secret(SECRET)


def test_secret_from_named_environment_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_toml(
        clean_env, '[profiles.p.salesforce]\nusername = "u"\npassword = {env = "MY_SF_PASSWORD"}\n'
    )
    monkeypatch.setenv("MY_SF_PASSWORD", SECRET)
    settings = resolve_salesforce("p")
    assert settings.password == Secret(SECRET)
    assert settings.sources["password"].startswith("env MY_SF_PASSWORD (named by ditoolkit.toml")


# --- errors ------------------------------------------------------------------------------


def test_missing_setting_lists_every_place_tried_in_order(
    clean_env: Path, fake_keyring: FakeKeyring
) -> None:
    path = write_toml(clean_env, PROD)
    with pytest.raises(ConfigError) as info:
        resolve_salesforce("staging")
    message = str(info.value)
    expected = (
        "'password' (tried, in order: argument password, env DITOOLKIT_SF_PASSWORD, "
        f"ditoolkit.toml {path} [profiles.staging.salesforce].password, "
        "keyring ditoolkit/staging-sf-password)"
    )
    assert expected in message
    assert "set DITOOLKIT_SF_PASSWORD" in message  # what to do


def test_missing_sandbox_says_how_to_start_it() -> None:
    with pytest.raises(ConfigError, match=r"sandbox.json \(not running\)") as info:
        resolve_dialoginsight("sandbox")
    assert "python -m ditoolkit sandbox start" in str(info.value)


def test_missing_by_auth_mode() -> None:
    with pytest.raises(ConfigError, match="for auth 'jwt': 'username'.*'private_key_file'"):
        resolve_salesforce(auth="jwt", consumer_key="ck")
    with pytest.raises(ConfigError, match="'login_url'"):
        resolve_salesforce(consumer_key="ck", consumer_secret="cs")


def test_unknown_profile_lists_known_ones(clean_env: Path) -> None:
    write_toml(clean_env, PROD)
    with pytest.raises(
        ConfigError, match="unknown profile 'prdo'.*known profiles: prod, staging, sandbox"
    ):
        resolve_salesforce("prdo")


def test_invalid_values_name_their_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DITOOLKIT_DI_ID_KEY", "seven")
    with pytest.raises(ConfigError, match="id_key from env DITOOLKIT_DI_ID_KEY must be a whole"):
        resolve_dialoginsight(key="k", region="ca")
    with pytest.raises(ConfigError, match="region 'us' from argument is unknown"):
        resolve_dialoginsight(key="k", id_key=1, region="us")
    with pytest.raises(ConfigError, match="auth 'saml' from argument"):
        resolve_salesforce(auth="saml", username="u", password="p")
    with pytest.raises(ConfigError, match="unknown Salesforce setting.*passwd"):
        resolve_salesforce(passwd="p")


def test_keyring_missing_backend_is_a_config_error(
    clean_env: Path, fake_keyring: FakeKeyring
) -> None:
    from keyring.backends.fail import Keyring as FailKeyring

    keyring.set_keyring(FailKeyring())
    write_toml(clean_env, PROD)
    with pytest.raises(
        ConfigError, match="OS keyring could not read ditoolkit/staging-sf-password"
    ):
        resolve_salesforce("staging")


def test_broken_toml_names_the_file(clean_env: Path) -> None:
    write_toml(clean_env, "[profiles.prod\n")
    with pytest.raises(ConfigError, match="ditoolkit.toml is not valid TOML"):
        resolve_salesforce("prod")


# --- secrets never show ------------------------------------------------------------------


def test_secrets_never_in_repr_report_logs_or_errors(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("DITOOLKIT_SF_PASSWORD", SECRET)
    settings = resolve_salesforce(username="u", security_token=SECRET, consumer_secret=SECRET)
    di = resolve_dialoginsight(key=SECRET, id_key=1, base_url="https://di.example.test")
    shown = [
        repr(settings),
        str(settings),
        repr(di),
        f"{di}",
        str(settings_source_report(settings)),
    ]
    shown.append(str(settings_source_report(di)))
    with pytest.raises(ConfigError) as info:
        resolve_dialoginsight(key=SECRET, id_key="x", region="ca")
    shown.append(str(info.value))
    with pytest.raises(ConfigError) as info:
        resolve_salesforce(auth="jwt", password=SECRET)
    shown.append(str(info.value))
    shown.append(caplog.text)
    assert caplog.records, "resolution logs where values came from"
    for text in shown:
        assert SECRET not in text
    report = {row["setting"]: row for row in settings_source_report(settings)}
    assert report["password"] == {
        "setting": "password",
        "value": "***",
        "source": "env DITOOLKIT_SF_PASSWORD",
    }
    assert report["username"]["value"] == "u"
    assert isinstance(di, DialogInsightSettings) and di.base_url.endswith("/")


def test_ditoolkit_home(clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ditoolkit_home() == clean_env / ".ditoolkit"
    assert not (clean_env / ".ditoolkit").exists()
    monkeypatch.setenv("DITOOLKIT_HOME", str(tmp_path / "state"))
    assert ditoolkit_home() == tmp_path / "state"


def test_projects_and_tables_given_as_objects_or_mappings() -> None:
    from ditoolkit.config import DIProject, DITable

    di = resolve_dialoginsight(
        key="k",
        id_key=1,
        region="ca",
        projects=[DIProject(1001, "Communications", "A"), {"id": 1002, "type": "b"}],
        tables=[DITable(2001, "Purchases", 1001)],
    )
    assert [(p.id, p.type) for p in di.projects] == [(1001, "A"), (1002, "B")]
    assert di.tables[0].code == "Purchases"
    with pytest.raises(ConfigError, match="projects from argument must be a list"):
        resolve_dialoginsight(key="k", id_key=1, region="ca", projects=[{"name": "x"}])


def test_import_reads_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import ditoolkit.config.resolve as resolve_module
    import ditoolkit.config.sources as sources_module

    monkeypatch.setenv("DITOOLKIT_CONFIG", str(tmp_path / "missing.toml"))
    importlib.reload(sources_module)
    importlib.reload(resolve_module)  # a missing config file only matters when resolving
    with pytest.raises(ConfigError, match="missing.toml"):
        resolve_module.resolve_salesforce("prod")

"""Salesforce settings, OAuth logins, session renewal and the failures that go back to the outbox."""

from __future__ import annotations

from urllib.parse import parse_qs

import jwt
import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from swarms.case_systems.salesforce import SalesforceCaseSystem
from swarms.settings import SettingsError
from swarms.vendor_settings import salesforce_from_env
from tests.case_systems.conftest import DATA, INSTANCE, add_token, never_sleep
from vendor_clients.errors import VendorAuthError, VendorUnavailable

CLIENT_CREDENTIALS = {
    "SALESFORCE_CLIENT_ID": "3MVG9-client",
    "SALESFORCE_CLIENT_SECRET": "s3cr3t-value",
    "SALESFORCE_LOGIN_URL": INSTANCE,
}
QUERY = f"{DATA}/query"


def _form(call) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


def test_client_credentials_are_chosen_when_only_id_and_secret_are_set():
    config = salesforce_from_env(CLIENT_CREDENTIALS)
    assert config.auth_mode == "client_credentials"
    assert config.token_url == f"{INSTANCE}/services/oauth2/token"
    assert (config.api_version, config.note_target, config.product_field) == ("61.0", "case_comment", "Product__c")


def test_client_credentials_on_the_generic_login_host_ask_for_the_my_domain_url():
    env = dict(CLIENT_CREDENTIALS, SALESFORCE_LOGIN_URL="https://login.salesforce.com")
    with pytest.raises(SettingsError) as error:
        salesforce_from_env(env)
    assert error.value.name == "SALESFORCE_LOGIN_URL"
    env["SALESFORCE_INSTANCE_URL"] = INSTANCE
    assert salesforce_from_env(env).token_url == f"{INSTANCE}/services/oauth2/token"


def test_a_missing_combination_names_the_variables_needed():
    with pytest.raises(SettingsError) as error:
        salesforce_from_env({"SALESFORCE_CLIENT_ID": "id"})
    assert "SALESFORCE_CLIENT_SECRET" in str(error.value) and "SALESFORCE_PRIVATE_KEY_FILE" in str(error.value)
    with pytest.raises(SettingsError, match="SALESFORCE_USERNAME"):
        salesforce_from_env({"SALESFORCE_CLIENT_ID": "id", "SALESFORCE_PRIVATE_KEY_FILE": "/k.pem"})
    with pytest.raises(SettingsError, match="SALESFORCE_PRIVATE_KEY_FILE"):
        salesforce_from_env(
            {"SALESFORCE_CLIENT_ID": "i", "SALESFORCE_USERNAME": "u", "SALESFORCE_PRIVATE_KEY_FILE": "/nope.pem"}
        )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SALESFORCE_PRODUCT_FIELD", "Product__c FROM Case--"),
        ("SALESFORCE_API_VERSION", "sixty"),
        ("SALESFORCE_NOTE_TARGET", "email"),
        ("SALESFORCE_TIMEOUT", "0"),
        ("SALESFORCE_LOGIN_URL", "http://login.example.com"),
    ],
)
def test_malformed_settings_are_refused_by_name(name, value):
    with pytest.raises(SettingsError) as error:
        salesforce_from_env(dict(CLIENT_CREDENTIALS, **{name: value}))
    assert error.value.name == name


def test_secrets_never_show_in_repr():
    env = dict(
        CLIENT_CREDENTIALS, SALESFORCE_USERNAME="u", SALESFORCE_PASSWORD="pw-9981", SALESFORCE_SECURITY_TOKEN="tk-77"
    )
    text = repr(salesforce_from_env(env))
    assert "s3cr3t-value" not in text and "pw-9981" not in text and "tk-77" not in text


def test_jwt_bearer_login_posts_an_rs256_assertion_signed_with_the_private_key(tmp_path, http, sf_samples):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "server.key"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    config = salesforce_from_env(
        {
            "SALESFORCE_CLIENT_ID": "3MVG9-client",
            "SALESFORCE_USERNAME": "swarm@acme.com",
            "SALESFORCE_PRIVATE_KEY_FILE": str(pem),
        }
    )
    assert config.auth_mode == "jwt"
    body = dict(sf_samples["oauth_token"]["response"]["body"], instance_url=INSTANCE)
    token_call = http.add(responses.POST, "https://login.salesforce.com/services/oauth2/token", json=body)

    assert SalesforceCaseSystem(config).rest.login() == INSTANCE

    form = _form(token_call.calls[0])
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = jwt.decode(
        form["assertion"], key.public_key(), algorithms=["RS256"], audience="https://login.salesforce.com"
    )
    assert (claims["iss"], claims["sub"]) == ("3MVG9-client", "swarm@acme.com")


def test_client_credentials_login_posts_the_client_id_and_secret(http, sf_samples, sf_config):
    add_token(http, sf_samples)
    SalesforceCaseSystem(sf_config).rest.login()
    form = _form(http.calls[0])
    assert form == {"grant_type": "client_credentials", "client_id": "cid", "client_secret": "top-secret"}


def test_a_refused_login_is_an_auth_error_without_the_secret(http, sf_config):
    http.add(
        responses.POST,
        f"{INSTANCE}/services/oauth2/token",
        status=400,
        json={"error": "invalid_client", "error_description": "invalid client credentials"},
    )
    with pytest.raises(VendorAuthError) as error:
        SalesforceCaseSystem(sf_config).rest.login()
    assert "invalid_client" in str(error.value) and "top-secret" not in str(error.value)


def test_an_expired_session_is_renewed_and_the_call_retried_once(http, sf_samples, sf_config):
    add_token(http, sf_samples, token="00D!old")
    add_token(http, sf_samples, token="00D!new")
    expired = sf_samples["error_session_expired"]["response"]
    http.add(responses.GET, QUERY, status=401, json=expired["body"])
    http.add(responses.GET, QUERY, json=sf_samples["query_no_rows"]["response"]["body"])
    system = SalesforceCaseSystem(sf_config, sleep=never_sleep)

    assert system.rest.query_all("SELECT Id FROM Case") == []
    auths = [call.request.headers.get("Authorization") for call in http.calls if "/query" in call.request.url]
    assert auths == ["Bearer 00D!old", "Bearer 00D!new"]
    assert system.api_calls == 2


def test_a_second_401_after_renewal_is_an_auth_error(http, sf_samples, sf_config):
    add_token(http, sf_samples)
    http.add(responses.GET, QUERY, status=401, json=sf_samples["error_session_expired"]["response"]["body"])
    with pytest.raises(VendorAuthError):
        SalesforceCaseSystem(sf_config, sleep=never_sleep).rest.query_all("SELECT Id FROM Case")
    assert len([call for call in http.calls if "/query" in call.request.url]) == 2


def test_request_limit_exceeded_makes_the_system_unavailable_and_stops_calling(http, salesforce, sf_samples):
    limit = sf_samples["error_request_limit"]["response"]
    http.add(
        responses.GET, QUERY, status=403, json=limit["body"], headers={"Sforce-Limit-Info": "api-usage=15000/15000"}
    )
    with pytest.raises(VendorUnavailable) as first:
        salesforce.rest.query_all("SELECT Id FROM Case")
    assert first.value.retry_after and first.value.retry_after >= 60
    assert salesforce.rest.api_usage == (15000, 15000)
    with pytest.raises(VendorUnavailable):
        salesforce.rest.query_all("SELECT Id FROM Case")
    assert salesforce.api_calls == 1  # the second call never left: it would only burn the limit


def test_the_limit_block_lifts_when_the_clock_moves_on(http, sf_samples, sf_config):
    now = [1000.0]
    add_token(http, sf_samples)
    http.add(responses.GET, QUERY, status=403, json=sf_samples["error_request_limit"]["response"]["body"])
    http.add(responses.GET, QUERY, json=sf_samples["query_no_rows"]["response"]["body"])
    system = SalesforceCaseSystem(sf_config, clock=lambda: now[0], sleep=never_sleep)
    with pytest.raises(VendorUnavailable):
        system.rest.query_all("SELECT Id FROM Case")
    now[0] += 3600
    assert system.rest.query_all("SELECT Id FROM Case") == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_unavailable_with_retry_after_when_given(http, salesforce, status):
    http.add(responses.GET, QUERY, status=status, body="down", headers={"Retry-After": "42"})
    with pytest.raises(VendorUnavailable) as error:
        salesforce.rest.query_all("SELECT Id FROM Case")
    assert error.value.retry_after == 42


def test_a_time_out_is_unavailable_not_a_crash(http, salesforce):
    http.add(responses.GET, QUERY, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(VendorUnavailable, match="did not answer in time"):
        salesforce.rest.query_all("SELECT Id FROM Case")


def test_limit_info_is_read_from_every_answer(http, salesforce, sf_samples):
    http.add(
        responses.GET,
        QUERY,
        json=sf_samples["query_no_rows"]["response"]["body"],
        headers={"Sforce-Limit-Info": "api-usage=18/5000"},
    )
    salesforce.rest.query_all("SELECT Id FROM Case")
    assert salesforce.rest.api_usage == (18, 5000)

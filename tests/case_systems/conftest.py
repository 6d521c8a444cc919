"""Fixtures for the case-system adapters: the project's payloads (tests/fixtures) and a mocked HTTP layer."""

from __future__ import annotations

import pytest
import responses

from swarms.case_systems.salesforce import SalesforceCaseSystem
from tests.fixtures import payloads
from vendor_clients.salesforce import SalesforceConfig

INSTANCE = "https://example.my.salesforce.com"
DATA = f"{INSTANCE}/services/data/v61.0"
CASE_ID = "5005g00000AbCdEAAV"


@pytest.fixture(scope="session")
def sf_samples() -> dict:
    return payloads("salesforce/rest_samples.json")


@pytest.fixture(scope="session")
def zd_samples() -> dict:
    return payloads("zendesk/rest_samples.json")


@pytest.fixture(scope="session")
def zd_errors() -> dict:
    return payloads("zendesk/errors.json")


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def add_token(http: responses.RequestsMock, sf_samples: dict, *, token: str = "00D!first") -> None:
    body = dict(sf_samples["oauth_token"]["response"]["body"], access_token=token)
    http.add(responses.POST, f"{INSTANCE}/services/oauth2/token", json=body)


def never_sleep(seconds: float) -> None:
    raise AssertionError(f"the adapter must not sleep (asked for {seconds} s)")


@pytest.fixture
def sf_config() -> SalesforceConfig:
    return SalesforceConfig(client_id="cid", client_secret="top-secret", login_url=INSTANCE)


@pytest.fixture
def salesforce(http, sf_samples, sf_config) -> SalesforceCaseSystem:
    add_token(http, sf_samples)
    return SalesforceCaseSystem(sf_config, sleep=never_sleep)

"""Fixtures for the case-system adapters: the shared reference payloads and a mocked HTTP layer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from swarms.case_systems.salesforce import SalesforceCaseSystem
from swarms.case_systems.salesforce_auth import SalesforceConfig

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
INSTANCE = "https://example.my.salesforce.com"
DATA = f"{INSTANCE}/services/data/v61.0"
CASE_ID = "5005g00000AbCdEAAV"


def load(relative: str) -> dict:
    """The shared payloads, read in place; without ../shared beside the checkout these tests skip."""
    if not (REFERENCE / relative).is_file():
        pytest.skip("../shared/reference is not beside the checkout")
    return json.loads((REFERENCE / relative).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sf_ref() -> dict:
    return load("salesforce/rest_samples.json")


@pytest.fixture(scope="session")
def zd_ref() -> dict:
    return load("zendesk/rest_samples.json")


@pytest.fixture(scope="session")
def zd_errors() -> dict:
    return load("zendesk/errors.json")


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def add_token(http: responses.RequestsMock, sf_ref: dict, *, token: str = "00D!first") -> None:
    body = dict(sf_ref["oauth_token"]["response"]["body"], access_token=token)
    http.add(responses.POST, f"{INSTANCE}/services/oauth2/token", json=body)


def never_sleep(seconds: float) -> None:
    raise AssertionError(f"the adapter must not sleep (asked for {seconds} s)")


@pytest.fixture
def sf_config() -> SalesforceConfig:
    return SalesforceConfig(client_id="cid", client_secret="top-secret", login_url=INSTANCE)


@pytest.fixture
def salesforce(http, sf_ref, sf_config) -> SalesforceCaseSystem:
    add_token(http, sf_ref)
    return SalesforceCaseSystem(sf_config, sleep=never_sleep)

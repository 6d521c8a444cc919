"""The SALESFORCE_* and ZENDESK_* sections of `Settings`: the vendor clients' configs, read and checked here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from swarms.settings import SettingsReader
from vendor_clients.errors import IncompleteConfig
from vendor_clients.salesforce import DEFAULT_LOGIN_URL, NOTE_TARGETS, SalesforceConfig
from vendor_clients.zendesk import DIGITS, ZendeskConfig

HTTPS_URL = "an https:// URL"
NUMERIC_ID = "a numeric id"
_FIELD_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$")
_OBJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def read_salesforce(reader: SettingsReader) -> SalesforceConfig:
    """The SALESFORCE_* section of `Settings`; every bad value is noted on the reader."""
    config = SalesforceConfig(
        client_id=reader.text("SALESFORCE_CLIENT_ID"),
        client_secret=reader.text("SALESFORCE_CLIENT_SECRET"),
        username=reader.text("SALESFORCE_USERNAME"),
        private_key_file=reader.text("SALESFORCE_PRIVATE_KEY_FILE"),
        password=reader.text("SALESFORCE_PASSWORD"),
        security_token=reader.text("SALESFORCE_SECURITY_TOKEN"),
        login_url=reader.parsed("SALESFORCE_LOGIN_URL", DEFAULT_LOGIN_URL, _url, HTTPS_URL),
        instance_url=reader.parsed("SALESFORCE_INSTANCE_URL", "", _url, HTTPS_URL),
        api_version=reader.parsed("SALESFORCE_API_VERSION", "61.0", _version, "a version like 61.0"),
        note_target=reader.choice("SALESFORCE_NOTE_TARGET", "case_comment", NOTE_TARGETS),
        product_field=reader.parsed("SALESFORCE_PRODUCT_FIELD", "Product__c", _field_path,
                                    "an API field name like Product__c or Product__r.Name"),
        knowledge_object=reader.parsed("SALESFORCE_KNOWLEDGE_OBJECT", "Knowledge__kav", _object,
                                       "an object API name like Knowledge__kav"),
        knowledge_body_field=reader.parsed("SALESFORCE_KNOWLEDGE_BODY_FIELD", "Body__c", _object,
                                           "an API field name like Body__c"),
        timeout=reader.number("SALESFORCE_TIMEOUT", 20.0, low=1, high=300, unit="seconds"),
    )
    try:
        config.auth_mode  # noqa: B018 - raises IncompleteConfig when no complete combination is set
        if config.auth_mode == "jwt" and not Path(config.private_key_file).is_file():
            reader.problem("SALESFORCE_PRIVATE_KEY_FILE", "the path of the connected app's private key file")
        config.token_url  # noqa: B018 - client credentials need a My Domain URL
    except IncompleteConfig as exc:
        reader.problem(exc.name, exc.expected, given="")
    return config


def read_zendesk(reader: SettingsReader) -> ZendeskConfig:
    """The ZENDESK_* section of `Settings`; every bad value is noted on the reader."""
    email, api_token, oauth_token = (reader.text(name) for name in (
        "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN"))
    if not oauth_token and not (email and api_token):
        if email:
            reader.problem("ZENDESK_API_TOKEN",
                           "an API token with ZENDESK_EMAIL (Admin Center > Apps > Zendesk API)")
        else:
            reader.problem("ZENDESK_EMAIL", "ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN")
    return ZendeskConfig(
        base_url=_zendesk_url(reader),
        email=email,
        api_token=api_token,
        oauth_token=oauth_token,
        help_center_section_id=reader.parsed("ZENDESK_HELP_CENTER_SECTION_ID", "", _digits, NUMERIC_ID),
        help_center_locale=reader.parsed("ZENDESK_HELP_CENTER_LOCALE", "en-us", _locale,
                                         "a Help Center locale like en-us or ko"),
        help_center_permission_group_id=reader.parsed("ZENDESK_HELP_CENTER_PERMISSION_GROUP_ID", "",
                                                      _digits, NUMERIC_ID),
        product_field_id=reader.parsed("ZENDESK_PRODUCT_FIELD_ID", "", _digits, NUMERIC_ID),
        webhook_secret=reader.text("ZENDESK_WEBHOOK_SECRET"),
        timeout=reader.number("ZENDESK_TIMEOUT", 20.0, low=1, high=300, unit="seconds"),
    )


def salesforce_from_env(env: Mapping[str, str]) -> SalesforceConfig:
    """Only the Salesforce section, from a mapping (tests, benchmarks); raise SettingsError listing its problems."""
    reader = SettingsReader(env)
    config = read_salesforce(reader)
    reader.raise_problems()
    return config


def zendesk_from_env(env: Mapping[str, str]) -> ZendeskConfig:
    """Only the Zendesk section, from a mapping (tests); raise SettingsError listing its problems."""
    reader = SettingsReader(env)
    config = read_zendesk(reader)
    reader.raise_problems()
    return config


def _url(value: str) -> str | None:
    parts = urlsplit(value)
    local = parts.hostname in ("localhost", "127.0.0.1")
    if (parts.scheme != "https" and not (local and parts.scheme == "http")) or not parts.hostname:
        return None
    return value.rstrip("/")


def _version(value: str) -> str | None:
    value = value.removeprefix("v")
    return value if re.fullmatch(r"\d{2,3}\.0", value) else None


def _field_path(value: str) -> str | None:
    """Field names go into SOQL, so only plain API names (and one relationship hop) pass."""
    return value if _FIELD_PATH.fullmatch(value) else None


def _object(value: str) -> str | None:
    return value if _OBJECT_NAME.fullmatch(value) else None


def _zendesk_url(reader: SettingsReader) -> str:
    url = reader.raw("ZENDESK_URL")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            reader.problem("ZENDESK_URL", HTTPS_URL)
        return url.rstrip("/")
    subdomain = reader.raw("ZENDESK_SUBDOMAIN").lower().removesuffix(".zendesk.com").removeprefix("https://")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", subdomain):
        reader.problem("ZENDESK_SUBDOMAIN", "your Zendesk subdomain, e.g. acme for acme.zendesk.com")
    return f"https://{subdomain}.zendesk.com"


def _digits(value: str) -> str | None:
    return value if DIGITS.fullmatch(value) else None


def _locale(value: str) -> str | None:
    return value.lower() if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,4})?", value.lower()) else None

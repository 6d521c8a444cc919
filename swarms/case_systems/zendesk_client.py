"""Talking to Zendesk: the ZENDESK_* settings and one authenticated, counted API call.

Authentication is an API token (`{email}/token` with basic auth) or an OAuth access token. Errors are
mapped once here: 401 → `CaseSystemAuthError`; 429 and 5xx → `CaseSystemUnavailable` with Zendesk's
Retry-After (never a sleep); 403/404/409/422 → `ZendeskApiError`, about one ticket or article.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from swarms.case_systems.base import CaseSystemAuthError, CaseSystemError, CaseSystemUnavailable
from swarms.metrics import API_CALLS
from swarms.settings import SettingsReader

DIGITS = re.compile(r"^\d+$")
NUMERIC_ID = "a numeric id"


@dataclass(frozen=True)
class ZendeskConfig:
    """ZENDESK_* settings. Secrets stay out of `repr`."""

    base_url: str
    email: str = ""
    api_token: str = field(default="", repr=False)
    oauth_token: str = field(default="", repr=False)
    help_center_section_id: str = ""
    help_center_locale: str = "en-us"
    help_center_permission_group_id: str = ""
    product_field_id: str = ""
    webhook_secret: str = field(default="", repr=False)
    timeout: float = 20.0

    @classmethod
    def read(cls, reader: SettingsReader) -> ZendeskConfig:
        """The ZENDESK_* section of `Settings`; every bad value is noted on the reader."""
        email, api_token, oauth_token = (reader.text(name) for name in (
            "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN"))
        if not oauth_token and not (email and api_token):
            if email:
                reader.problem("ZENDESK_API_TOKEN",
                               "an API token with ZENDESK_EMAIL (Admin Center > Apps > Zendesk API)")
            else:
                reader.problem("ZENDESK_EMAIL", "ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN")
        return cls(
            base_url=_base_url(reader),
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

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ZendeskConfig:
        """Only this section, from a mapping (tests, hand-built exporters); raise SettingsError listing its problems."""
        reader = SettingsReader(env)
        config = cls.read(reader)
        reader.raise_problems()
        return config

    @property
    def auth_words(self) -> str:
        return "OAuth token" if self.oauth_token else f"API token of {self.email}"


def _base_url(reader: SettingsReader) -> str:
    url = reader.raw("ZENDESK_URL")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            reader.problem("ZENDESK_URL", "an https:// URL")
        return url.rstrip("/")
    subdomain = reader.raw("ZENDESK_SUBDOMAIN").lower().removesuffix(".zendesk.com").removeprefix("https://")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", subdomain):
        reader.problem("ZENDESK_SUBDOMAIN", "your Zendesk subdomain, e.g. acme for acme.zendesk.com")
    return f"https://{subdomain}.zendesk.com"


def _digits(value: str) -> str | None:
    return value if DIGITS.fullmatch(value) else None


def _locale(value: str) -> str | None:
    return value.lower() if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,4})?", value.lower()) else None


class ZendeskApiError(CaseSystemError):
    """Zendesk refused one request (404, 409, 422, 403): about that ticket or article, not the account."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"Zendesk {status} {error}: {description}".strip(": "))
        self.status, self.error, self.description = status, error, description


class ZendeskClient:
    """One authenticated call to the Zendesk API, counted, with errors mapped. Thread-safe."""

    def __init__(self, config: ZendeskConfig, *, session: requests.Session | None = None) -> None:
        self.config = config
        self._session = session or requests.Session()
        self._lock = threading.Lock()
        self._calls = 0

    @property
    def api_calls(self) -> int:
        with self._lock:
            return self._calls

    def request(self, method: str, path: str, *, params: Any = None, json: Any = None) -> Any:
        """Call `path` (or a next-page URL on the same host); return the decoded JSON answer."""
        base = self.config.base_url
        url = path if path.startswith(base + "/") else base + path
        if not url.startswith(base + "/"):
            raise ZendeskApiError(400, "BadPath", "refusing to call outside the Zendesk account")
        headers = {"Accept": "application/json"}
        auth = None
        if self.config.oauth_token:
            headers["Authorization"] = f"Bearer {self.config.oauth_token}"
        else:
            auth = (f"{self.config.email}/token", self.config.api_token)
        try:
            response = self._session.request(
                method, url, params=params, json=json, headers=headers, auth=auth, timeout=self.config.timeout
            )
        except requests.Timeout:
            API_CALLS.labels("zendesk", "timeout").inc()
            raise CaseSystemUnavailable("Zendesk did not answer in time") from None
        except requests.RequestException as exc:
            API_CALLS.labels("zendesk", "unreachable").inc()
            raise CaseSystemUnavailable(f"Zendesk could not be reached ({type(exc).__name__})") from None
        API_CALLS.labels("zendesk", str(response.status_code)).inc()
        with self._lock:
            self._calls += 1
        return _answer(response)


def _answer(response: requests.Response) -> Any:
    status = response.status_code
    if status < 300:
        return response.json() if response.content else None
    wait = _retry_after(response)
    if status == 429 or status >= 500:
        raise CaseSystemUnavailable(f"Zendesk answered {status}", retry_after=wait)
    if status == 401:
        raise CaseSystemAuthError("Zendesk refused the credentials (401): check ZENDESK_EMAIL and ZENDESK_API_TOKEN")
    try:
        body = response.json()
    except ValueError:
        body = {"error": response.text[:200]}
    error = body.get("error", "") if isinstance(body, dict) else ""
    error = error.get("title", "") if isinstance(error, dict) else str(error)
    details = body.get("details", {}) if isinstance(body, dict) else {}
    reasons = [item.get("description", "") for items in details.values() for item in items if isinstance(item, dict)]
    description = "; ".join(reason for reason in reasons if reason) or str(body.get("description", ""))
    raise ZendeskApiError(status, error, description)


def _retry_after(response: requests.Response) -> float | None:
    try:
        return max(float(response.headers.get("Retry-After", "")), 0.0)
    except ValueError:
        return None

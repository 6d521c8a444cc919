"""Talking to Zendesk: its settings and one authenticated, counted API call.

Authentication is an API token (`{email}/token` with basic auth) or an OAuth access token. Errors are
mapped once here: 401 → `VendorAuthError`; 429 and 5xx → `VendorUnavailable` with Zendesk's
Retry-After (never a sleep); 403/404/409/422 → `ZendeskApiError`, about one ticket or article.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from vendor_clients.errors import VendorAuthError, VendorError, VendorUnavailable
from vendor_clients.http import not_counted, send_counted

DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class ZendeskConfig:
    """The ZENDESK_* settings (read by `swarms/vendor_settings.py`). Secrets stay out of `repr`."""

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

    @property
    def auth_words(self) -> str:
        return "OAuth token" if self.oauth_token else f"API token of {self.email}"


class ZendeskApiError(VendorError):
    """Zendesk refused one request (404, 409, 422, 403): about that ticket or article, not the account."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"Zendesk {status} {error}: {description}".strip(": "))
        self.status, self.error, self.description = status, error, description


class ZendeskClient:
    """One authenticated call to the Zendesk API, counted, with errors mapped. Thread-safe."""

    def __init__(
        self,
        config: ZendeskConfig,
        *,
        session: requests.Session | None = None,
        count: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self._session = session or requests.Session()
        self._count = count or not_counted  # told each call's answer ("200", "timeout"…), e.g. for a metric
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
        response = send_counted(self._session, "Zendesk", self._count, method, url, params=params, json=json,
                                headers=headers, auth=auth, timeout=self.config.timeout)
        with self._lock:
            self._calls += 1
        return _answer(response)



def _answer(response: requests.Response) -> Any:
    status = response.status_code
    if status < 300:
        return response.json() if response.content else None
    wait = _retry_after(response)
    if status == 429 or status >= 500:
        raise VendorUnavailable(f"Zendesk answered {status}", retry_after=wait)
    if status == 401:
        raise VendorAuthError("Zendesk refused the credentials (401): check ZENDESK_EMAIL and ZENDESK_API_TOKEN")
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

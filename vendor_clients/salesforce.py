"""Talking to Salesforce: its settings, the OAuth login and one authenticated REST call.

Plain `requests` rather than simple-salesforce for the calls and the login, because the adapter needs
control simple-salesforce does not give: every call counted and its `Sforce-Limit-Info` read, a 401
renewed and retried exactly once, 403 REQUEST_LIMIT_EXCEEDED / 5xx / time-outs turned into
`VendorUnavailable` without sleeping, and logins against a full login URL (its `SalesforceLogin`
builds `https://{domain}.salesforce.com` and refuses client credentials on login/test). SOQL values are
quoted by `vendor_clients/soql.py`; the JWT bearer assertion is signed with PyJWT (RS256).

Auth modes, chosen by which variables are set (first match wins):
  JWT bearer          SALESFORCE_CLIENT_ID, SALESFORCE_USERNAME, SALESFORCE_PRIVATE_KEY_FILE
  username-password   SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET, SALESFORCE_USERNAME,
                      SALESFORCE_PASSWORD (+ SALESFORCE_SECURITY_TOKEN); Salesforce is retiring this flow,
                      so it is only a fallback
  client credentials  SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET; Salesforce issues these tokens only
                      on the org's My Domain, so SALESFORCE_LOGIN_URL (or SALESFORCE_INSTANCE_URL) must be it
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests

from vendor_clients.errors import IncompleteConfig, VendorAuthError, VendorError, VendorUnavailable
from vendor_clients.http import not_counted, send_counted

log = logging.getLogger(__name__)

DEFAULT_LOGIN_URL = "https://login.salesforce.com"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
NOTE_TARGETS = ("case_comment", "feed_item")
# An over-limit org stays over for a while (the 24-hour window rolls), a concurrency limit clears soon.
LIMIT_BACKOFF_SECONDS = 600.0
CONCURRENCY_BACKOFF_SECONDS = 30.0
_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")
# (instance_url, access_token) of an existing session, asked again when Salesforce answers 401.
TokenProvider = Callable[[], tuple[str, str]]
MODE_WORDS = {
    "jwt": "JWT bearer",
    "client_credentials": "client credentials",
    "password": "username-password",
}


@dataclass(frozen=True)
class SalesforceConfig:
    """The SALESFORCE_* settings (read by `swarms/vendor_settings.py`). Secrets stay out of `repr`."""

    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    username: str = ""
    private_key_file: str = ""
    password: str = field(default="", repr=False)
    security_token: str = field(default="", repr=False)
    login_url: str = DEFAULT_LOGIN_URL
    instance_url: str = ""
    api_version: str = "61.0"
    note_target: str = "case_comment"
    product_field: str = "Product__c"
    knowledge_object: str = "Knowledge__kav"
    knowledge_body_field: str = "Body__c"
    timeout: float = 20.0

    @property
    def auth_mode(self) -> str:
        """'jwt', 'password' or 'client_credentials', by which variables are set."""
        if self.private_key_file:
            for name, value in (
                ("SALESFORCE_CLIENT_ID", self.client_id),
                ("SALESFORCE_USERNAME", self.username),
            ):
                if not value:
                    raise IncompleteConfig(name, "needed with SALESFORCE_PRIVATE_KEY_FILE for the JWT bearer flow")
            return "jwt"
        if self.password:
            for name, value in (
                ("SALESFORCE_CLIENT_ID", self.client_id),
                ("SALESFORCE_CLIENT_SECRET", self.client_secret),
                ("SALESFORCE_USERNAME", self.username),
            ):
                if not value:
                    raise IncompleteConfig(name, "needed with SALESFORCE_PASSWORD for the username-password flow")
            return "password"
        if self.client_id and self.client_secret:
            return "client_credentials"
        raise IncompleteConfig(
            "SALESFORCE_CLIENT_ID",
            "set SALESFORCE_CLIENT_ID with SALESFORCE_CLIENT_SECRET (client credentials), or with "
            "SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY_FILE (JWT bearer)",
        )

    @property
    def token_url(self) -> str:
        if self.auth_mode != "client_credentials" or not _is_generic_login(self.login_url):
            return f"{self.login_url}/services/oauth2/token"
        if self.instance_url:
            return f"{self.instance_url}/services/oauth2/token"
        raise IncompleteConfig(
            "SALESFORCE_LOGIN_URL",
            "the client credentials flow needs the org's My Domain URL (https://<domain>.my.salesforce.com), "
            "not login.salesforce.com or test.salesforce.com",
        )

    @property
    def jwt_audience(self) -> str:
        """login.salesforce.com, or test.salesforce.com for sandboxes, whichever host the token comes from."""
        host = urlsplit(self.login_url).hostname or ""
        sandbox = host == "test.salesforce.com" or host.endswith(".sandbox.my.salesforce.com")
        return "https://test.salesforce.com" if sandbox else DEFAULT_LOGIN_URL


def _is_generic_login(url: str) -> bool:
    return urlsplit(url).hostname in ("login.salesforce.com", "test.salesforce.com")


class SalesforceApiError(VendorError):
    """Salesforce answered with an error for the whole call (400, 403, 404): not worth retrying as is."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(f"Salesforce {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or []


@dataclass(frozen=True)
class SalesforceToken:
    access_token: str = field(repr=False)
    instance_url: str


class SalesforceRest:
    """Authenticated REST calls with one renewal on 401, counted, never sleeping. Thread-safe."""

    def __init__(
        self,
        config: SalesforceConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        count: Callable[[str], None] | None = None,
        token_provider: TokenProvider | None = None,
    ) -> None:
        self.config = config
        self._token_provider = token_provider  # an existing session instead of an OAuth login
        self._session = session or requests.Session()
        self._clock = clock
        self._count = count or not_counted  # told each call's answer ("200", "timeout"…), e.g. for a metric
        self._lock = threading.Lock()
        self._token: SalesforceToken | None = None
        self._calls = 0
        self._usage: tuple[int, int] | None = None
        self._blocked_until = 0.0
        self._blocked_reason = ""

    @property
    def api_calls(self) -> int:
        """REST calls made by this client (token requests are not counted: they use no API limit)."""
        with self._lock:
            return self._calls

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """(used, limit) from the last Sforce-Limit-Info header, for the org's rolling 24 hours."""
        with self._lock:
            return self._usage

    @property
    def instance_url(self) -> str:
        return self._current_token().instance_url

    def data_path(self, path: str) -> str:
        return f"/services/data/v{self.config.api_version}/{path.lstrip('/')}"

    def login(self) -> str:
        """Fetch a fresh token now; return the instance URL. Raises VendorAuthError on refusal."""
        with self._lock:
            self._token = self._fetch_token()
            return self._token.instance_url

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None) -> Any:
        """Call `path` (under /services/data/vXX.X/ unless it starts with '/'); return the decoded answer."""
        self._check_blocked()
        token = self._current_token()
        response = self._send(method, path, token, params, json)
        if response.status_code == 401:
            log.info("Salesforce session expired; renewing the token and retrying once")
            token = self._renew(token)
            response = self._send(method, path, token, params, json)
            if response.status_code == 401:
                raise VendorAuthError(
                    "Salesforce refused a freshly renewed session (401): check the integration user's access"
                )
        return self._answer(response)

    def query_all(self, soql: str) -> list[dict[str, Any]]:
        """Run a SOQL query and follow nextRecordsUrl until done."""
        page = self.request("GET", "query", params={"q": soql})
        records = list(page.get("records", []))
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            page = self.request("GET", page["nextRecordsUrl"])
            records.extend(page.get("records", []))
        return records

    def _current_token(self) -> SalesforceToken:
        with self._lock:
            if self._token is None:
                self._token = self._fetch_token()
            return self._token

    def _renew(self, stale: SalesforceToken) -> SalesforceToken:
        with self._lock:
            # Another thread may have renewed already while this one waited for the lock.
            if self._token is None or self._token is stale:
                self._token = self._fetch_token()
            return self._token

    def _fetch_token(self) -> SalesforceToken:
        if self._token_provider is not None:
            instance_url, access_token = self._token_provider()
            if not instance_url or not access_token:
                raise VendorAuthError("no Salesforce session: give an instance URL and an access token")
            return SalesforceToken(access_token, instance_url.rstrip("/"))
        mode = self.config.auth_mode
        try:
            response = self._session.post(self.config.token_url, data=self._grant(mode), timeout=self.config.timeout)
        except requests.RequestException as exc:
            raise VendorUnavailable(f"Salesforce login did not answer ({type(exc).__name__})") from None
        if response.status_code >= 500:
            raise VendorUnavailable(f"Salesforce login answered {response.status_code}")
        body = _json(response)
        if response.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
            error = body.get("error", response.status_code) if isinstance(body, dict) else response.status_code
            detail = body.get("error_description", "") if isinstance(body, dict) else ""
            raise VendorAuthError(f"Salesforce login ({MODE_WORDS[mode]}) refused: {error} {detail}".strip())
        instance = (body.get("instance_url") or self.config.instance_url).rstrip("/")
        if not instance:
            raise VendorAuthError("Salesforce login gave no instance URL: set SALESFORCE_INSTANCE_URL")
        return SalesforceToken(body["access_token"], instance)

    def _grant(self, mode: str) -> dict[str, str]:
        c = self.config
        if mode == "jwt":
            claims = {
                "iss": c.client_id,
                "sub": c.username,
                "aud": c.jwt_audience,
                "exp": int(time.time()) + 180,
            }
            key = Path(c.private_key_file).read_bytes()
            return {"grant_type": JWT_GRANT, "assertion": jwt.encode(claims, key, algorithm="RS256")}
        if mode == "password":
            return {
                "grant_type": "password",
                "client_id": c.client_id,
                "client_secret": c.client_secret,
                "username": c.username,
                "password": c.password + c.security_token,
            }
        return {
            "grant_type": "client_credentials",
            "client_id": c.client_id,
            "client_secret": c.client_secret,
        }

    def _send(self, method: str, path: str, token: SalesforceToken, params: Any, json: Any) -> requests.Response:
        url = token.instance_url + (path if path.startswith("/") else self.data_path(path))
        headers = {"Authorization": f"Bearer {token.access_token}", "Accept": "application/json"}
        response = send_counted(self._session, "Salesforce", self._count, method, url, params=params, json=json,
                                headers=headers, timeout=self.config.timeout)
        usage = _LIMIT_INFO.search(response.headers.get("Sforce-Limit-Info", ""))
        with self._lock:
            self._calls += 1
            if usage:
                self._usage = (int(usage.group(1)), int(usage.group(2)))
        return response

    def _answer(self, response: requests.Response) -> Any:
        status = response.status_code
        if status < 300:
            return _json(response) if response.content else None
        code, message, fields = _first_error(response)
        if status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
            wait = CONCURRENCY_BACKOFF_SECONDS if "Concurrent" in message else LIMIT_BACKOFF_SECONDS
            self._block(wait, f"Salesforce API limit reached ({message or code})")
        if status == 429 or status >= 500:
            wait = _retry_after(response)
            if wait:
                self._block(wait, f"Salesforce answered {status}")
            raise VendorUnavailable(f"Salesforce answered {status} {code}".strip(), retry_after=wait)
        raise SalesforceApiError(status, code, message, fields)

    def _block(self, seconds: float, reason: str) -> None:
        """Stop calling for a while: every call while over the limit would fail and count anyway."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)
            self._blocked_reason = reason
        raise VendorUnavailable(reason, retry_after=seconds)

    def _check_blocked(self) -> None:
        with self._lock:
            remaining = self._blocked_until - self._clock()
            reason = self._blocked_reason
        if remaining > 0:
            raise VendorUnavailable(reason, retry_after=remaining)



def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _first_error(response: requests.Response) -> tuple[str, str, list[str]]:
    body = _json(response)
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else body
    if not isinstance(first, dict):
        return "", response.text[:200], []
    code = str(first.get("errorCode") or first.get("statusCode") or first.get("error") or "")
    return (
        code,
        str(first.get("message") or first.get("error_description") or ""),
        list(first.get("fields") or []),
    )


def _retry_after(response: requests.Response) -> float | None:
    try:
        return max(float(response.headers.get("Retry-After", "")), 0.0)
    except ValueError:
        return None

"""The app's own Web API client for each workspace it serves: what jobs, the Slack queue and the ports call with.

On one workspace's SLACK_BOT_TOKEN there is one client, whatever the team. Installed by OAuth, each workspace
has its own: its bot token read from the installation store (rotated there before it ends) and kept a little
while, one client per team in this process. A listener may use Bolt's per-request `client` instead, which Bolt
already gives the request's workspace token; `MeteredClients` makes it count its calls the same way.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from swarms.metrics import API_CALLS
from swarms.settings import Settings

if TYPE_CHECKING:  # installing by OAuth loads slack_sdk's SQLAlchemy stores, and only then
    from bot.install.oauth import EncryptedInstallationStore

TOKEN_KEEP_SECONDS = 30.0  # a team's token is read from the store again after this (another replica rotated it)


class MeteredWebClient(WebClient):
    """slack_sdk's client, counting each Web API call by its answer for `/metrics`."""

    def api_call(self, api_method: str, **kwargs):  # type: ignore[override]
        try:
            response = super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            API_CALLS.labels("slack", "429" if exc.response.status_code == 429 else "error").inc()
            raise
        except Exception:
            API_CALLS.labels("slack", "unreachable").inc()
            raise
        API_CALLS.labels("slack", "ok").inc()
        return response


class InstalledBotClient(MeteredWebClient):
    """One workspace's client when installed by OAuth: each call carries that workspace's bot token, read from
    the installation store (which rotates it before it expires) and kept for half a minute."""

    def __init__(self, store: EncryptedInstallationStore, workspace: str, *,
                 keep_seconds: float = TOKEN_KEEP_SECONDS, **kwargs) -> None:
        self._store = store
        self._workspace = workspace
        self._keep_seconds = keep_seconds
        self._lock = threading.Lock()
        self._token: str | None = None
        self._read_at = 0.0
        super().__init__(**kwargs)

    @property  # type: ignore[override]
    def token(self) -> str | None:
        with self._lock:
            if self._token is None or time.monotonic() - self._read_at > self._keep_seconds:
                bot = self._store.find_bot(enterprise_id=None, team_id=self._workspace)
                self._token = bot.bot_token if bot is not None else None
                self._read_at = time.monotonic()
            return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        """WebClient's constructor sets a token; this client's comes from the installation instead."""

    def forget_token(self) -> None:
        with self._lock:
            self._token = None


def client_options(settings: Settings) -> dict:
    """Slack's address, a timeout, and retries of dropped connections.

    A 429 is not retried here: slack_sdk's handler would sleep Retry-After in the calling thread, a
    listener's. Work that can wait goes through the Slack queue (bot.slack.work_queue), which keeps Slack's
    pace and puts a refused step back for later; a listener's own call answers a 429 in words."""
    return {"base_url": settings.slack_api_url, "timeout": 15,
            "retry_handlers": [ConnectionErrorRetryHandler(max_retry_count=2)]}


def make_client(settings: Settings) -> WebClient:
    """SLACK_BOT_TOKEN's client; installed by OAuth, one without a bot token (oauth.v2.access with the client
    id and secret)."""
    if settings.install.oauth:
        return MeteredWebClient(**client_options(settings))
    return MeteredWebClient(token=settings.slack_bot_token, **client_options(settings))


class SlackClients:
    """`for_team(team_id)`: the client that acts in that workspace."""

    def __init__(self, settings: Settings, *, client: WebClient | None = None,
                 store: EncryptedInstallationStore | None = None) -> None:
        self._settings = settings
        self._store = store
        # Token mode: SLACK_BOT_TOKEN's (or the one a test gives). OAuth: no bot token, Bolt's template client.
        self.app_client = client or make_client(settings)
        self._by_team: dict[str, InstalledBotClient] = {}
        self._lock = threading.Lock()

    @property
    def by_oauth(self) -> bool:
        return self._store is not None

    def for_team(self, team_id: str) -> WebClient:
        if self._store is None:
            return self.app_client
        with self._lock:
            client = self._by_team.get(team_id)
            if client is None:
                client = InstalledBotClient(self._store, team_id, **client_options(self._settings))
                self._by_team[team_id] = client
            return client

    def forget(self, team_id: str) -> None:
        """The workspace's tokens are gone (uninstalled, revoked) or new (reinstalled): read them again."""
        with self._lock:
            client = self._by_team.get(team_id)
        if client is not None:
            client.forget_token()


def standalone_clients(settings: Settings, sessions) -> SlackClients:
    """The clients of a process without the app (a CLI command): installed by OAuth, read from the store."""
    if not settings.install.oauth:
        return SlackClients(settings)
    from bot.install.oauth import make_installation_store

    return SlackClients(settings, store=make_installation_store(settings, sessions, make_client(settings)))


def metered_request_client(context: BoltContext, next) -> None:
    """Bolt's per-request client (already the request's workspace token) counted in `/metrics` like ours."""
    given = context.client
    if given is not None and not isinstance(given, MeteredWebClient):
        context["client"] = MeteredWebClient(token=given.token, base_url=given.base_url, timeout=given.timeout,
                                             ssl=given.ssl, proxy=given.proxy, headers=given.headers,
                                             team_id=context.team_id, logger=given.logger,
                                             retry_handlers=given.retry_handlers)
    next()

"""A local Slack for tests and the demo: the Web API on 127.0.0.1, a driver that plays Slack to the bot.

    with SlackStandIn(signing_secret="s", bot_token="xoxb-test") as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        slack.deliver_events_to("http://127.0.0.1:3000/slack/events")
        slack.driver("http://127.0.0.1:3000/slack/events").command("/swarm", "00001026", user=u, channel=c)

Several workspaces installing the app by OAuth v2: give an `OAuthApp`, add workspaces, install through a
`Browser` (see `slack_standin.oauth`); each workspace's events reach the app with its own team.

    with SlackStandIn(oauth=OAuthApp(redirect_url=f"{bot_url}/slack/oauth_redirect")) as slack:
        acme = slack.add_workspace("T0ACME", "Acme")
        Browser(slack).sign_in(acme, user_id).install(f"{bot_url}/slack/install")

Socket Mode: give an app-level token; the app connects through `apps.connections.open` as with Slack.

    with SlackStandIn(bot_token="xoxb-test", app_token="xapp-test") as slack:
        SocketModeHandler(app, "xapp-test").connect()   # app.client's base_url is slack.api_url
        slack.deliver_events_over_socket_mode()
        slack.socket_driver().command("/swarm", "00001026", user=u, channel=c)
"""

from __future__ import annotations

from typing import Any

from slack_standin.api import ALL_SCOPES, WebApi
from slack_standin.browser import Browser, BrowserPage
from slack_standin.delivery import Outbox
from slack_standin.driver import Driver, DriverResult
from slack_standin.errors import SlackError
from slack_standin.oauth import OAuthApp, OAuthServer, TokenRegistry
from slack_standin.rate_limits import RateLimited, RateLimits
from slack_standin.server import StandInHTTPServer
from slack_standin.socket_driver import SocketModeDriver
from slack_standin.socket_mode import SocketModeServer
from slack_standin.workspace import Clock, Workspace

__all__ = ["Browser", "BrowserPage", "Clock", "Driver", "DriverResult", "OAuthApp", "RateLimited", "RateLimits",
           "SlackError", "SlackStandIn", "SocketModeDriver", "SocketModeServer", "Workspace"]


class SlackStandIn:
    """One workspace with the app installed, its Web API server, and event delivery to the bot."""

    def __init__(
        self,
        *,
        signing_secret: str = "standin-signing-secret",
        bot_token: str = "xoxb-standin-token",
        team_name: str = "Stand-in Workspace",
        team_id: str = "T0STANDIN",
        bot_name: str = "case-swarm",
        scopes: set[str] | None = None,
        port: int = 0,
        verification_token: str = "standin-verification-token",
        app_token: str | None = None,
        ack_timeout: float = 3.0,
        rate_limits: RateLimits | None = None,
        oauth: OAuthApp | None = None,
    ) -> None:
        self.signing_secret = signing_secret
        self.bot_token = bot_token
        self.verification_token = verification_token
        self.workspace = Workspace(team_id=team_id, team_name=team_name, bot_user_id="U0STANDBOT", bot_id="B0STANDBOT",
                                   bot_name=bot_name, app_id="A0STANDAPP")
        self.outbox = Outbox()
        self.workspace.listeners.append(self.outbox.put)
        # Socket Mode is on when the app has an app-level token: apps.connections.open hands out its URLs.
        self.socket_mode = SocketModeServer(app_id=self.workspace.app_id, ack_timeout=ack_timeout) \
            if app_token else None
        self.tokens = TokenRegistry()
        self.oauth_app = oauth
        self.oauth = OAuthServer(oauth, self.tokens, ALL_SCOPES | {"commands"}) if oauth is not None else None
        self.api = WebApi(self.workspace, bot_token=bot_token, scopes=scopes, app_token=app_token,
                          open_connection=self.socket_mode.new_url if self.socket_mode else None,
                          rate_limits=rate_limits, tokens=self.tokens, oauth=self.oauth)
        self._port = port
        self._server: StandInHTTPServer | None = None

    # lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        self._server = StandInHTTPServer(self.api, lambda: self.outbox.pump(wait=False), port=self._port)
        for workspace in self.api.workspaces.values():
            workspace.origin = self._server.origin
        self._server.start()
        if self.socket_mode is not None:
            self.socket_mode.start()
        return self

    def stop(self) -> None:
        self.outbox.stop()
        if self.socket_mode is not None:
            self.socket_mode.stop()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("start() the stand-in first")
        return self._server.origin

    @property
    def api_url(self) -> str:
        """For `WebClient(base_url=...)`; ends in `/` as slack_sdk needs."""
        return f"{self.url}/api/"

    # several workspaces ------------------------------------------------------------------------------

    def add_workspace(self, team_id: str, team_name: str) -> Workspace:
        """Another workspace, with its own people and channels; the app gets a token for it by being installed
        there (OAuth). Its events go to the same Request URL, in envelopes naming its team."""
        suffix = team_id.removeprefix("T")
        workspace = Workspace(team_id=team_id, team_name=team_name, bot_user_id=f"UB{suffix}", bot_id=f"BB{suffix}",
                              bot_name=self.workspace.bot_name, app_id=self.workspace.app_id,
                              clock=self.workspace.clock)
        if self._server is not None:
            workspace.origin = self._server.origin
        workspace.listeners.append(lambda event: self.outbox.put(event, workspace))
        self.api.workspaces[team_id] = workspace
        return workspace

    def uninstall(self, workspace: Workspace) -> None:
        """An admin removes the app: every token of the workspace stops working, and Slack sends
        `app_uninstalled` and `tokens_revoked`."""
        self.tokens.revoke_workspace(workspace)
        workspace.emit_app_event({"type": "app_uninstalled", "event_ts": workspace.next_ts()})
        workspace.emit_app_event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [workspace.bot_user_id]},
                                  "event_ts": workspace.next_ts()})
        self.outbox.pump(wait=True)

    def browser(self) -> Browser:
        """A person's browser, for the install pages (/slack/install → the consent page → the app's redirect)."""
        return Browser(self)

    # the bot's side ----------------------------------------------------------------------------------

    def driver(self, events_url: str, *, timeout: float = 10.0, workspace: Workspace | None = None) -> Driver:
        return Driver(events_url, workspace=workspace or self.workspace, signing_secret=self.signing_secret,
                      outbox=self.outbox, verification_token=self.verification_token, timeout=timeout)

    def deliver_events_to(self, events_url: str | None, *, asynchronous: bool = False, retry: bool = True) -> None:
        """Send every event the workspace emits to `events_url` (None stops); see `delivery` for the timing."""
        driver = self.driver(events_url) if events_url else None
        self.outbox.configure(driver, asynchronous=asynchronous, retry=retry)

    def socket_driver(self) -> SocketModeDriver:
        """Commands, clicks and events as Socket Mode envelopes to the connected app."""
        if self.socket_mode is None:
            raise RuntimeError("Socket Mode needs an app-level token: SlackStandIn(app_token='xapp-…')")
        return SocketModeDriver(self.socket_mode, workspace=self.workspace, outbox=self.outbox,
                                verification_token=self.verification_token)

    def deliver_events_over_socket_mode(self, *, asynchronous: bool = False, retry: bool = True) -> None:
        """Send every event the workspace emits as an `events_api` envelope; unacked ones are redelivered."""
        self.outbox.configure(self.socket_driver(), asynchronous=asynchronous, retry=retry)

    def drain_events(self, timeout: float = 10.0) -> None:
        """Wait until every event emitted so far has been delivered."""
        self.outbox.drain(timeout)

    def events(self) -> list[dict[str, Any]]:
        """Every event the workspace emitted (delivered or not), oldest first."""
        return list(self.outbox.emitted)

    def deliveries(self) -> list[DriverResult]:
        """The bot's answer to each delivered event (after retries)."""
        return list(self.outbox.results)

    # test controls -----------------------------------------------------------------------------------

    def fail_next(self, method: str, error: str | None = None, *, status: int = 200, retry_after: int | None = None,
                  times: int | None = 1) -> None:
        self.api.fail_next(method, error, status=status, retry_after=retry_after, times=times)

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int | None = 1) -> None:
        self.api.rate_limit(method, retry_after=retry_after, times=times)

    def rate_limited(self, method: str | None = None) -> list[RateLimited]:
        """Every 429 the stand-in's rate limits answered (none when they are off)."""
        return self.api.rate_limits.limited(method) if self.api.rate_limits is not None else []

    def clear_faults(self) -> None:
        self.api.clear_faults()

    def calls(self, method: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        return self.api.calls(method)

    def calls_by_workspace(self, method: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
        """(team id, method, args): which workspace's token made each call."""
        return self.api.calls_by_workspace(method)

    def responses(self, user_id: str | None = None) -> list[dict[str, Any]]:
        return self.workspace.responses(user_id)

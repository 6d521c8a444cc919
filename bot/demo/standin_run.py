"""The real bot wired to the local Slack stand-in: one object for the demo, the benchmarks and the e2e tests.

It starts the stand-in (a real HTTP Web API), builds the app with `create_app` and a real `WebClient`
pointed at it, serves `/slack/events` with waitress on a free port, lets the stand-in deliver events
there, and starts the background (scheduler, outbox worker). `settle()` waits until every listener,
lazy listener, event and delivery has finished, so callers read results without sleeping.

`oauth=OAuthApp(…)` runs it installed by OAuth v2 instead of on one bot token (SLACK_CLIENT_ID and the
token key set): no workspace has the app until a browser installs it (`install_in`).

`socket_mode=True` runs the same bot over Socket Mode instead, as `case-swarm serve` does with
SLACK_APP_TOKEN: Bolt's SocketModeHandler connects through the stand-in's `apps.connections.open`, no
signing secret is set, and the driver sends envelopes over the WebSocket.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import sessionmaker

from bot.app import BotApp, create_app
from bot.jobs.background import Background, start_background
from bot.serving.server import RunningServer, start_http_server
from bot.serving.socket_mode import SocketModeConnection, connect_socket_mode
from bot.slack.clients import make_client
from expert_finder.ranking import warm_up
from slack_standin import BrowserPage, OAuthApp, RateLimits, SlackStandIn, Workspace
from swarms.case_systems.base import CaseSystem
from swarms.settings import InstallSettings, Settings

SIGNING_SECRET = "standin-signing-secret"
BOT_TOKEN = "xoxb-standin-bot-token"
APP_TOKEN = "xapp-1-A0STANDAPP-1-standin-app-token"
TOKEN_KEY = "q1pXv3b6yXl2cX1bY1r0bS1fNnJbU3Y0d3ZnT2VqZ2E="  # a Fernet key for the installations' tokens


@dataclass
class StandInRun:
    standin: SlackStandIn
    bot: BotApp
    server: RunningServer | SocketModeConnection
    background: Background | None
    driver: object = field(repr=False)

    @property
    def services(self):
        return self.bot.services

    @property
    def workspace(self):
        return self.standin.workspace

    @property
    def install_url(self) -> str:
        return f"{self.server.url}/slack/install"  # type: ignore[union-attr]

    def install_in(self, workspace: Workspace, user_id: str) -> BrowserPage:
        """A person of `workspace` opens the app's install link and presses Allow on Slack's page."""
        return self.standin.browser().sign_in(workspace, user_id).install(self.install_url)

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until listeners, lazy work, event delivery and note delivery are all idle (twice in a row)."""
        deadline = time.monotonic() + timeout
        quiet_rounds = 0
        while quiet_rounds < 2:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot did not settle")
            left = max(0.1, deadline - time.monotonic())
            self.standin.drain_events(timeout=left)
            busy = not self.services.executor.wait_idle(timeout=0)
            self.services.executor.wait_idle(timeout=left)
            queue = self.services.slack_queue
            busy = (not queue.wait_idle(timeout=0.05)) or busy
            queue.wait_idle(timeout=left)
            worker = self.services.worker
            if worker is not None:
                busy = (not worker.wait_idle(timeout=0)) or busy
                worker.wait_idle(timeout=left)
            quiet_rounds = 0 if busy else quiet_rounds + 1

    def stop(self) -> None:
        """Stop what this run started and wait for the work in flight: with the server now stopping at once,
        a lazy listener or a job left running would touch the database after the next test has reset it."""
        if self.background is not None:
            self.background.stop()
            for executor in self.background.scheduler._executors.values():  # jobs already running
                executor.shutdown(wait=True)
        self.server.stop()
        self.services.executor.shutdown(wait=True, cancel_futures=True)
        self.standin.stop()

    def __enter__(self) -> StandInRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_standin_run(sessions: sessionmaker, *, env: Mapping[str, str] | None = None,
                      settings: Settings | None = None, case_system: CaseSystem | None = None,
                      team_name: str = "Hanbit Energy Support", background: bool = True,
                      linger: float = 0.05, asynchronous_events: bool = False,
                      socket_mode: bool = False, rate_limits: RateLimits | None = None,
                      oauth: OAuthApp | None = None) -> StandInRun:
    """`rate_limits` switches on Slack's tiers in the stand-in (benchmarks, and tests that want them)."""
    app_token = APP_TOKEN if socket_mode else ""
    warm_up()  # the finder's libraries and Korean model load here, not inside the first swarm's settle
    standin = SlackStandIn(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, team_name=team_name,
                           app_token=app_token or None, rate_limits=rate_limits, oauth=oauth).start()
    try:
        base = settings or Settings.from_env(dict(env or {}), needs_slack=False)
        settings = replace(base, slack_bot_token="" if oauth else BOT_TOKEN, slack_app_token=app_token,
                           slack_signing_secret="" if socket_mode else SIGNING_SECRET, slack_api_url=standin.api_url)
        if oauth is not None:
            settings = replace(settings, install=InstallSettings(oauth.client_id, oauth.client_secret,
                                                                 base.install.token_keys or (TOKEN_KEY,)))
        bot = create_app(settings, client=None if oauth else make_client(settings), sessions=sessions,
                         case_system=case_system)
        server: RunningServer | SocketModeConnection
        if socket_mode:
            server = connect_socket_mode(bot)
            standin.deliver_events_over_socket_mode(asynchronous=asynchronous_events)
            driver = standin.socket_driver()
        else:
            server = start_http_server(bot)
            if oauth is not None:
                oauth.redirect_url = f"{server.url}/slack/oauth_redirect"
            standin.deliver_events_to(server.events_url, asynchronous=asynchronous_events)
            driver = standin.driver(server.events_url)
        running = start_background(bot, linger=linger) if background else None
    except Exception:
        standin.stop()
        raise
    return StandInRun(standin, bot, server, running, driver)

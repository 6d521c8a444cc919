"""The app factory: one explicit place that builds the Bolt app, its services and its listeners."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.error import URLError

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped, warning_token_skipped
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from sqlalchemy.orm import sessionmaker

from bot.experts.gateway import SlackExpertsPort
from bot.knowledge.gateway import SlackKnowledgePort
from bot.listeners import register_all
from bot.opening import queued_opening
from bot.services import AppServices
from bot.serving.executor import TrackingExecutor
from bot.slack import later as slack_later
from bot.slack.identity import bot_identity
from bot.slack.pacing import SlackPacer
from bot.slack.people import People
from bot.slack.work_queue import SlackQueue
from bot.slack.workspace import SlackSwarmWorkspace
from swarms.case_systems import make_case_system
from swarms.case_systems.base import CaseSystem
from swarms.db import make_engine, make_session_factory, upgrade, utcnow
from swarms.install.token_cipher import WrongTokenKey
from swarms.install.workspaces import claim_workspace
from swarms.metrics import API_CALLS
from swarms.permissions import Permissions
from swarms.settings import Settings

if TYPE_CHECKING:  # installing by OAuth loads slack_sdk's SQLAlchemy stores, and only then
    from bot.install.oauth import EncryptedInstallationStore, InstalledBotToken

log = logging.getLogger(__name__)


@dataclass
class BotApp:
    bolt: App
    services: AppServices


class SlackUnreachable(Exception):
    """Slack's Web API did not answer the start-up auth.test: a wrong SLACK_API_URL, or no network."""

    def __init__(self, url: str, reason: object) -> None:
        super().__init__(f"Slack did not answer at {url} ({reason})")
        self.url = url
        self.reason = reason


class _OwnClientNote(logging.Filter):
    """Drops Bolt's "As you gave `client` as well, `token` will be unused" at every start: we hand Bolt our
    own WebClient (retries, base URL) on purpose, and Bolt reads SLACK_BOT_TOKEN from the environment anyway.
    Installed by OAuth, the same client reads its token from the installation, which Bolt notes as well."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in (warning_client_prioritized_and_token_skipped(), warning_token_skipped())


_OWN_CLIENT_NOTE = _OwnClientNote()


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
    """The app's own client when installed by OAuth: each call carries the bot token of the installation this
    database serves, read from the installation store (and rotated there before it expires)."""

    def __init__(self, token_source: InstalledBotToken, **kwargs) -> None:
        self._token_source = token_source
        super().__init__(**kwargs)

    @property  # type: ignore[override]
    def token(self) -> str | None:
        return self._token_source.get()

    @token.setter
    def token(self, value: str | None) -> None:
        """WebClient's constructor sets a token; this client's comes from the installation instead."""


def make_client(settings: Settings, *, token_source: InstalledBotToken | None = None) -> WebClient:
    """The Web API client, retrying dropped connections for us.

    A 429 is not retried here: slack_sdk's handler would sleep Retry-After in the calling thread, a
    listener's. Work that can wait goes through the Slack queue (bot.slack.work_queue), which keeps Slack's
    pace and puts a refused step back for later; a listener's own call answers a 429 in words."""
    options = {"base_url": settings.slack_api_url, "timeout": 15,
               "retry_handlers": [ConnectionErrorRetryHandler(max_retry_count=2)]}
    if token_source is not None:
        return InstalledBotClient(token_source, **options)
    if settings.install.oauth:
        return MeteredWebClient(**options)  # no bot token: oauth.v2.access with the client id and secret
    return MeteredWebClient(token=settings.slack_bot_token, **options)


def open_database(settings: Settings) -> sessionmaker:
    """Engine + sessions; an empty database is upgraded by itself on first start."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return make_session_factory(engine)


def create_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    sessions: sessionmaker | None = None,
    case_system: CaseSystem | None = None,
) -> BotApp:
    sessions = sessions or open_database(settings)
    store: EncryptedInstallationStore | None = None
    installed_token: InstalledBotToken | None = None
    if settings.install.oauth:
        from bot.install.oauth import InstalledBotToken, make_installation_store

        store = make_installation_store(settings, sessions, make_client(settings))
        if store.unreadable_tokens():
            raise WrongTokenKey("the stored Slack installations")
        installed_token = InstalledBotToken(store, sessions)
    client = client or make_client(settings, token_source=installed_token)
    executor = TrackingExecutor(max_workers=settings.listener_threads)
    services = AppServices(
        settings=settings,
        sessions=sessions,
        client=client,
        cases=case_system or make_case_system(settings, sessions),
        people=People(client, sessions, default_language=settings.default_language),
        workspace=SlackSwarmWorkspace(client, ascii_channel_names=settings.channel_names_ascii),
        permissions=Permissions(
            admins=settings.admin_user_ids,
            managers=settings.manager_user_ids,
            knowledge_editors=settings.knowledge_editor_user_ids,
            swarm_openers=settings.swarm_opener_user_ids,
        ),
        executor=executor,
        slack_queue=SlackQueue(sessions, SlackPacer(sessions)),
        installation_store=store,
        installed_token=installed_token,
    )
    services.experts = SlackExpertsPort(services)
    services.knowledge = SlackKnowledgePort(services)
    queued_opening.register(services)
    slack_later.register(services)
    bolt_log = logging.getLogger("slack_bolt.App")
    if _OWN_CLIENT_NOTE not in bolt_log.filters:
        bolt_log.addFilter(_OWN_CLIENT_NOTE)
    try:
        bolt = App(
            name="case-swarm",  # unnamed, Bolt reads the caller's source file through inspect.stack(): ~0.1-0.3 s
            client=client,
            signing_secret=settings.slack_signing_secret,  # empty in Socket Mode, which verifies nothing
            listener_executor=executor,
            # auth.test at start-up: a wrong token stops start-up with Slack's own word for it.
            token_verification_enabled=store is None,
            raise_error_for_unhandled_request=False,
            # The note and its outbox row are committed before Slack gets its 200: no lost note on a crash.
            process_before_response=True,
            **_installed_by_oauth(settings, store, client),
        )
    except (URLError, OSError) as exc:
        raise SlackUnreachable(client.base_url, getattr(exc, "reason", None) or exc) from None
    if store is None:
        _claim_token_workspace(services)
    register_all(bolt, services)
    return BotApp(bolt, services)


def _installed_by_oauth(settings: Settings, store: EncryptedInstallationStore | None, client: WebClient) -> dict:
    """Bolt's OAuth parts on our stores: /slack/install, /slack/oauth_redirect, each request's token by team."""
    if store is None:
        return {}
    from slack_bolt.oauth import OAuthFlow

    from bot.i18n.catalog import LANGUAGES, t
    from bot.install.callbacks import install_callbacks
    from bot.install.oauth import make_authorize, make_oauth_settings

    oauth_client = store.rotator.client if store.rotator is not None else make_client(settings)
    flow = OAuthFlow(client=oauth_client, settings=make_oauth_settings(settings, store, install_callbacks()))
    return {"oauth_flow": flow, "installation_store": store, "installation_store_bot_only": True,
            "authorize": make_authorize(settings, store, oauth_client),
            # A command from a workspace without an installation: Bolt answers this instead of running it.
            "user_facing_authorize_error_message": "\n".join(t("install.not_installed", lang) for lang in LANGUAGES)}


def _claim_token_workspace(services: AppServices) -> None:
    """Single-workspace mode: the token's workspace is the database's, and its access is active again (a new
    token after a reinstall lifts the pause an uninstall left)."""
    identity = bot_identity(services)
    if identity.get("team_id"):
        with services.sessions.begin() as session:
            claim_workspace(session, str(identity["team_id"]), str(identity.get("team", "")), now=utcnow())

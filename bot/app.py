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
from sqlalchemy.orm import sessionmaker

from bot.experts.gateway import SlackExpertsPort
from bot.knowledge.gateway import SlackKnowledgePort
from bot.listeners import register_all
from bot.opening import queued_opening
from bot.services import AppServices
from bot.serving.executor import TrackingExecutor
from bot.slack import later as slack_later
from bot.slack.access import SlackAccessGate
from bot.slack.clients import SlackClients, make_client, metered_request_client
from bot.slack.pacing import SlackPacer
from bot.slack.people import People
from bot.slack.work_queue import SlackQueue
from swarms.case_systems import make_case_system
from swarms.case_systems.base import CaseSystem
from swarms.db import make_engine, make_session_factory, upgrade, utcnow
from swarms.install.token_cipher import WrongTokenKey
from swarms.install.workspaces import claim_workspace
from swarms.opening.existing_work import WorkCache
from swarms.permissions import Permissions
from swarms.settings import Settings

if TYPE_CHECKING:  # installing by OAuth loads slack_sdk's SQLAlchemy stores, and only then
    from bot.install.oauth import EncryptedInstallationStore

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
    if settings.install.oauth:
        from bot.install.oauth import make_installation_store

        store = make_installation_store(settings, sessions, make_client(settings))
        if store.unreadable_tokens():
            raise WrongTokenKey("the stored Slack installations")
    slack = SlackClients(settings, client=client, store=store)
    client = slack.app_client
    executor = TrackingExecutor(max_workers=settings.listener_threads)
    services = AppServices(
        settings=settings,
        sessions=sessions,
        slack=slack,
        cases=case_system or make_case_system(settings, sessions),
        people=People(slack, sessions, default_language=settings.default_language),
        permissions=Permissions(
            admins=settings.admin_user_ids,
            managers=settings.manager_user_ids,
            knowledge_editors=settings.knowledge_editor_user_ids,
            swarm_openers=settings.swarm_opener_user_ids,
        ),
        executor=executor,
        slack_queue=SlackQueue(sessions, SlackPacer(sessions), SlackAccessGate(sessions)),
        installation_store=store,
        existing_work=WorkCache(meaning=settings.opening.offer_meaning),
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
    bolt.use(metered_request_client)
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
    try:
        identity = dict(services.slack.app_client.auth_test().data)
    except SlackApiError:  # Bolt's own auth.test at start-up has said why
        return
    team_id = str(identity.get("team_id") or "")
    if team_id:
        services.caches.bot_identity[team_id] = identity
        with services.sessions.begin() as session:
            claim_workspace(session, team_id, str(identity.get("team", "")), now=utcnow(), alone=True)

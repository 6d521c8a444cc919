"""Slack-side changes the app must follow: a swarm channel archived, unarchived or renamed by hand, and
the app uninstalled or its tokens revoked. Thin: parse the event, call the domain, log.

Private channels (every swarm channel) send `group_*` events, public ones `channel_*`: both are handled.
"""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.listeners.messages import nudge_delivery
from bot.registration import Listeners, team_of
from bot.services import AppServices
from swarms.db import utcnow
from swarms.install.workspaces import WorkspaceAccess, record_access_lost
from swarms.opening.channel_events import channel_archived, channel_renamed, channel_unarchived

log = logging.getLogger(__name__)


def register(app: App, services: AppServices) -> None:
    listeners = Listeners(app, services)
    for prefix in ("group", "channel"):
        listeners.event(f"{prefix}_archive", _on_archive(services))
        listeners.event(f"{prefix}_unarchive", _on_unarchive(services))
        listeners.event(f"{prefix}_rename", _on_rename(services))
    listeners.event("app_uninstalled", _on_uninstalled(services))
    listeners.event("tokens_revoked", _on_tokens_revoked(services))


def _channel_id(event: dict) -> str:
    channel = event.get("channel")
    return channel.get("id", "") if isinstance(channel, dict) else str(channel or "")


def _on_archive(services: AppServices):
    def handle(event: dict, body: dict) -> None:
        user_id = event.get("user") or event.get("actor_id") or ""
        name = services.people.get(team_of(body), user_id).display_name if user_id else "Slack"
        with services.sessions.begin() as session:
            channel_archived(session, _channel_id(event), name, event_id=str(body.get("event_id", "")))
        nudge_delivery(services)

    return handle


def _on_unarchive(services: AppServices):
    def handle(event: dict) -> None:
        with services.sessions.begin() as session:
            change = channel_unarchived(session, _channel_id(event))
        if change is not None:
            log.info("swarm %s: channel unarchived in Slack; the swarm is %s again", change.swarm_id, change.status)

    return handle


def _on_rename(services: AppServices):
    def handle(event: dict) -> None:
        channel = event.get("channel") or {}
        with services.sessions.begin() as session:
            channel_renamed(session, _channel_id(event), str(channel.get("name", "")) if isinstance(channel, dict)
                            else "")

    return handle


def _on_uninstalled(services: AppServices):
    def handle(body: dict) -> None:
        _access_lost(services, body, WorkspaceAccess.UNINSTALLED)

    return handle


def _on_tokens_revoked(services: AppServices):
    def handle(event: dict, body: dict) -> None:
        tokens = event.get("tokens") or {}
        if not tokens.get("bot") and tokens.get("oauth"):
            # Only people's own authorisations (the app asks for none): its bot token still works.
            log.info("Slack revoked user tokens of %s; the bot's token is unaffected", tokens["oauth"])
            return
        _access_lost(services, body, WorkspaceAccess.TOKENS_REVOKED)

    return handle


def _access_lost(services: AppServices, body: dict, access: WorkspaceAccess) -> None:
    """Every later Slack call for this workspace would fail: say so once, loudly, and pause its scheduled
    Slack work on every replica (the row is in the database) until a reinstall. Notes already captured still
    reach the case system (the outbox needs no Slack token). Installed by OAuth, its tokens are deleted."""
    team_id = str(body.get("team_id") or "")
    with services.sessions.begin() as session:
        served = record_access_lost(session, team_id, access, now=utcnow())
    if not served:
        log.info("Slack says the app lost access to workspace %s, which this database does not serve", team_id)
        return
    store = services.installation_store
    if store is not None:
        store.delete_all(enterprise_id=body.get("enterprise_id") or None, team_id=team_id)
        services.slack.forget(team_id)
        how = "an admin of the workspace can install it again at /slack/install"
    else:
        how = "reinstall the app and set the new SLACK_BOT_TOKEN, then restart case-swarm"
    what = "the app was uninstalled from" if access is WorkspaceAccess.UNINSTALLED else "the app's token was revoked in"
    log.error("Slack access lost: %s workspace %s. Its scheduled Slack work is paused on every replica; %s.",
              what, team_id, how)

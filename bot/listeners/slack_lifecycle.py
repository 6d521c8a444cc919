"""Slack-side changes the app must follow: a swarm channel archived, unarchived or renamed by hand, and
the app uninstalled or its tokens revoked. Thin: parse the event, call the domain, log.

Private channels (every swarm channel) send `group_*` events, public ones `channel_*`: both are handled.
"""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.listeners.messages import nudge_delivery
from bot.services import AppServices
from swarms.opening.channel_events import channel_archived, channel_renamed, channel_unarchived

log = logging.getLogger(__name__)


def register(app: App, services: AppServices) -> None:
    for prefix in ("group", "channel"):
        app.event(f"{prefix}_archive")(_on_archive(services))
        app.event(f"{prefix}_unarchive")(_on_unarchive(services))
        app.event(f"{prefix}_rename")(_on_rename(services))
    app.event("app_uninstalled")(_on_access_lost(services, "the app was uninstalled from the workspace"))
    app.event("tokens_revoked")(_on_access_lost(services, "the app's tokens were revoked"))


def _channel_id(event: dict) -> str:
    channel = event.get("channel")
    return channel.get("id", "") if isinstance(channel, dict) else str(channel or "")


def _on_archive(services: AppServices):
    def handle(event: dict, body: dict) -> None:
        user_id = event.get("user") or event.get("actor_id") or ""
        name = services.people.get(user_id).display_name if user_id else "Slack"
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


def _on_access_lost(services: AppServices, what: str):
    def handle(event: dict) -> None:
        # Every later Slack call would fail: stop the scheduled Slack work here and say so once, loudly.
        # Notes already captured still reach the case system (the outbox needs no Slack token).
        log.error("Slack access lost: %s. Scheduled Slack work is paused; reinstall the app and set the new "
                  "SLACK_BOT_TOKEN, then restart case-swarm.", what)
        scheduler = services.scheduler
        if scheduler is not None and getattr(scheduler, "running", False):
            scheduler.pause()

    return handle

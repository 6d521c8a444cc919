"""Every listener folder registers itself here, explicitly. The order does not matter: what features add
(subcommands, hooks, routes) goes into typed fields of the services, each standing alone."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import (
    catchup,
    commands,
    existing_work,
    experts,
    home,
    knowledge,
    messages,
    middleware,
    note_sync,
    slack_lifecycle,
    swarm_from_message,
    workspace_settings,
)
from bot.services import AppServices


def register_all(app: App, services: AppServices) -> None:
    middleware.register(app, services)
    commands.register(app, services)
    messages.register(app, services)
    note_sync.register(app, services)
    experts.register(app, services)
    knowledge.register(app, services)
    home.register(app, services)
    catchup.register(app, services)
    swarm_from_message.register(app, services)
    slack_lifecycle.register(app, services)
    existing_work.register(app, services)
    workspace_settings.register(app, services)

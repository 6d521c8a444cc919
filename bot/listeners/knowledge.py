"""Listeners of the knowledge feature (filled by its issue)."""

from __future__ import annotations

from slack_bolt import App

from bot.services import AppServices


def register(app: App, services: AppServices) -> None:
    """Commands, actions, views and background hooks of this feature."""

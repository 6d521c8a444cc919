"""Who the bot is in this workspace (auth.test), asked once per process: its user id and the workspace URL."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.services import AppServices


def bot_identity(services: AppServices) -> dict:
    """auth.test's answer, cached; an empty dict (asked again next time) while Slack refuses or is down."""
    identity = services.caches.bot_identity
    if identity is None:
        try:
            identity = dict(services.client.auth_test().data)
        except SlackApiError:
            return {}
        services.caches.bot_identity = identity
    return identity


def workspace_url(services: AppServices) -> str:
    """`https://<team>.slack.com/`, for permalinks built without a call each; "" while Slack cannot say."""
    return bot_identity(services).get("url", "") or ""

"""Who the bot is in each workspace (auth.test), asked once per process and team: its user id and the
workspace URL."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.services import AppServices


def bot_identity(services: AppServices, team_id: str) -> dict:
    """auth.test's answer in `team_id`, cached; an empty dict (asked again next time) while Slack refuses or is
    down."""
    identity = services.caches.bot_identity.get(team_id)
    if identity is None:
        try:
            identity = dict(services.slack_for(team_id).auth_test().data)
        except SlackApiError:
            return {}
        services.caches.bot_identity[team_id] = identity
    return identity


def workspace_url(services: AppServices, team_id: str) -> str:
    """`https://<team>.slack.com/`, for permalinks built without a call each; "" while Slack cannot say."""
    return bot_identity(services, team_id).get("url", "") or ""

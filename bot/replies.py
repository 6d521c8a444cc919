"""Answers only the asker sees, written one way by every listener."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def reply_privately(respond: Callable[..., object], text: str, **fields: object) -> None:
    """Ephemeral, through the request's response_url, beside (never instead of) the message clicked."""
    respond(response_type="ephemeral", replace_original=False, text=text, **fields)


def tell_privately(client: WebClient, user_id: str, channel_id: str, text: str, **fields: object) -> None:
    """Where the request has no response_url (a view submission, an event): ephemeral in the channel, else a
    DM. Slack refusing is logged: the work the answer is about is already done."""
    try:
        if channel_id:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, **fields)
        else:
            client.chat_postMessage(channel=user_id, text=text, **fields)
    except SlackApiError as exc:
        log.warning("could not answer %s: %s", user_id, exc.response.get("error"))

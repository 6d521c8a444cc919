"""Where a swarm happens, in words: its own channel, or a thread of a team channel with the thread's link."""

from __future__ import annotations

from bot.i18n.catalog import t
from bot.slack.markup import message_permalink


def thread_link(workspace_url: str, channel_id: str, thread_ts: str) -> str:
    """The thread's permalink (its parent, the card), built locally; "" when the workspace URL is unknown."""
    return message_permalink(workspace_url, channel_id, thread_ts)


def place_text(channel_id: str, thread_ts: str | None, *, workspace_url: str, lang: str) -> str:
    """`<#C…>` for a swarm channel; "a thread in <#C…> (open it)" for a thread swarm."""
    if not thread_ts:
        return f"<#{channel_id}>"
    link = thread_link(workspace_url, channel_id, thread_ts)
    if not link:
        return t("thread.place_no_link", lang, channel=channel_id)
    return t("thread.place", lang, channel=channel_id, link=link)

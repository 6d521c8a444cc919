"""Slack message markup made readable for a case record: mentions by name, links kept, entities decoded.

`<@U123>` → `@Jiwoo Kim`, `<#C123|general>` → `#general`, `<https://x|the doc>` → `the doc (https://x)`,
`<!here>` → `@here`, `&lt;` → `<`. Korean and other text pass through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

_TOKEN = re.compile(r"<([^<>]+)>")


def readable_text(text: str, *, user_name: Callable[[str], str], channel_name: Callable[[str], str]) -> str:
    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or user_name(target[1:]))
        if target.startswith("#"):
            return "#" + (label or channel_name(target[1:]))
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!"):
            return "@" + (label.lstrip("@") or target[1:].split("^")[0])
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        if label and label != target:
            return f"{label} ({target})"
        return target

    replaced = _TOKEN.sub(replace, text or "")
    return replaced.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def message_permalink(workspace_url: str, channel_id: str, ts: str, thread_ts: str | None = None) -> str:
    """Slack's permalink shape, built locally: chat.getPermalink for every message would cost a call each."""
    if not workspace_url:
        return ""
    link = f"{workspace_url.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel_id}"
    return link


def note_body(text: str, *, files: Sequence[dict] = (), permalink: str = "") -> str:
    """The note as the case record shows it: the text, attached files, and where it was said."""
    parts = [text.strip()] if text.strip() else []
    for file in files:
        name = file.get("name") or file.get("title") or "file"
        link = file.get("permalink") or file.get("url_private") or ""
        parts.append(f"Attached: {name}" + (f" ({link})" if link else ""))
    if permalink:
        parts.append(f"Slack: {permalink}")
    return "\n".join(parts)


def ts_to_datetime(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)

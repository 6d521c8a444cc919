"""The "Swarm on this case" message shortcut's modal: the numbers found in the message, or a search."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass

from bot.i18n.catalog import t
from bot.views.blocks import MAX_PRIVATE_METADATA, clip, context, escape_mrkdwn, plain
from swarms.case_systems.search import CaseHit

EXCERPT_CHARS = 300
MAX_FOUND = 10  # radio buttons take at most 10 options
KEPT_TEXT = 2000  # the message text kept in the round trip; longer ones are read again from Slack


class FromMessageCallback(enum.StrEnum):
    SHORTCUT = "swarm_from_message"  # the message shortcut (manifest.yml)
    VIEW = "swarm.from_message"


class FromMessageBlock(enum.StrEnum):
    FOUND = "swarm.found"
    SEARCH = "swarm.search"


class FromMessageAction(enum.StrEnum):
    FOUND = "swarm.found_pick"
    SEARCH = "swarm.search_pick"


@dataclass(frozen=True, slots=True)
class FromMessageState:
    """The message the swarm starts from; crosses the modal round trip and is validated on the way back."""

    channel_id: str
    ts: str
    thread_ts: str = ""
    user_id: str = ""
    text: str | None = None  # None: too long to keep, read again from Slack
    response_url: str = ""
    app_name: str = ""  # an app's message (an alert) has no user: the name it posted under

    def dumps(self) -> str:
        data = {"c": self.channel_id, "ts": self.ts, "th": self.thread_ts, "u": self.user_id,
                "x": self.text if self.text is None else self.text[:KEPT_TEXT], "r": self.response_url,
                "a": self.app_name[:80]}
        encoded = json.dumps(data, ensure_ascii=False)
        if len(encoded) > MAX_PRIVATE_METADATA:
            encoded = json.dumps({**data, "x": None}, ensure_ascii=False)
        return encoded

    @classmethod
    def loads(cls, raw: str) -> FromMessageState:
        if len(raw or "") > MAX_PRIVATE_METADATA:
            raise ValueError("state too long")
        data = json.loads(raw or "{}")
        if not isinstance(data, dict):
            raise ValueError("bad state")
        fields = [data.get(k) or "" for k in ("c", "ts", "th", "u", "r", "a")]
        text = data.get("x")
        if not all(isinstance(v, str) for v in fields) or not (fields[0] and fields[1]):
            raise ValueError("bad swarm-from-message state")
        if text is not None and not isinstance(text, str):
            raise ValueError("bad swarm-from-message text")
        if fields[4] and not fields[4].startswith(("https://", "http://")):
            raise ValueError("bad response url")
        channel, ts, thread, user, url, app_name = fields
        return cls(channel, ts, thread, user, text, url, app_name[:80])


def from_message_modal(found: list[str], state: FromMessageState, *, excerpt: str, lang: str) -> dict:
    blocks: list[dict] = [context(t("from_message.quote", lang, text=escape_mrkdwn(clip(excerpt, EXCERPT_CHARS))
                                    or t("from_message.no_text", lang)))]
    options = [{"text": plain(number, 75), "value": number} for number in found[:MAX_FOUND]]
    if options:
        element: dict = {"type": "radio_buttons", "action_id": FromMessageAction.FOUND, "options": options}
        if len(options) == 1:
            element["initial_option"] = options[0]
        label = "from_message.found_one" if len(options) == 1 else "from_message.found_many"
        blocks.append({"type": "input", "block_id": FromMessageBlock.FOUND, "optional": True,
                       "label": plain(t(label, lang)), "element": element})
    blocks.append({"type": "input", "block_id": FromMessageBlock.SEARCH, "optional": True,
                   "label": plain(t("from_message.search_label" if options else "from_message.search_only", lang)),
                   "element": {"type": "external_select", "action_id": FromMessageAction.SEARCH,
                               "min_query_length": 2,
                               "placeholder": plain(t("from_message.search_placeholder", lang))}})
    return {"type": "modal", "callback_id": FromMessageCallback.VIEW, "private_metadata": state.dumps(),
            "title": plain(t("from_message.title", lang), 24), "submit": plain(t("from_message.submit", lang), 24),
            "close": plain(t("from_message.cancel", lang), 24), "blocks": blocks}


def case_options(hits: list[CaseHit], lang: str) -> dict:
    """The external_select's answer: number and subject, closed cases said so."""
    options = []
    for hit in hits[:100]:
        label = f"{hit.number} · {hit.subject}" if hit.subject else hit.number
        if hit.is_closed:
            label = t("from_message.closed_option", lang, label=label)
        options.append({"text": plain(label, 75), "value": hit.number[:150]})
    return {"options": options}


def picked_number(view: dict) -> str:
    """The searched pick wins over a number found in the message; "" when neither was chosen."""
    values = view.get("state", {}).get("values", {})
    for block, action in ((FromMessageBlock.SEARCH, FromMessageAction.SEARCH),
                          (FromMessageBlock.FOUND, FromMessageAction.FOUND)):
        option = (values.get(block, {}).get(action) or {}).get("selected_option") or {}
        value = option.get("value")
        if isinstance(value, str) and value.strip():
            return value.strip()[:64]
    return ""


def origin_block(permalink: str, author: str, lang: str) -> dict:
    """The line the case card gains when a swarm starts from a message."""
    return context(t("from_message.card_origin", lang, link=permalink, author=author))

"""The "Swarm on this case" message shortcut's modal: the numbers found in the message, or a search."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from bot.i18n.catalog import t
from bot.views.blocks import MAX_PRIVATE_METADATA, clip, context, escape_mrkdwn, plain
from bot.views.roundtrip import SLACK_CHANNEL, SLACK_TS, TS_PATTERN, USER_PATTERN, Maybe, RoundTrip, Text, slot
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
class FromMessageState(RoundTrip):
    """The message the swarm starts from; crosses the modal round trip and is validated on the way back."""

    LIMIT = MAX_PRIVATE_METADATA
    channel_id: str = slot("c", SLACK_CHANNEL)
    ts: str = slot("ts", SLACK_TS)
    thread_ts: str = slot("th", Text(24, pattern=TS_PATTERN), default="")
    user_id: str = slot("u", Text(32, pattern=USER_PATTERN), default="")
    text: str | None = slot("x", Maybe(Text(KEPT_TEXT)), default=None)  # None: too long to keep, read again
    response_url: str = slot("r", Text(1000, pattern=r"https?://\S+"), default="")
    app_name: str = slot("a", Text(80), default="")  # an app's message (an alert) has no user: its name

    def dumps(self) -> str:
        # A text too long to carry is left out whole (read again from Slack), never cut.
        clipped = replace(self, text=self.text if self.text and len(self.text) <= KEPT_TEXT else None,
                          app_name=self.app_name[:80])
        return clipped.dumps_dropping(text=None)


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

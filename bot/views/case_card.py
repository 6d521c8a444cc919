"""The case card: the first message of every swarm channel."""

from __future__ import annotations

import enum

from bot.i18n.catalog import t
from bot.views.blocks import button, clip, context, escape_mrkdwn, header, section
from bot.views.knowledge import KnowledgeAction, close_button


class CaseCardAction(enum.StrEnum):
    OPEN_CASE = "case_card.open_case"
    CATCH_UP = "case_card.catch_up"  # a thread swarm's card: slash commands do not work in threads


class CaseCardBlock(enum.StrEnum):
    HEADER = "case_card.header"
    FIELDS = "case_card.fields"
    DESCRIPTION = "case_card.description"
    ACTIONS = "case_card.actions"
    THREAD_HINT = "case_card.thread_hint"
    CLOSED = "case_card.closed"


DESCRIPTION_EXCERPT = 600


def case_card_text(case, lang: str) -> str:
    """Fallback text: what notifications and screen readers show."""
    return t("card.fallback", lang, case=case.number, subject=case.subject,
             priority=case.priority or "—", status=case.status or "—")


def case_card_blocks(case, *, lang: str, opened_by: str = "", extra_actions: list[dict] | None = None,
                     closed_line: str = "", in_thread: bool = False) -> list[dict]:
    """Number, subject, priority, status, product, account, a description excerpt, a link to the case.

    An open swarm's card has a Close button; once closed (`closed_line` says by whom, when) it has not.
    A thread swarm's card (`in_thread`) is the parent of its thread in a team channel: it says that replies
    become notes, and has Catch me up, since Slack takes no slash commands in threads.
    """
    none = t("card.none", lang)

    def value(text: str) -> str:
        return escape_mrkdwn(text) if text else none

    blocks = [
        header(t("card.header", lang, case=case.number, subject=case.subject), block_id=CaseCardBlock.HEADER),
        section(
            " ",
            block_id=CaseCardBlock.FIELDS,
            fields=[
                t("card.priority", lang, value=value(case.priority)),
                t("card.status", lang, value=value(case.status)),
                t("card.product", lang, value=value(case.product)),
                t("card.account", lang, value=value(case.account)),
            ],
        ),
    ]
    if case.description:
        excerpt = escape_mrkdwn(clip(case.description.strip(), DESCRIPTION_EXCERPT))
        blocks.append(section(t("card.description", lang, value=excerpt), block_id=CaseCardBlock.DESCRIPTION))
    elements = []
    if case.url:
        elements.append(button(t("card.open_case", lang), CaseCardAction.OPEN_CASE, url=case.url))
    elements.extend(extra_actions or [])
    if in_thread:
        elements.append(button(t("card.catch_up", lang), CaseCardAction.CATCH_UP))
    if not closed_line:
        elements.append(close_button(lang))
    if elements:
        blocks.append({"type": "actions", "block_id": CaseCardBlock.ACTIONS, "elements": elements})
    if opened_by:
        blocks.append(context(t("card.opened_by", lang, user=opened_by)))
    if in_thread and not closed_line:
        blocks.append(context(t("card.thread_hint", lang), block_id=CaseCardBlock.THREAD_HINT))
    if closed_line:
        blocks.append(context(closed_line, block_id=CaseCardBlock.CLOSED))
    return blocks


def closed_card_from_posted(posted: list[dict], closed_line: str) -> list[dict]:
    """The card as it stands in the channel, closed: no Close button, the closed line at the end.

    For when the case system cannot be read at closing: the posted card keeps every field it showed
    instead of being rebuilt from the little the swarm row remembers."""
    blocks = []
    for block in posted:
        if block.get("block_id") == CaseCardBlock.CLOSED:
            continue
        if block.get("block_id") == CaseCardBlock.ACTIONS:
            elements = [e for e in block.get("elements", []) if e.get("action_id") != KnowledgeAction.CLOSE_SWARM]
            if not elements:
                continue
            block = {**block, "elements": elements}
        blocks.append(block)
    return [*blocks, context(closed_line, block_id=CaseCardBlock.CLOSED)]

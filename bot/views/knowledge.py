"""Block Kit of closing and marks, and the ids and round-trip state of the draft review (whose messages
and Edit modal are in `knowledge_review`). Pure functions, inside Slack's limits."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.i18n.catalog import t
from bot.views.blocks import (
    MAX_PRIVATE_METADATA,
    MAX_SECTION_TEXT,
    button,
    context,
    escape_mrkdwn,
    plain,
    section,
)
from bot.views.roundtrip import DB_ID, MappingOf, RoundTrip, Whole, slot
from knowledge_export.models import Section
from swarms.knowledge.closing import CASE_SYSTEM_CLOSER, ClosedSwarm

MAX_INPUT = 3000  # plain_text_input max_length
EDIT_SECTIONS = (Section.TITLE, Section.PROBLEM, Section.ENVIRONMENT, Section.CAUSE, Section.RESOLUTION,
                 Section.STEPS)


class KnowledgeAction(enum.StrEnum):
    CLOSE_SWARM = "knowledge.close_swarm"  # the case card's Close button
    EDIT = "knowledge.edit"
    PUBLISH = "knowledge.publish"
    DISCARD = "knowledge.discard"
    SUMMARY_INPUT = "knowledge.summary_input"
    CREDIT_INPUT = "knowledge.credit_input"
    SECTION_INPUT = "knowledge.section_input"
    RESTORE_INPUT = "knowledge.restore_input"


class KnowledgeCallback(enum.StrEnum):
    MARK_RESOLUTION = "mark_resolution"  # the message shortcut (manifest.yml)
    CLOSE_VIEW = "knowledge.close_view"
    EDIT_VIEW = "knowledge.edit_view"


class KnowledgeBlock(enum.StrEnum):
    CLOSE_SUMMARY = "knowledge.close.summary"
    CLOSE_CREDIT = "knowledge.close.credit"
    DRAFT_ACTIONS = "knowledge.draft.actions"
    EDIT_PREFIX = "knowledge.edit."  # + "<section>.<part>"


# ---------------------------------------------------------------- state crossing Slack round trips


@dataclass(frozen=True, slots=True)
class DraftRef(RoundTrip):
    """A draft button's value. Forged values fail here; rights are checked again in the domain."""

    draft_id: int = slot("d", DB_ID)


@dataclass(frozen=True, slots=True)
class CloseState(RoundTrip):
    LIMIT = MAX_PRIVATE_METADATA
    swarm_id: int = slot("s", DB_ID)


@dataclass(frozen=True, slots=True)
class EditState(RoundTrip):
    """The Edit modal's private_metadata: which draft, and how many inputs each section was split into."""

    LIMIT = MAX_PRIVATE_METADATA
    draft_id: int = slot("d", DB_ID)
    parts: tuple[tuple[str, int], ...] = slot(
        "p", MappingOf({s.value for s in EDIT_SECTIONS}, Whole(1, 40), most=len(EDIT_SECTIONS)))


# ---------------------------------------------------------------- closing


def slack_date(at: datetime, fallback_format: str = "%Y-%m-%d") -> str:
    """Slack shows it in each reader's own timezone; the fallback is UTC."""
    return f"<!date^{int(at.timestamp())}^{{date_short}}|{at.strftime(fallback_format)} UTC>"


def close_button(lang: str) -> dict:
    return button(t("knowledge.close_button", lang), KnowledgeAction.CLOSE_SWARM, style="danger")


def close_modal(swarm_id: int, case_number: str, credited: list[str], *, lang: str, archive_days: float,
                in_thread: bool = False) -> dict:
    """Resolution summary and who to credit (prefilled with the top contributors)."""
    days = int(archive_days) if float(archive_days).is_integer() else archive_days
    credit: dict = {"type": "multi_users_select", "action_id": KnowledgeAction.CREDIT_INPUT,
                    "placeholder": plain(t("knowledge.close_credit_label", lang))}
    if credited:
        credit["initial_users"] = list(credited)[:100]
    return {
        "type": "modal",
        "callback_id": KnowledgeCallback.CLOSE_VIEW,
        "private_metadata": CloseState(swarm_id).dumps(),
        "title": plain(t("knowledge.close_modal_title", lang), 24),
        "submit": plain(t("knowledge.close_modal_submit", lang), 24),
        "close": plain(t("knowledge.cancel", lang), 24),
        "blocks": [
            section(t("knowledge.close_modal_intro_thread", lang, case=escape_mrkdwn(case_number)) if in_thread
                    else t("knowledge.close_modal_intro", lang, case=escape_mrkdwn(case_number), days=days)),
            {"type": "input", "block_id": KnowledgeBlock.CLOSE_SUMMARY, "optional": True,
             "label": plain(t("knowledge.close_summary_label", lang)),
             "element": {"type": "plain_text_input", "action_id": KnowledgeAction.SUMMARY_INPUT, "multiline": True,
                         "max_length": MAX_INPUT,
                         "placeholder": plain(t("knowledge.close_summary_placeholder", lang))}},
            {"type": "input", "block_id": KnowledgeBlock.CLOSE_CREDIT, "optional": True,
             "label": plain(t("knowledge.close_credit_label", lang)),
             "hint": plain(t("knowledge.close_credit_hint", lang)), "element": credit},
        ],
    }


def close_submission(view: dict) -> tuple[CloseState, str, tuple[str, ...]]:
    """(state, summary, credited user ids) from a submitted Close modal; ValueError if forged."""
    state = CloseState.loads(view.get("private_metadata", ""))
    values = (view.get("state") or {}).get("values") or {}
    summary = (values.get(KnowledgeBlock.CLOSE_SUMMARY, {}).get(KnowledgeAction.SUMMARY_INPUT, {}).get("value")
               or "")
    users = values.get(KnowledgeBlock.CLOSE_CREDIT, {}).get(KnowledgeAction.CREDIT_INPUT, {}).get("selected_users")
    if not isinstance(summary, str) or not isinstance(users or [], list):
        raise ValueError("bad close submission")
    return state, summary.strip(), tuple(str(u) for u in (users or []))


def closed_message(closed: ClosedSwarm, *, system: str) -> tuple[str, list[dict]]:
    """The summary posted in the channel: who closed, the resolution, who is credited, when it is archived."""
    lang = closed.language
    if closed.closed_by == CASE_SYSTEM_CLOSER:
        title = t("knowledge.closed_by_case_system", lang, case=escape_mrkdwn(closed.case_number), system=system)
    else:
        title = t("knowledge.closed_by_person", lang, user=closed.closed_by, case=escape_mrkdwn(closed.case_number))
    summary = escape_mrkdwn(closed.summary)
    resolution = t("knowledge.resolution", lang, summary=summary) if summary else t("knowledge.no_resolution", lang)
    people = ", ".join(f"<@{u}>" for u in closed.credited)
    credited = t("knowledge.credited", lang, people=people) if people else t("knowledge.nobody_credited", lang)
    blocks = [section(title), section(_fit(resolution)), section(_fit(credited))]
    if closed.thread_ts:  # a thread of a team channel: nothing is archived
        blocks.append(context(t("knowledge.thread_closed_on", lang)))
    elif closed.archive_due_at is not None:
        blocks.append(context(t("knowledge.archive_on", lang, date=slack_date(closed.archive_due_at))))
    return f"{title}\n{closed.summary}".strip()[:3000], blocks


def card_closed_line(closed: ClosedSwarm) -> str:
    who = (t("knowledge.card_closed_by_case_system", closed.language) if closed.closed_by == CASE_SYSTEM_CLOSER
           else f"<@{closed.closed_by}>")
    return t("knowledge.card_closed", closed.language, who=who, date=slack_date(closed.closed_at))


def _fit(text: str) -> str:
    """Texts a person typed (a summary) are long only by accident: say so instead of failing the post."""
    return text if len(text) <= MAX_SECTION_TEXT else text[: MAX_SECTION_TEXT - 1] + "…"

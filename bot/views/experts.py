"""Block Kit of the expert finder: suggestions with Invite buttons, the DM asking an expert, the decline
modal, notices to the swarm. Pure functions; the small JSON models cross Slack round trips and are
validated on the way back, because a button value can be forged."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n.catalog import t
from bot.views.blocks import (
    MAX_MESSAGE_BLOCKS,
    MAX_MODAL_TITLE,
    MAX_PRIVATE_METADATA,
    actions,
    button,
    clip,
    context,
    escape_mrkdwn,
    fit_blocks,
    header,
    plain,
    section,
)
from bot.views.roundtrip import (
    CASE_NUMBER,
    CHANNEL_PATTERN,
    DB_ID,
    SLACK_USER,
    TS_PATTERN,
    ListOf,
    RoundTrip,
    Text,
    slot,
)
from expert_finder.explain import reason_text, suggestion_line
from expert_finder.models import Suggestion
from swarms.experts.invites import ExpertNotice, InviteResult, JoinRequest

MAX_INVITE_ALL = 10
MAX_REASON = 500


class ExpertsAction(enum.StrEnum):
    INVITE = "experts.invite"
    INVITE_ALL = "experts.invite_all"
    JOIN = "experts.join"
    DECLINE = "experts.decline"
    OPEN_CASE = "experts.open_case"
    DECLINE_REASON = "experts.decline_reason_input"


class ExpertsBlock(enum.StrEnum):
    HEADER = "experts.header"
    INVITE_ALL = "experts.invite_all"
    ANSWER = "experts.answer"
    DECLINE_REASON = "experts.decline_reason"


class ExpertsCallback(enum.StrEnum):
    DECLINE = "experts.decline_view"


# ---------------------------------------------------------------- round-trip models


@dataclass(frozen=True, slots=True)
class InviteValue(RoundTrip):
    """An Invite (one person) or Invite all (several) button: which swarm, whom."""

    swarm_id: int = slot("s", DB_ID)
    user_ids: tuple[str, ...] = slot("u", ListOf(SLACK_USER, least=1, most=MAX_INVITE_ALL))


@dataclass(frozen=True, slots=True)
class AnswerValue(RoundTrip):
    """Join / Decline in the DM: which invitation. Whether the clicker owns it is checked in the domain."""

    outcome_id: int = slot("o", DB_ID)
    case_number: str = slot("n", CASE_NUMBER, default="")  # shown in the decline modal only


@dataclass(frozen=True, slots=True)
class DeclineState(RoundTrip):
    """The decline modal's private_metadata: the invitation and the DM to update afterwards."""

    LIMIT = MAX_PRIVATE_METADATA
    outcome_id: int = slot("o", DB_ID)
    dm_channel: str = slot("c", Text(32, pattern=CHANNEL_PATTERN), default="")
    dm_ts: str = slot("t", Text(24, pattern=TS_PATTERN), default="")
    case_number: str = slot("n", CASE_NUMBER, default="")


# ---------------------------------------------------------------- suggestions in the swarm


def suggestions_text(case_number: str, suggestions: Sequence[Suggestion], lang: str) -> str:
    names = ", ".join(s.name for s in suggestions) or "—"
    return t("experts.suggestions.fallback", lang, case=case_number, names=names)


def suggestion_blocks(swarm_id: int, case_number: str, suggestions: Sequence[Suggestion],
                      uncovered: Sequence[str], *, lang: str, mode: str = "ask",
                      auto_invited: Sequence[str] = ()) -> list[dict]:
    """A header, one section per suggestion with its reasons and an Invite button, then Invite all."""
    suggestions = list(suggestions)[:MAX_INVITE_ALL]
    blocks: list[dict] = [header(t("experts.suggestions.header", lang, case=case_number), block_id=ExpertsBlock.HEADER)]
    if not suggestions:
        blocks.append(section(t("experts.suggestions.none", lang, case=escape_mrkdwn(case_number))))
    for rank, suggestion in enumerate(suggestions, start=1):
        blocks.append(_suggestion_section(swarm_id, rank, suggestion, lang))
    if uncovered:
        skills = ", ".join(f"*{escape_mrkdwn(s)}*" for s in uncovered)
        blocks.append(context(t("experts.suggestions.uncovered", lang, skills=skills)))
    if auto_invited:
        blocks.append(context(t("experts.suggestions.auto_invited", lang, users=mentions(auto_invited))))
    if len(suggestions) > 1:
        value = InviteValue(swarm_id, tuple(s.user_id for s in suggestions)).dumps()
        blocks.append(actions(button(t("experts.button.invite_all", lang), ExpertsAction.INVITE_ALL, value=value),
                              block_id=ExpertsBlock.INVITE_ALL))
    if suggestions:
        hint = "experts.suggestions.hint_add" if mode == "add" else "experts.suggestions.hint"
        blocks.append(context(t(hint, lang)))
    return fit_blocks(blocks, MAX_MESSAGE_BLOCKS)


def _suggestion_section(swarm_id: int, rank: int, suggestion: Suggestion, lang: str) -> dict:
    line = escape_mrkdwn(suggestion_line(suggestion, lang))
    invite = button(t("experts.button.invite", lang), ExpertsAction.INVITE, style="primary",
                    value=InviteValue(swarm_id, (suggestion.user_id,)).dumps())
    return section(t("experts.suggestions.item", lang, rank=rank, user=suggestion.user_id, line=line),
                   accessory=invite)


def suggestions_after_invite(blocks: Sequence[dict], result: InviteResult, *, by: str, lang: str) -> list[dict]:
    """The suggestions message once someone used an Invite button: whom it asked (or added) and who did it, the
    buttons of the people taken care of gone, Invite all gone once fewer than two are left to invite. Built from
    the message Slack sent back with the click, so what the bot posted earlier (reasons, notes) stays."""
    done = {*result.asked, *result.added, *(u for u, why in result.skipped if why in ("member", "pending"))}
    kept: list[dict] = []
    for block in blocks:
        if not isinstance(block, dict):
            continue
        if block.get("block_id") == ExpertsBlock.INVITE_ALL:
            left = [u for u in _invitees(block.get("elements") or [{}]) if u not in done]
            if len(left) > 1:
                value = InviteValue(_invite_swarm(block["elements"][0]), tuple(left)).dumps()
                kept.append(actions(button(t("experts.button.invite_all", lang), ExpertsAction.INVITE_ALL,
                                           value=value), block_id=ExpertsBlock.INVITE_ALL))
            continue
        accessory = block.get("accessory") or {}
        named = set(_invitees([accessory])) if accessory.get("action_id") == ExpertsAction.INVITE else set()
        if named and named <= done:
            block = {k: v for k, v in block.items() if k != "accessory"}
        kept.append(block)
    if result.asked:
        kept.append(context(t("experts.suggestions.asked_by", lang, by=by, users=mentions(result.asked))))
    if result.added:
        kept.append(context(t("experts.suggestions.added_by", lang, by=by, users=mentions(result.added))))
    return fit_blocks(kept, MAX_MESSAGE_BLOCKS)


def _invitees(elements: Sequence[dict]) -> tuple[str, ...]:
    """Whom an Invite button's value names; nothing when the value is not one the app wrote."""
    try:
        return InviteValue.loads(str(elements[0].get("value") or "")).user_ids
    except (ValueError, AttributeError, IndexError):
        return ()


def _invite_swarm(element: dict) -> int:
    return InviteValue.loads(str(element.get("value") or "")).swarm_id


def mentions(user_ids: Sequence[str]) -> str:
    return ", ".join(f"<@{u}>" for u in user_ids)


def invite_result_text(result: InviteResult, lang: str) -> str:
    lines = []
    if result.asked:
        lines.append(t("experts.invite.asked", lang, users=mentions(result.asked)))
    if result.added:
        lines.append(t("experts.invite.added", lang, users=mentions(result.added)))
    for why in ("member", "pending"):
        users = [u for u, w in result.skipped if w == why]
        if users:
            lines.append(t(f"experts.invite.{why}", lang, users=mentions(users)))
    lines += [t("experts.invite.opted_out", lang, user=u) for u, w in result.skipped if w == "opted_out"]
    lines += [t("experts.invite.opted_out_by_hand", lang, user=u) for u in result.opted_out]
    if result.failed:
        each = ", ".join(t("experts.invite.failed_one", lang, user=u, why=why_text(w, lang)) for u, w in result.failed)
        lines.append(t("experts.invite.failed", lang, users=each))
    return "\n".join(lines) or t("experts.invite.nobody", lang)


def why_text(code: str, lang: str) -> str:
    if code in ("deactivated", "user_not_found", "bot"):
        return t(f"experts.why.{code}", lang)
    if code in ("user_disabled", "account_inactive"):
        return t("experts.why.deactivated", lang)
    return t("experts.why.other", lang, code=code)


# ---------------------------------------------------------------- the DM to an expert


def join_request_text(request: JoinRequest, lang: str) -> str:
    return t("experts.request.fallback", lang, by=request.invited_by, case=request.swarm.case_number,
             subject=request.swarm.case_subject)


def join_request_blocks(request: JoinRequest, lang: str) -> list[dict]:
    """The case, who asks, why this person, and Join / Decline."""
    info = request.swarm
    reasons = " · ".join(escape_mrkdwn(reason_text(r, lang)) for r in request.reasons)
    why = (t("experts.request.why", lang, reasons=reasons) if reasons
           else t("experts.request.why_by_hand", lang, by=request.invited_by))
    value = AnswerValue(request.outcome_id, info.case_number).dumps()
    elements = [
        button(t("experts.request.join", lang), ExpertsAction.JOIN, value=value, style="primary"),
        button(t("experts.request.decline", lang), ExpertsAction.DECLINE, value=value),
    ]
    if info.case_url:
        elements.append(button(t("experts.request.open_case", lang), ExpertsAction.OPEN_CASE, url=info.case_url))
    return [
        section(t("experts.request.intro", lang, by=request.invited_by, case=escape_mrkdwn(info.case_number))),
        section(t("experts.request.subject_thread" if info.thread_ts else "experts.request.subject", lang,
                  subject=escape_mrkdwn(clip(info.case_subject, 500)), channel=escape_mrkdwn(info.channel_name))),
        section(why),
        actions(*elements, block_id=ExpertsBlock.ANSWER),
        context(t("experts.request.hint", lang)),
    ]


def answered_blocks(text: str) -> list[dict]:
    """The DM once answered: the buttons go, so nobody clicks twice."""
    return [section(text)]


def decline_modal(state: DeclineState, lang: str) -> dict:
    return {
        "type": "modal",
        "callback_id": ExpertsCallback.DECLINE,
        "private_metadata": state.dumps(),
        "title": plain(t("experts.decline_modal.title", lang), MAX_MODAL_TITLE),
        "submit": plain(t("experts.decline_modal.submit", lang), MAX_MODAL_TITLE),
        "close": plain(t("experts.decline_modal.cancel", lang), MAX_MODAL_TITLE),
        "blocks": [
            section(t("experts.decline_modal.intro", lang, case=escape_mrkdwn(state.case_number or "—"))),
            {
                "type": "input",
                "block_id": ExpertsBlock.DECLINE_REASON,
                "optional": True,
                "label": plain(t("experts.decline_modal.label", lang)),
                "element": {"type": "plain_text_input", "action_id": ExpertsAction.DECLINE_REASON, "multiline": True,
                            "max_length": MAX_REASON,
                            "placeholder": plain(t("experts.decline_modal.placeholder", lang))},
            },
        ],
    }


def decline_reason(view: dict) -> str:
    values = (view.get("state") or {}).get("values") or {}
    field = (values.get(ExpertsBlock.DECLINE_REASON) or {}).get(ExpertsAction.DECLINE_REASON) or {}
    return str(field.get("value") or "").strip()[:MAX_REASON]


# ---------------------------------------------------------------- notices to the swarm


def notice_text(notice: ExpertNotice, lang: str) -> str:
    user = notice.user_ids[0] if notice.user_ids else ""
    if notice.kind == "added":
        return t("experts.notice.added", lang, users=mentions(notice.user_ids))
    if notice.kind == "opted_out":
        return "\n".join(t("experts.invite.opted_out", lang, user=u) for u in notice.user_ids)
    if notice.kind == "declined" and notice.reason:
        return t("experts.notice.declined_reason", lang, user=user, reason=escape_mrkdwn(clip(notice.reason, 500)))
    return t(f"experts.notice.{notice.kind}", lang, user=user)


def mention_chunks(user_ids: Sequence[str], limit: int = 2900) -> list[str]:
    """Mentions split between whole mentions, each chunk within a section's text limit."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for user in user_ids:
        mention = f"<@{user}>"
        if current and size + len(mention) + 2 > limit:
            chunks.append(", ".join(current))
            current, size = [], 0
        current.append(mention)
        size += len(mention) + 2
    if current:
        chunks.append(", ".join(current))
    return chunks


def notice_blocks(notice: ExpertNotice, lang: str, *, with_next: bool) -> list[dict]:
    if notice.kind == "added":  # a big invite: every name shown, split between mentions, never cut inside one
        chunks = mention_chunks(notice.user_ids) or [""]
        blocks = [section(t("experts.notice.added", lang, users=chunks[0]))]
        blocks += [section(chunk) for chunk in chunks[1:MAX_MESSAGE_BLOCKS]]
        return blocks
    blocks = [section(notice_text(notice, lang))]
    if not with_next:
        return blocks
    if notice.next is None:
        blocks.append(context(t("experts.notice.no_next", lang)))
        return blocks
    line = escape_mrkdwn(suggestion_line(notice.next, lang))
    invite = button(t("experts.button.invite", lang), ExpertsAction.INVITE, style="primary",
                    value=InviteValue(notice.swarm.swarm_id, (notice.next.user_id,)).dumps())
    blocks.append(section(t("experts.notice.next", lang, user=notice.next.user_id, line=line), accessory=invite))
    return blocks

"""Block Kit of closing, marks and the knowledge draft review. Pure functions, inside Slack's limits.

A draft that does not fit one message (a section over 3,000 characters, more than 50 blocks) is
never cut: the message becomes a short summary with the buttons, and the whole draft goes up as a
Markdown file beside it. The Edit modal splits long sections over several inputs of 3,000 characters.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime

from bot.i18n.catalog import t
from bot.views.blocks import (
    MAX_MESSAGE_BLOCKS,
    MAX_PRIVATE_METADATA,
    MAX_SECTION_TEXT,
    MAX_VIEW_BLOCKS,
    actions,
    button,
    context,
    divider,
    escape_mrkdwn,
    header,
    plain,
    section,
)
from knowledge_export.models import ArticleDraft, Section
from swarms.closing import CASE_SYSTEM_CLOSER, ClosedSwarm
from swarms.knowledge_drafts import DraftRecord
from swarms.knowledge_models import DraftState

MAX_INPUT = 3000  # plain_text_input max_length
MAX_TITLE_INPUT = 255
REDACTION_LINES = 25
SIMILAR_SHOWN = 3
BODY_SECTIONS = (Section.PROBLEM, Section.ENVIRONMENT, Section.CAUSE, Section.RESOLUTION, Section.STEPS)
EDIT_SECTIONS = (Section.TITLE, *BODY_SECTIONS)


class KnowledgeAction(enum.StrEnum):
    CLOSE_SWARM = "knowledge.close_swarm"  # the case card's Close button
    EDIT = "knowledge.edit"
    PUBLISH = "knowledge.publish"
    DISCARD = "knowledge.discard"
    SUMMARY_INPUT = "knowledge.summary_input"
    CREDIT_INPUT = "knowledge.credit_input"
    SECTION_INPUT = "knowledge.section_input"


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


def _positive_int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError("expected a positive id")
    return value


@dataclass(frozen=True, slots=True)
class DraftRef:
    """A draft button's value. Forged values fail here; rights are checked again in the domain."""

    draft_id: int

    def dumps(self) -> str:
        return json.dumps({"d": self.draft_id})

    @classmethod
    def loads(cls, raw: str) -> DraftRef:
        data = json.loads(raw or "{}")
        if not isinstance(data, dict):
            raise ValueError("bad draft reference")
        return cls(_positive_int(data.get("d")))


@dataclass(frozen=True, slots=True)
class CloseState:
    swarm_id: int

    def dumps(self) -> str:
        return json.dumps({"s": self.swarm_id})

    @classmethod
    def loads(cls, raw: str) -> CloseState:
        data = json.loads(raw or "{}")
        if not isinstance(data, dict):
            raise ValueError("bad close state")
        return cls(_positive_int(data.get("s")))


@dataclass(frozen=True, slots=True)
class EditState:
    """The Edit modal's private_metadata: which draft, and how many inputs each section was split into."""

    draft_id: int
    parts: tuple[tuple[str, int], ...]

    def dumps(self) -> str:
        encoded = json.dumps({"d": self.draft_id, "p": dict(self.parts)})
        if len(encoded) > MAX_PRIVATE_METADATA:
            raise ValueError("edit state over Slack's private_metadata limit")
        return encoded

    @classmethod
    def loads(cls, raw: str) -> EditState:
        data = json.loads(raw or "{}")
        parts = data.get("p") if isinstance(data, dict) else None
        if not isinstance(parts, dict):
            raise ValueError("bad edit state")
        known = {s.value for s in EDIT_SECTIONS}
        checked = tuple((name, _positive_int(count)) for name, count in parts.items() if name in known)
        if len(checked) != len(parts) or any(count > 40 for _, count in checked):
            raise ValueError("bad edit state parts")
        return cls(_positive_int(data.get("d")), checked)


# ---------------------------------------------------------------- closing


def slack_date(at: datetime, fallback_format: str = "%Y-%m-%d") -> str:
    """Slack shows it in each reader's own timezone; the fallback is UTC."""
    return f"<!date^{int(at.timestamp())}^{{date_short}}|{at.strftime(fallback_format)} UTC>"


def close_button(lang: str) -> dict:
    return button(t("knowledge.close_button", lang), KnowledgeAction.CLOSE_SWARM, style="danger")


def close_modal(swarm_id: int, case_number: str, credited: list[str], *, lang: str, archive_days: float) -> dict:
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
            section(t("knowledge.close_modal_intro", lang, case=escape_mrkdwn(case_number), days=days)),
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
    if closed.archive_due_at is not None:
        blocks.append(context(t("knowledge.archive_on", lang, date=slack_date(closed.archive_due_at))))
    return f"{title}\n{closed.summary}".strip()[:3000], blocks


def card_closed_line(closed: ClosedSwarm) -> str:
    who = (t("knowledge.card_closed_by_case_system", closed.language) if closed.closed_by == CASE_SYSTEM_CLOSER
           else f"<@{closed.closed_by}>")
    return t("knowledge.card_closed", closed.language, who=who, date=slack_date(closed.closed_at))


def _fit(text: str) -> str:
    """Texts a person typed (a summary) are long only by accident: say so instead of failing the post."""
    return text if len(text) <= MAX_SECTION_TEXT else text[: MAX_SECTION_TEXT - 1] + "…"


# ---------------------------------------------------------------- the draft in the channel


@dataclass(frozen=True, slots=True)
class DraftMessage:
    text: str
    blocks: list[dict]
    file_name: str = ""  # set: the whole draft goes up as this Markdown file beside the message
    file_content: str = ""


def _section_text(draft: ArticleDraft, name: Section, lang: str) -> str:
    heading = f"*{t(f'knowledge.section.{name.value}', lang)}*"
    if name in draft.guessed_sections:
        heading += "  " + t("knowledge.guessed", lang)
    if name in draft.missing_sections:
        return f"{heading}\n{t('knowledge.missing', lang)}"
    if name == Section.STEPS:
        body = "\n".join(f"{i}. {escape_mrkdwn(step)}" for i, step in enumerate(draft.steps, 1))
    elif name == Section.CONTRIBUTORS:
        body = escape_mrkdwn(", ".join(draft.contributors))
    else:
        body = escape_mrkdwn(getattr(draft, name.value))
    return f"{heading}\n{body}"


def redaction_lines(draft: ArticleDraft) -> list[str]:
    return [f"`{escape_mrkdwn(r.placeholder)}` {r.kind} ×{r.count}" + (f" ({escape_mrkdwn(r.hint)})" if r.hint else "")
            for r in draft.redactions]


def _redaction_blocks(draft: ArticleDraft, lang: str, *, in_file: bool) -> list[dict]:
    lines = redaction_lines(draft)
    if not lines:
        return [context(t("knowledge.redacted_none", lang))]
    shown = lines if len(lines) <= REDACTION_LINES or not in_file else lines[:REDACTION_LINES]
    text = t("knowledge.redacted_header", lang, count=sum(r.count for r in draft.redactions)) + "\n"
    blocks, current = [], text
    for line in shown:
        if len(current) + len(line) + 1 > MAX_SECTION_TEXT:
            blocks.append(section(current))
            current = ""
        current += line + "\n"
    blocks.append(section(current))
    if len(shown) < len(lines):
        blocks.append(context(t("knowledge.redacted_more", lang, count=len(lines) - len(shown))))
    return blocks


def _similar_blocks(record: DraftRecord, lang: str) -> list[dict]:
    if not record.similar:
        return [context(t("knowledge.similar_none", lang))]
    lines = [t("knowledge.similar_header", lang)]
    for item in record.similar[:SIMILAR_SHOWN]:
        title = escape_mrkdwn(str(item.get("title", ""))[:200])
        location = str(item.get("location", ""))
        link = f"<{location}|{title}>" if location.startswith(("http://", "https://")) else f"{title} `{location}`"
        if item.get("source") == "earlier":  # this swarm's own article, from before it was reopened
            lines.append(f"• {link} · {t('knowledge.similar_earlier', lang)}")
        else:
            lines.append(f"• {link} · {float(item.get('score', 0)):.2f}")
    return [section("\n".join(lines)[:MAX_SECTION_TEXT])]


def _status_blocks(record: DraftRecord, lang: str) -> list[dict]:
    if record.state == DraftState.PUBLISHED:
        return [context(t("knowledge.state_published", lang, user=record.reviewer,
                          location=escape_mrkdwn(record.export_location)))]
    if record.state == DraftState.DISCARDED:
        return [context(t("knowledge.state_discarded", lang, user=record.reviewer))]
    if record.state == DraftState.PUBLISHING:
        return [context(t("knowledge.state_publishing", lang))]
    ref = DraftRef(record.id).dumps()
    blocks = []
    if record.last_error:
        blocks.append(context(t("knowledge.last_export_failed", lang, error=escape_mrkdwn(record.last_error[:300]))))
    confirm_publish = _confirm(lang, "publish")
    confirm_discard = _confirm(lang, "discard")
    blocks.append(actions(
        button(t("knowledge.edit", lang), KnowledgeAction.EDIT, value=ref),
        button(t("knowledge.publish", lang), KnowledgeAction.PUBLISH, value=ref, style="primary",
               confirm=confirm_publish),
        button(t("knowledge.discard", lang), KnowledgeAction.DISCARD, value=ref, style="danger",
               confirm=confirm_discard),
        block_id=KnowledgeBlock.DRAFT_ACTIONS,
    ))
    return blocks


def _confirm(lang: str, what: str) -> dict:
    return {"title": plain(t(f"knowledge.{what}_confirm_title", lang), 100),
            "text": plain(t(f"knowledge.{what}_confirm_text", lang), 300),
            "confirm": plain(t(f"knowledge.{what}", lang), 30), "deny": plain(t("knowledge.cancel", lang), 30)}


def draft_message(record: DraftRecord, *, markdown: str) -> DraftMessage:
    """The review message; a draft too long for one message comes with `markdown` (the whole draft) as a file."""
    draft, lang = record.draft, record.language
    text = t("knowledge.draft_fallback", lang, case=record.case_number, title=draft.title)[:3000]
    intro = [header(t("knowledge.draft_header", lang)),
             section(t("knowledge.draft_intro", lang, case=escape_mrkdwn(record.case_number),
                       owner=record.swarm_owner))]
    body_texts = [t("knowledge.draft_title", lang, title=escape_mrkdwn(draft.title))]
    body_texts += [_section_text(draft, name, lang) for name in (*BODY_SECTIONS, Section.CONTRIBUTORS)]
    body_texts.append(_case_text(draft, lang))
    tail = [divider(), *_similar_blocks(record, lang), *_status_blocks(record, lang)]
    inline = [*intro, *[section(b) for b in body_texts], divider(), *_redaction_blocks(draft, lang, in_file=False),
              *tail]
    fits = all(len(b) <= MAX_SECTION_TEXT for b in body_texts) and len(inline) <= MAX_MESSAGE_BLOCKS
    if fits:
        return DraftMessage(text, inline)
    name = f"{draft.draft_id or 'draft'}.md"
    short = [*intro, section(t("knowledge.as_file", lang, file=name)),
             section(body_texts[0][:MAX_SECTION_TEXT]), divider(),
             *_redaction_blocks(draft, lang, in_file=True), *tail]
    content = markdown + _redaction_appendix(draft, lang)
    return DraftMessage(text, short[:MAX_MESSAGE_BLOCKS], name, content)


def _case_text(draft: ArticleDraft, lang: str) -> str:
    case = escape_mrkdwn(draft.case_number)
    if draft.case_url.startswith(("http://", "https://")):
        return t("knowledge.case_link", lang, url=draft.case_url, case=case or draft.case_url)
    return t("knowledge.case_plain", lang, case=case or "—")


def _redaction_appendix(draft: ArticleDraft, lang: str) -> str:
    if not draft.redactions:
        return ""
    rows = [f"- {r.placeholder} {r.kind} ×{r.count}" + (f" ({r.hint})" if r.hint else "") for r in draft.redactions]
    return "\n\n<!-- " + t("knowledge.draft_header", lang) + " -->\n\n" + "\n".join(rows) + "\n"


# ---------------------------------------------------------------- the Edit modal


def _split(text: str, limit: int = MAX_INPUT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break where there is one."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n") if cut < limit else text[cut:]
    return [*pieces, text]


def edit_modal(record: DraftRecord) -> dict | None:
    """Every editable section prefilled; None if the draft cannot fit a modal (the caller says so)."""
    draft, lang = record.draft, record.language
    blocks: list[dict] = []
    parts: list[tuple[str, int]] = []
    for name in EDIT_SECTIONS:
        value = "\n".join(draft.steps) if name == Section.STEPS else getattr(draft, name.value)
        pieces = _split(value, MAX_TITLE_INPUT if name == Section.TITLE else MAX_INPUT)
        if name == Section.TITLE and len(pieces) > 1:
            return None
        parts.append((name.value, len(pieces)))
        label = t(f"knowledge.section.{name.value}", lang)
        for index, piece in enumerate(pieces, 1):
            shown = label if len(pieces) == 1 else t("knowledge.edit_part", lang, section=label, part=index,
                                                      parts=len(pieces))
            element = {"type": "plain_text_input", "action_id": KnowledgeAction.SECTION_INPUT,
                       "multiline": name != Section.TITLE,
                       "max_length": MAX_TITLE_INPUT if name == Section.TITLE else MAX_INPUT}
            if piece:
                element["initial_value"] = piece
            block = {"type": "input", "block_id": f"{KnowledgeBlock.EDIT_PREFIX}{name.value}.{index}",
                     "optional": name != Section.TITLE, "label": plain(shown), "element": element}
            if name == Section.STEPS:
                block["hint"] = plain(t("knowledge.edit_steps_hint", lang))
            blocks.append(block)
    if len(blocks) > MAX_VIEW_BLOCKS:
        return None
    return {"type": "modal", "callback_id": KnowledgeCallback.EDIT_VIEW,
            "private_metadata": EditState(record.id, tuple(parts)).dumps(),
            "title": plain(t("knowledge.edit_modal_title", lang), 24),
            "submit": plain(t("knowledge.edit_modal_submit", lang), 24),
            "close": plain(t("knowledge.cancel", lang), 24), "blocks": blocks}


def edit_submission(view: dict) -> tuple[int, dict[str, object]]:
    """(draft id, edited sections) from a submitted Edit modal; split sections joined back."""
    state = EditState.loads(view.get("private_metadata", ""))
    values = (view.get("state") or {}).get("values") or {}
    sections: dict[str, object] = {}
    for name, count in state.parts:
        pieces = []
        for index in range(1, count + 1):
            value = values.get(f"{KnowledgeBlock.EDIT_PREFIX}{name}.{index}", {}).get(
                KnowledgeAction.SECTION_INPUT, {}).get("value") or ""
            if not isinstance(value, str):
                raise ValueError("bad edit value")
            pieces.append(value)
        joined = "\n".join(p for p in pieces if p).strip()
        sections[name] = tuple(s.strip() for s in joined.split("\n") if s.strip()) if name == "steps" else joined
    return state.draft_id, sections

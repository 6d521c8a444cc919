"""Block Kit of the knowledge draft review: the preview of what leaves, the review notes, the Edit modal.

The message has two parts. The preview shows exactly the article body the exporter sends (the same
`article_parts`), in the article's language. The review notes are what stays in Slack: guessed and
missing sections, contributors, the case link, and what was redacted, by kind. A draft that does not
fit one message is never cut: the whole review goes up as a Markdown file beside a short message.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.catalog import catalog, t
from bot.views.blocks import (
    MAX_MESSAGE_BLOCKS,
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
from bot.views.knowledge import EDIT_SECTIONS, DraftRef, EditState, KnowledgeAction, KnowledgeBlock, KnowledgeCallback
from knowledge_export.models import ArticleDraft, Redaction, Section
from knowledge_export.rendering import DEFAULT_OPTIONS, ArticleOptions, ArticlePart, article_parts, to_markdown
from swarms.knowledge.drafts import DraftRecord, incomplete_sections
from swarms.knowledge.models import DraftState

MAX_INPUT = 3000  # plain_text_input max_length
MAX_TITLE_INPUT = 255
MAX_OPTIONS = 100  # static_select options
REDACTION_LINES = 25
SIMILAR_SHOWN = 3
RESTORE_BLOCK = f"{KnowledgeBlock.EDIT_PREFIX}restore"


@dataclass(frozen=True, slots=True)
class DraftMessage:
    text: str
    blocks: list[dict]
    file_name: str = ""  # set: the whole review goes up as this Markdown file beside the message
    file_content: str = ""


# ---------------------------------------------------------------- the preview (what leaves)


def preview_texts(draft: ArticleDraft, options: ArticleOptions = DEFAULT_OPTIONS) -> list[str]:
    """The exported article as Slack text, one entry per section: title first, then `article_parts`."""
    return [f"*{escape_mrkdwn(draft.title)}*", *(_part_text(part) for part in article_parts(draft, options))]


def _part_text(part: ArticlePart) -> str:
    if part.steps:
        body = "\n".join(f"{number}. {escape_mrkdwn(step)}" for number, step in enumerate(part.steps, 1))
    else:
        body = "\n\n".join(escape_mrkdwn(p) for p in part.paragraphs)
    return f"*{escape_mrkdwn(part.heading)}*\n{body}"


# ---------------------------------------------------------------- the review notes (what stays in Slack)


def _section_names(names, lang: str) -> str:
    ordered = [s for s in EDIT_SECTIONS[1:] if s.value in names]
    return ", ".join(t(f"knowledge.section.{s.value}", lang) for s in ordered)


def review_notes(record: DraftRecord, options: ArticleOptions = DEFAULT_OPTIONS) -> list[str]:
    """Lines for the reviewer only: blocked Publish, guesses, gaps, contributors and the case."""
    draft, lang = record.draft, record.language
    lines = []
    incomplete = incomplete_sections(draft)
    if incomplete and record.state == DraftState.DRAFTED:
        lines.append(t("knowledge.review.blocked", lang, sections=_section_names(incomplete, lang)))
    if draft.guessed_sections:
        lines.append(t("knowledge.review.guessed", lang, sections=_section_names(draft.guessed_sections, lang)))
    missing = set(draft.missing_sections) - set(incomplete) - {Section.CONTRIBUTORS.value}
    if missing:
        lines.append(t("knowledge.review.missing", lang, sections=_section_names(missing, lang)))
    if draft.contributors:
        key = "knowledge.review.credited" if options.credit_contributors else "knowledge.review.contributors"
        lines.append(t(key, lang, people=escape_mrkdwn(", ".join(draft.contributors))))
    case = escape_mrkdwn(draft.case_number) or "—"
    if draft.case_url.startswith(("http://", "https://")):
        lines.append(t("knowledge.review.case_link", lang, url=draft.case_url, case=case))
    else:
        lines.append(t("knowledge.review.case_plain", lang, case=case))
    return lines


def kind_name(kind: str, lang: str) -> str:
    key = f"knowledge.kind.{kind}"
    return t(key, lang) if catalog().has(key) else kind


def redaction_lines(draft: ArticleDraft, lang: str) -> list[str]:
    """One line per kind, most replaced first: `*E-mail* ×3: [EMAIL-1] (j***@e***.com) ×2, [EMAIL-2] ×1`."""
    by_kind: dict[str, list[Redaction]] = {}
    for redaction in draft.redactions:
        by_kind.setdefault(redaction.kind, []).append(redaction)
    lines = []
    for kind, found in sorted(by_kind.items(), key=lambda item: (-sum(r.count for r in item[1]), item[0])):
        items = []
        for r in found:
            item = f"`{escape_mrkdwn(r.placeholder)}`" + (f" ({escape_mrkdwn(r.hint)})" if r.hint else "")
            item += f" ×{r.count}"
            if r.restored:
                item += " " + t("knowledge.review.restored", lang, user=r.restored_by)
            items.append(item)
        line = f"*{escape_mrkdwn(kind_name(kind, lang))}* ×{sum(r.count for r in found)}:"
        for item in items:  # a long list goes on over several lines, so no line outgrows a section
            if len(line) + len(item) > MAX_SECTION_TEXT // 2:
                lines.append(line.rstrip(","))
                line = "    "
            line += f" {item},"
        lines.append(line.rstrip(","))
    return lines


def _redaction_blocks(draft: ArticleDraft, lang: str, *, in_file: bool) -> list[dict]:
    lines = redaction_lines(draft, lang)
    if not lines:
        return [context(t("knowledge.redacted_none", lang))]
    shown = lines if not in_file else lines[:REDACTION_LINES]
    blocks, current = [], t("knowledge.redacted_header", lang, count=sum(r.count for r in draft.redactions)) + "\n"
    for line in shown:
        if len(current) + len(line) + 1 > MAX_SECTION_TEXT:
            blocks.append(section(current))
            current = ""
        current += line + "\n"
    blocks.append(section(current))
    if in_file:
        blocks.append(context(t("knowledge.redacted_in_file", lang)))
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
    blocks.append(actions(
        button(t("knowledge.edit", lang), KnowledgeAction.EDIT, value=ref),
        button(t("knowledge.publish", lang), KnowledgeAction.PUBLISH, value=ref, style="primary",
               confirm=_confirm(lang, "publish")),
        button(t("knowledge.discard", lang), KnowledgeAction.DISCARD, value=ref, style="danger",
               confirm=_confirm(lang, "discard")),
        block_id=KnowledgeBlock.DRAFT_ACTIONS,
    ))
    return blocks


def _confirm(lang: str, what: str) -> dict:
    return {"title": plain(t(f"knowledge.{what}_confirm_title", lang), 100),
            "text": plain(t(f"knowledge.{what}_confirm_text", lang), 300),
            "confirm": plain(t(f"knowledge.{what}", lang), 30), "deny": plain(t("knowledge.cancel", lang), 30)}


def draft_message(record: DraftRecord, options: ArticleOptions = DEFAULT_OPTIONS) -> DraftMessage:
    """The review message; a draft too long for one message goes up whole as a Markdown file beside it."""
    draft, lang = record.draft, record.language
    text = t("knowledge.draft_fallback", lang, case=record.case_number, title=draft.title)[:3000]
    intro = [header(t("knowledge.draft_header", lang)),
             section(t("knowledge.draft_intro", lang, case=escape_mrkdwn(record.case_number),
                       owner=record.swarm_owner))]
    preview = preview_texts(draft, options)
    notes = "\n".join(review_notes(record, options))
    tail = [divider(), *_similar_blocks(record, lang), *_status_blocks(record, lang)]
    inline = [*intro, context(t("knowledge.review.preview", lang)), *[section(p) for p in preview], divider(),
              section(t("knowledge.review.notes", lang) + "\n" + notes),
              *_redaction_blocks(draft, lang, in_file=False), *tail]
    fits = all(len(p) <= MAX_SECTION_TEXT for p in [*preview, notes]) and len(inline) <= MAX_MESSAGE_BLOCKS
    if fits:
        return DraftMessage(text, inline)
    name = f"{draft.draft_id or 'draft'}.md"
    short = [*intro, section(t("knowledge.as_file", lang, file=name)), section(preview[0][:MAX_SECTION_TEXT]),
             divider(), section((t("knowledge.review.notes", lang) + "\n" + notes)[:MAX_SECTION_TEXT]),
             *_redaction_blocks(draft, lang, in_file=True), *tail]
    return DraftMessage(text, short[:MAX_MESSAGE_BLOCKS], name, review_file(record, options))


def review_file(record: DraftRecord, options: ArticleOptions = DEFAULT_OPTIONS) -> str:
    """The article exactly as exported, then the review notes and every redaction (they stay in Slack)."""
    lang = record.language
    notes = [line.replace("*", "") for line in review_notes(record, options)]
    redactions = [f"- {r.placeholder} {kind_name(r.kind, lang)} ×{r.count}" + (f" ({r.hint})" if r.hint else "")
                  for r in record.draft.redactions]
    return (to_markdown(record.draft, options) + "\n---\n\n" + t("knowledge.review.notes", lang).replace("*", "")
            + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n\n" + "\n".join(redactions) + "\n")


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


def _restore_block(draft: ArticleDraft, lang: str) -> dict | None:
    """Pick one redacted value to put back (a false positive); only those still in the text can be."""
    texts = "\n".join([draft.title, draft.problem, draft.environment, draft.cause, draft.resolution, *draft.steps])
    options = []
    for r in draft.redactions:
        if r.restored or not r.original or r.placeholder not in texts:
            continue
        label = f"{r.placeholder} {kind_name(r.kind, lang)}" + (f" ({r.hint})" if r.hint else "")
        options.append({"text": plain(label, 75), "value": r.placeholder})
    if not options:
        return None
    return {"type": "input", "block_id": RESTORE_BLOCK, "optional": True,
            "label": plain(t("knowledge.review.restore_label", lang)),
            "hint": plain(t("knowledge.review.restore_hint", lang)),
            "element": {"type": "static_select", "action_id": KnowledgeAction.RESTORE_INPUT,
                        "placeholder": plain(t("knowledge.review.restore_placeholder", lang)),
                        "options": options[:MAX_OPTIONS]}}


def edit_modal(record: DraftRecord) -> dict | None:
    """Every editable section prefilled, and the redactions to restore; None if it cannot fit a modal."""
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
    restore = _restore_block(draft, lang)
    if restore:
        blocks.append(restore)
    if len(blocks) > MAX_VIEW_BLOCKS:
        return None
    return {"type": "modal", "callback_id": KnowledgeCallback.EDIT_VIEW,
            "private_metadata": EditState(record.id, tuple(parts)).dumps(),
            "title": plain(t("knowledge.edit_modal_title", lang), 24),
            "submit": plain(t("knowledge.edit_modal_submit", lang), 24),
            "close": plain(t("knowledge.cancel", lang), 24), "blocks": blocks}


@dataclass(frozen=True, slots=True)
class EditSubmission:
    draft_id: int
    sections: dict[str, object]
    restore: str = ""  # the placeholder to put back, if one was picked


def edit_submission(view: dict) -> EditSubmission:
    """The draft id, edited sections (split ones joined back) and the placeholder to restore."""
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
    picked = (values.get(RESTORE_BLOCK, {}).get(KnowledgeAction.RESTORE_INPUT, {}) or {}).get("selected_option")
    restore = (picked or {}).get("value", "") if isinstance(picked, dict) else ""
    if not isinstance(restore, str):
        raise ValueError("bad restore value")
    return EditSubmission(state.draft_id, sections, restore)

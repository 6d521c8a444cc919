"""The catch-up a late joiner reads: a pure builder from `swarms.opening.catchup.CatchUp`, in their language."""

from __future__ import annotations

from datetime import datetime

from bot.i18n.catalog import t
from bot.views.blocks import MAX_MESSAGE_BLOCKS, clip, context, escape_mrkdwn, header, section
from swarms.opening.catchup import BriefNote, CatchUp


def catchup_message(catchup: CatchUp, *, status: str, priority: str, lang: str) -> dict:
    """`text` (the notification fallback) and `blocks`; `status`/`priority` come from the case system,
    or say it could not be asked."""
    case_line = t("catchup.case_line", lang, case=catchup.case_number, subject=escape_mrkdwn(catchup.case_subject),
                  status=escape_mrkdwn(status), priority=escape_mrkdwn(priority or "—"))
    blocks: list[dict] = [header(t("catchup.title", lang, case=catchup.case_number)), section(case_line)]
    if catchup.is_empty:
        blocks.append(context(t("catchup.nothing_yet", lang)))
    _notes_section(blocks, t("catchup.causes", lang), catchup.cause_candidates)
    _notes_section(blocks, t("catchup.resolutions", lang), catchup.resolution_candidates)
    _notes_section(blocks, t("catchup.questions", lang), catchup.open_questions)
    _notes_section(blocks, t("catchup.recent", lang, count=catchup.note_count), catchup.recent)
    if catchup.members:
        here = ", ".join(f"<@{m.user_id}> ({_since(m.since)})" for m in catchup.members)
        blocks.append(context(t("catchup.members", lang, people=here)))
    text = t("catchup.fallback", lang, case=catchup.case_number, notes=catchup.note_count,
             questions=len(catchup.open_questions))
    return {"text": text, "blocks": blocks[:MAX_MESSAGE_BLOCKS]}


def _notes_section(blocks: list[dict], title: str, notes: tuple[BriefNote, ...]) -> None:
    if not notes:
        return
    lines = [f"*{title}*"] + [_line(note) for note in notes]
    blocks.append(section(clip("\n".join(lines), 2900)))


def _line(note: BriefNote) -> str:
    who = f"<@{note.user_id}>" if note.user_id else escape_mrkdwn(note.author_name)
    text = escape_mrkdwn(note.text)
    if note.permalink:
        text = f"<{note.permalink}|{text}>" if "|" not in note.permalink else text
    return f"• {who}: {text}"


def _since(at: datetime) -> str:
    epoch = int(at.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{at.strftime('%Y-%m-%d %H:%M')} UTC>"

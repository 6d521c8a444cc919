"""Marks on swarm messages (resolution, cause, key note): stored per person, synced to the case as notices.

A mark is added by a reaction or the "Mark as resolution" shortcut and removed with the reaction.
`Note.marks` holds the marks at least one person still holds, so one person taking back their ✅ does
not unmark a message someone else marked too. Each change of a message's marks goes to the case as a
short notice note through the outbox, keyed by the mark row, so a retried event never doubles it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from knowledge_export.models import Mark
from swarms.db import utcnow
from swarms.knowledge.models import MarkVia, NoteMark
from swarms.models import Note, Swarm
from swarms.note_sync.capture import CapturedMessage, capture_message, claim_event
from swarms.note_sync.case_note_words import case_note
from swarms.settings import KnowledgeSettings
from swarms.upsert import insert_or_skip

log = logging.getLogger(__name__)

NOTICE_SOURCE = "notice"  # notes the app writes itself (marks, closing): not a person's message
EXCERPT = 300


@dataclass(frozen=True, slots=True)
class MarkChange:
    note_id: int | None
    mark: Mark
    changed: bool  # the message's marks changed (a notice went to the case)
    recorded: bool = True  # False: this person already held this mark, or the event was a retry


def mark_emoji(knowledge: KnowledgeSettings) -> dict[str, Mark]:
    """Emoji name → mark, from the knowledge settings (checked there: no emoji is two marks)."""
    return {emoji: Mark(mark) for mark, emoji in knowledge.mark_emoji.items()}


def mark_for_reaction(reaction: str, emoji: Mapping[str, Mark]) -> Mark | None:
    """Slack sends skin tones as "emoji::skin-tone-2": the base emoji decides."""
    return emoji.get(reaction.split("::", 1)[0].lower())


def add_mark(session: Session, swarm: Swarm, *, channel_id: str, ts: str, mark: Mark, user_id: str,
             user_name: str, via: MarkVia, event_id: str = "", message: CapturedMessage | None = None,
             now: datetime | None = None) -> MarkChange:
    """Record one person's mark; capture the message first if it is not a note yet (given `message`)."""
    if not claim_event(session, event_id):
        return MarkChange(None, mark, changed=False, recorded=False)
    now = now or utcnow()
    note = _note(session, channel_id, ts)
    if note is None and message is not None:
        note = capture_message(session, swarm, replace(message, event_id="")) or _note(session, channel_id, ts)
    if note is None:
        log.info("mark on %s/%s ignored: the message is not known and could not be read", channel_id, ts)
        return MarkChange(None, mark, changed=False, recorded=False)
    session.flush()
    mark_id = insert_or_skip(session, NoteMark.__table__,
                             {"note_id": note.id, "mark": mark.value, "user_id": user_id, "via": via.value,
                              "created_at": now})
    if mark_id is None:  # this person's mark is there already (a retried event, another replica)
        return MarkChange(note.id, mark, changed=False, recorded=False)
    if mark.value in (note.marks or []):
        return MarkChange(note.id, mark, changed=False)
    note.marks = sorted({*(note.marks or []), mark.value})  # a new list: JSON columns track assignment
    text = _mark_text("marked", note, mark, user_name, swarm.language)
    add_notice(session, swarm, f"mark-{mark_id}", user_name, text, now)
    return MarkChange(note.id, mark, changed=True)


def remove_mark(session: Session, swarm: Swarm, *, channel_id: str, ts: str, mark: Mark, user_id: str,
                user_name: str, via: MarkVia = MarkVia.REACTION, event_id: str = "",
                now: datetime | None = None) -> MarkChange:
    """Take back one person's mark; the message loses the mark only when nobody else still holds it."""
    if not claim_event(session, event_id):
        return MarkChange(None, mark, changed=False, recorded=False)
    note = _note(session, channel_id, ts)
    if note is None:
        return MarkChange(None, mark, changed=False, recorded=False)
    row_id = session.scalar(
        select(NoteMark.id).where(NoteMark.note_id == note.id, NoteMark.mark == mark.value,
                                  NoteMark.user_id == user_id, NoteMark.via == via.value)
    )
    if row_id is None:
        return MarkChange(note.id, mark, changed=False, recorded=False)
    session.execute(delete(NoteMark).where(NoteMark.id == row_id))
    still = session.scalar(select(exists().where(NoteMark.note_id == note.id, NoteMark.mark == mark.value)))
    if still or mark.value not in (note.marks or []):
        return MarkChange(note.id, mark, changed=False)
    note.marks = sorted(set(note.marks) - {mark.value})
    add_notice(session, swarm, f"unmark-{row_id}", user_name,
               _mark_text("unmarked", note, mark, user_name, swarm.language), now)
    return MarkChange(note.id, mark, changed=True)


def marks_of(session: Session, note_id: int) -> dict[str, list[str]]:
    """Who holds which mark on a note: {"resolution": ["U1", ...]}."""
    found: dict[str, list[str]] = {}
    for mark, user_id in session.execute(
        select(NoteMark.mark, NoteMark.user_id).where(NoteMark.note_id == note_id).order_by(NoteMark.id)
    ):
        found.setdefault(mark, [])
        if user_id not in found[mark]:
            found[mark].append(user_id)
    return found


def add_notice(session: Session, swarm: Swarm, key: str, author_name: str, body: str,
               now: datetime | None = None) -> Note | None:
    """A note the app writes to the case itself (not a Slack message): a mark, the closing.

    It rides the same outbox as the swarm's messages, so it reaches the case once and in order;
    `key` (unique per channel) makes writing it twice a no-op.
    """
    at = now or utcnow()
    notice = CapturedMessage(channel_id=swarm.channel_id or "", ts=key[:32], user_id="", author_name=author_name,
                             text=body, body=body, source=NOTICE_SOURCE, at=at)
    return capture_message(session, swarm, notice)


def note_text(note: Note) -> str:
    """The readable text of a note without the lines `note_body` appended (attachments, the permalink)."""
    lines = (note.body or note.text or "").split("\n")
    extra = {f"Slack: {note.permalink}"} if note.permalink else set()
    names = {f.get("name") or f.get("title") or "file" for f in (note.files or []) if isinstance(f, dict)}
    while lines and (lines[-1] in extra or any(lines[-1].startswith(f"Attached: {n}") for n in names)):
        lines.pop()
    return "\n".join(lines).strip()


def _note(session: Session, channel_id: str, ts: str) -> Note | None:
    return session.scalar(select(Note).where(Note.channel_id == channel_id, Note.message_ts == ts))


def _excerpt(note: Note) -> str:
    text = " ".join(note_text(note).split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _mark_text(key: str, note: Note, mark: Mark, user_name: str, lang: str) -> str:
    """The notice in the swarm's language: who marked (or unmarked) whose message, and an excerpt."""
    label = case_note(f"mark.{mark.value}", lang)
    lines = [case_note(key, lang, mark=label, user=user_name, author=note.author_name), _excerpt(note)]
    if note.permalink:
        lines.append(f"Slack: {note.permalink}")
    return "\n".join(lines)

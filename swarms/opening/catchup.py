"""Catch-up for a late joiner: where a swarm stands, taken from what its channel already said.

Extractive and deterministic: every line is a note (or a mark, or a member) the database holds, picked
by fixed rules, so two people joining at once read the same thing. One query per table; a 1,000-note
swarm is summarised in a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from swarms.knowledge.marks import NOTICE_SOURCE
from swarms.models import Note, Swarm, SwarmMember

RECENT_NOTES = 5
MAX_QUESTIONS = 5
MAX_CANDIDATES = 3
BRIEF_CHARS = 160

# A question: a question mark (ASCII or full-width) at the end of a sentence, or a Korean question
# ending ("…나요", "…까요", "…ㄹ까", "…인가요") closing the text when people skip the mark.
_QUESTION = re.compile(r"[?？](?:\s|$)|(?:나요|까요|을까|인가요|있나|없나|됐나|되나요|맞나)\s*$")
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")


# Only what a catch-up reads: whole ORM objects cost most of the time on a long swarm.
_NOTE_COLUMNS = (Note.message_ts, Note.thread_ts, Note.user_id, Note.author_name, Note.text, Note.permalink,
                 Note.marks, Note.created_at)


@dataclass(frozen=True, slots=True)
class BriefNote:
    user_id: str
    author_name: str
    text: str  # one line, cut at a word near BRIEF_CHARS
    permalink: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Present:
    user_id: str
    role: str
    since: datetime


@dataclass(frozen=True, slots=True)
class CatchUp:
    swarm_id: int
    case_number: str
    case_subject: str
    case_url: str
    opened_at: datetime
    note_count: int
    cause_candidates: tuple[BriefNote, ...]
    resolution_candidates: tuple[BriefNote, ...]
    recent: tuple[BriefNote, ...]
    members: tuple[Present, ...]
    open_questions: tuple[BriefNote, ...]

    @property
    def is_empty(self) -> bool:
        """Nothing has been said yet: a catch-up would only repeat the case card."""
        return self.note_count == 0


def catch_up(session: Session, swarm_id: int, *, for_user: str = "") -> CatchUp:
    """The catch-up of a swarm; `for_user` (the joiner) is left out of "who is here"."""
    swarm = session.get_one(Swarm, swarm_id)
    people = sorted(session.execute(
        select(*_NOTE_COLUMNS).where(Note.swarm_id == swarm_id, Note.deleted_at.is_(None),
                                     Note.source != NOTICE_SOURCE)
    ), key=_ts_order)
    members = session.scalars(
        select(SwarmMember).where(SwarmMember.swarm_id == swarm_id, SwarmMember.joined_at.is_not(None),
                                  SwarmMember.left_at.is_(None)).order_by(SwarmMember.joined_at, SwarmMember.id)
    )
    return CatchUp(
        swarm_id=swarm.id,
        case_number=swarm.case_number,
        case_subject=swarm.case_subject,
        case_url=swarm.case_url,
        opened_at=swarm.opened_at,
        note_count=len(people),
        cause_candidates=_marked(people, "cause"),
        resolution_candidates=_marked(people, "resolution"),
        recent=tuple(_brief(n) for n in people[-RECENT_NOTES:]),
        members=tuple(Present(m.user_id, m.role, m.joined_at) for m in members
                      if m.user_id != for_user and m.joined_at is not None),
        open_questions=unanswered_questions(people),
    )


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(_plain(text)))


def unanswered_questions(notes: list[Row]) -> tuple[BriefNote, ...]:
    """Questions nobody else has answered: no later reply in the question's thread by someone else.

    A top-level question counts as answered by any reply in its own thread; a question inside a thread by
    any later message in that thread from another person. Oldest first, at most MAX_QUESTIONS of the newest.
    """
    later_authors: dict[str, set[str]] = {}  # thread root ts → who wrote in it, filled from newest to oldest
    open_ones: list[Row] = []
    for note in reversed(notes):
        root = note.thread_ts or note.message_ts
        authors = later_authors.setdefault(root, set())
        if is_question(note.text) and not (authors - {note.user_id}):
            open_ones.append(note)
        authors.add(note.user_id)
    return tuple(_brief(n) for n in reversed(open_ones[:MAX_QUESTIONS]))


def _marked(notes: list[Row], mark: str) -> tuple[BriefNote, ...]:
    marked = [n for n in notes if mark in (n.marks or [])]
    return tuple(_brief(n) for n in marked[-MAX_CANDIDATES:])


def _brief(note: Row) -> BriefNote:
    return BriefNote(note.user_id, note.author_name, brief(note.text), note.permalink, note.created_at)


def brief(text: str, limit: int = BRIEF_CHARS) -> str:
    """One line of a message: Slack markup made plain, cut at a word with an ellipsis."""
    line = " ".join(_plain(text).split())
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] if " " in line[:limit] else line[:limit]
    return cut.rstrip(" ,.;:") + "…"


def _plain(text: str) -> str:
    text = _MENTION.sub(lambda m: f"@{m.group(1)}", text or "")
    return _LINK.sub(lambda m: m.group(2) or m.group(1), text)


def _ts_order(note: Row) -> float:
    try:
        return float(note.message_ts)
    except ValueError:
        return 0.0

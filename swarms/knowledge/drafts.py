"""The knowledge draft of a closed swarm: built from what was captured, stored, reviewed, exported.

The transcript comes from the database (notes with their marks, members, credits, the closing
summary), never from Slack's history. A draft moves drafted → published or discarded; Publish first
claims the draft (drafted → publishing) with a conditional UPDATE, so two clicks export once. An
export failure puts it back to drafted with the error, for a retry. Only the swarm owner, a knowledge
editor or an admin may edit, publish or discard: the check is here, because a button can be forged.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from knowledge_export.models import ArticleDraft, Section, SourceCase, SwarmMessage, SwarmTranscript
from swarms.case_systems.base import CaseRecord
from swarms.db import utcnow
from swarms.errors import NotAllowed, SwarmError, SwarmNotFound, SwarmOfAnotherWorkspace
from swarms.knowledge.closing import display_names
from swarms.knowledge.marks import NOTICE_SOURCE, note_text
from swarms.knowledge.models import DraftState, KnowledgeDraft
from swarms.models import Note, Swarm, SwarmMember, SwarmStatus
from swarms.opening.lifecycle import remembered_case
from swarms.permissions import Permissions
from swarms.upsert import insert_or_skip

log = logging.getLogger(__name__)
PUBLISHING_TIMEOUT = timedelta(minutes=5)  # a claim older than this was lost with its process
EDITABLE = frozenset({Section.TITLE, Section.PROBLEM, Section.ENVIRONMENT, Section.CAUSE, Section.RESOLUTION,
                      Section.STEPS})


class DraftNotFound(SwarmError):
    message_key = "knowledge.draft_not_found"


class ReviewNotAllowed(NotAllowed):
    message_key = "knowledge.review_not_allowed"


class DraftNotEditable(SwarmError):
    message_key = "knowledge.draft_state"


class DraftIncomplete(SwarmError):
    """An article needs at least its problem and its resolution before it leaves for the knowledge base."""

    message_key = "knowledge.draft_incomplete"


REQUIRED_SECTIONS = (Section.PROBLEM, Section.RESOLUTION)


def incomplete_sections(draft: ArticleDraft) -> list[str]:
    """Required sections with nothing a reader could use (empty, or only placeholders); steps count as a
    resolution."""
    from knowledge_export.rendering import placeholder_only

    missing = []
    if placeholder_only(draft.problem):
        missing.append(Section.PROBLEM.value)
    if placeholder_only(draft.resolution) and all(placeholder_only(step) for step in draft.steps):
        missing.append(Section.RESOLUTION.value)
    return missing


class RequiredSectionsEmptied(SwarmError):
    """An edit left a section every article needs empty; `sections` names them for the modal."""

    message_key = "knowledge.edit_needs_sections"

    def __init__(self, sections: list[str]) -> None:
        super().__init__()
        self.sections = sections


class ExportFailed(SwarmError):
    message_key = "knowledge.export_failed"


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """A stored draft as the bot shows it (plain data: no ORM object leaves a session)."""

    id: int
    swarm_id: int
    case_number: str
    swarm_owner: str
    language: str
    draft: ArticleDraft
    similar: tuple[dict, ...]
    state: str
    reviewer: str
    export_location: str
    last_error: str
    channel_id: str
    message_ts: str
    as_file: bool
    thread_ts: str | None = None  # a thread swarm's thread: the review message and its answers go there
    team_id: str = ""  # the workspace the swarm is in: its Slack calls are made there


# ---------------------------------------------------------------- the transcript


def source_case(case: CaseRecord) -> SourceCase:
    """The case as knowledge_export reads it: only what a draft uses, converted here at its boundary."""
    return SourceCase(key=case.key, number=case.number, subject=case.subject, description=case.description,
                      product=case.product, account=case.account, contact_name=case.contact_name,
                      language=case.language, url=case.url)


def build_transcript(session: Session, swarm_id: int, case: CaseRecord, *, channel_url: str = "") -> SwarmTranscript:
    """Everything the drafter needs about a closed swarm, from the captured notes (deleted ones left out)."""
    swarm = session.get(Swarm, swarm_id)
    if swarm is None:
        raise SwarmNotFound()
    notes = list(session.scalars(
        select(Note).where(Note.swarm_id == swarm_id, Note.source != NOTICE_SOURCE, Note.deleted_at.is_(None))
        .order_by(Note.message_ts, Note.id)
    ))
    messages = tuple(
        SwarmMessage(ts=n.message_ts, author_id=n.user_id, author_name=n.author_name or n.user_id, text=note_text(n),
                     thread_ts=n.thread_ts or "", marks=frozenset(n.marks or ()),
                     files=tuple(str(f.get("name", "")) for f in (n.files or []) if isinstance(f, dict)))
        for n in notes
    )
    credited_ids = _credited(session, swarm_id, notes)
    names = display_names(session, [*credited_ids, swarm.closed_by or ""])
    return SwarmTranscript(
        case=source_case(case),
        messages=messages,
        owner_id=swarm.opened_by,
        closing_summary=swarm.resolution_summary or "",
        closed_by=names.get(swarm.closed_by or "", "") if swarm.closed_by else "",
        closed_at=swarm.closed_at,
        channel_url=channel_url,
        credited=tuple(names[u] for u in credited_ids),
    )


def _credited(session: Session, swarm_id: int, notes: Sequence[Note]) -> list[str]:
    """Credited people, most messages first (ties by id): the article lists them in that order."""
    ids = list(session.scalars(
        select(SwarmMember.user_id).where(SwarmMember.swarm_id == swarm_id, SwarmMember.credited.is_(True))
    ))
    counts: dict[str, int] = {}
    for note in notes:
        counts[note.user_id] = counts.get(note.user_id, 0) + 1
    return sorted(ids, key=lambda u: (-counts.get(u, 0), u))


def case_record_of(session: Session, swarm_id: int) -> CaseRecord:
    """What the swarm row remembers of its case: the fallback when the case system cannot be read."""
    swarm = session.get(Swarm, swarm_id)
    if swarm is None:
        raise SwarmNotFound()
    return remembered_case(swarm)


# ---------------------------------------------------------------- storing and reading


class Redraft(enum.StrEnum):
    """What drafting again did to a swarm's existing draft (the Slack side acts on it)."""

    NEW = "new"  # there was none
    REFRESHED = "refreshed"  # unreviewed and unedited: its content replaced, the review message to update
    KEPT_EDITED = "kept_edited"  # a reviewer edited it: kept as they left it, they are to be told
    RESTARTED = "restarted"  # published or discarded, then the swarm closed again: a fresh draft to review
    UNCHANGED = "unchanged"  # nothing asked for a change (a rerun of the first drafting after it was posted)
    OUT_OF_REACH = "out_of_reach"  # published or discarded, and only a note changed: the article is elsewhere


def store_draft(session: Session, swarm_id: int, draft: ArticleDraft, similar: Sequence[dict],
                *, channel_id: str = "", refresh: bool = False, restart: bool = False) -> tuple[int, Redraft]:
    """Store the draft of a swarm; (its id, what happened to an earlier one).

    The first drafting stores it; a rerun refreshes it while unposted. `refresh` (a note changed after
    closing) replaces an unreviewed, unedited draft even once posted, so a deleted message never stays
    in it. `restart` (the swarm closed again after a reopening) also turns a published or discarded draft
    into a fresh one, keeping the earlier article first among the similar ones.
    """
    now = utcnow()
    existing = session.scalar(select(KnowledgeDraft).where(KnowledgeDraft.swarm_id == swarm_id))
    if existing is None:
        session.flush()
        new_id = insert_or_skip(session, KnowledgeDraft.__table__, {
            "swarm_id": swarm_id, "draft": draft.to_dict(), "similar": list(similar), "state": DraftState.DRAFTED,
            "channel_id": channel_id, "created_at": now, "updated_at": now,
        })
        if new_id is not None:
            return new_id, Redraft.NEW
        # drafted at the same moment elsewhere: go on with that one
        existing = session.scalars(select(KnowledgeDraft).where(KnowledgeDraft.swarm_id == swarm_id)).one()
    if existing.state == DraftState.DRAFTED and existing.edited_by is None:
        if existing.message_ts is None or refresh or restart:
            existing.draft, existing.similar, existing.updated_at = draft.to_dict(), list(similar), now
            return existing.id, Redraft.REFRESHED
        return existing.id, Redraft.UNCHANGED
    if existing.state == DraftState.DRAFTED:
        return existing.id, (Redraft.KEPT_EDITED if refresh or restart else Redraft.UNCHANGED)
    if restart and existing.state in (DraftState.PUBLISHED, DraftState.DISCARDED):
        earlier = []
        if existing.state == DraftState.PUBLISHED and existing.export_location:
            title = ArticleDraft.from_dict(existing.draft).title
            earlier = [{"title": title, "location": existing.export_location, "score": 1.0, "source": "earlier"}]
        existing.draft, existing.similar = draft.to_dict(), earlier + [s for s in similar if s not in earlier]
        existing.state, existing.edited_by, existing.reviewer, existing.last_error = DraftState.DRAFTED, None, None, ""
        existing.export_location, existing.message_ts, existing.as_file = "", None, False
        existing.published_at = existing.discarded_at = existing.publishing_since = None
        existing.updated_at = now
        return existing.id, Redraft.RESTARTED
    return existing.id, (Redraft.OUT_OF_REACH if refresh else Redraft.UNCHANGED)


def draft_of_swarm(session: Session, swarm_id: int) -> int | None:
    return session.scalar(select(KnowledgeDraft.id).where(KnowledgeDraft.swarm_id == swarm_id))


def swarms_without_posted_draft(session: Session, *, since: timedelta = timedelta(days=7)) -> list[int]:
    """Recently closed swarms whose draft was never posted (the app stopped between closing and drafting)."""
    posted = select(KnowledgeDraft.swarm_id).where(KnowledgeDraft.message_ts.is_not(None))
    return list(session.scalars(
        select(Swarm.id).where(Swarm.status == SwarmStatus.CLOSED, Swarm.closed_at >= utcnow() - since,
                               Swarm.channel_id.is_not(None), Swarm.id.not_in(posted)).order_by(Swarm.id)
    ))


def get_draft(session: Session, draft_id: int) -> DraftRecord:
    row = session.get(KnowledgeDraft, draft_id)
    if row is None:
        raise DraftNotFound()
    swarm = session.get_one(Swarm, row.swarm_id)
    return DraftRecord(row.id, row.swarm_id, swarm.case_number, swarm.opened_by, swarm.language,
                       ArticleDraft.from_dict(row.draft), tuple(row.similar or ()), row.state, row.reviewer or "",
                       row.export_location, row.last_error, row.channel_id or swarm.channel_id or "",
                       row.message_ts or "", row.as_file, swarm.thread_ts, swarm.team_id)


def record_post(session: Session, draft_id: int, *, channel_id: str, message_ts: str, as_file: bool) -> None:
    """Where the review message is, so later changes update it instead of posting another."""
    row = session.get_one(KnowledgeDraft, draft_id)
    row.channel_id, row.message_ts, row.as_file, row.updated_at = channel_id, message_ts, as_file, utcnow()


# ---------------------------------------------------------------- review


def may_review(record: DraftRecord, user_id: str, permissions: Permissions) -> bool:
    return permissions.can_publish_knowledge(user_id, swarm_owner=record.swarm_owner)


def of_workspace(record: DraftRecord, team_id: str) -> DraftRecord:
    """A review button names its draft by id, and a payload can be forged: only the draft's own workspace acts
    on it, whoever clicks."""
    if record.team_id != team_id:
        raise SwarmOfAnotherWorkspace()
    return record


def _reviewable(session: Session, draft_id: int, user_id: str, permissions: Permissions,
                team_id: str) -> KnowledgeDraft:
    record = of_workspace(get_draft(session, draft_id), team_id)
    if not may_review(record, user_id, permissions):
        raise ReviewNotAllowed(owner=record.swarm_owner, case=record.case_number)
    row = session.get_one(KnowledgeDraft, draft_id)
    if row.state != DraftState.DRAFTED:
        raise DraftNotEditable(state=row.state)
    return row


def check_may_review(session: Session, draft_id: int, user_id: str, permissions: Permissions, *,
                     team_id: str) -> DraftRecord:
    """The draft if this person (of workspace `team_id`) may review it now (Edit opens a modal only then)."""
    _reviewable(session, draft_id, user_id, permissions, team_id)
    return get_draft(session, draft_id)


def edit_draft(session: Session, draft_id: int, user_id: str, permissions: Permissions,
               sections: dict[str, Any], *, team_id: str, restore: str = "") -> DraftRecord:
    """Apply a reviewer's edits (the edited sections are no longer flagged as guessed or missing), then put
    back the one redacted value `restore` names, recording who did it and when."""
    row = _reviewable(session, draft_id, user_id, permissions, team_id)
    unknown = set(sections) - {s.value for s in EDITABLE}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = ArticleDraft.from_dict(row.draft)
    changed = {name: value for name, value in sections.items() if getattr(current, name) != value}
    edited = current.with_edits(**changed) if changed else current
    emptied = [name for name in incomplete_sections(edited) if name in sections]
    if emptied:
        raise RequiredSectionsEmptied(emptied)
    if restore:
        if not any(r.placeholder == restore and not r.restored for r in edited.redactions):
            raise ValueError(f"no redaction {restore!r} to restore")
        edited = edited.restore(restore, by=user_id, at=utcnow().isoformat())
        log.info("draft %s: %s restored %s as a false positive", draft_id, user_id, restore)
    if edited != current:
        row.draft = edited.to_dict()
    row.edited_by, row.updated_at = user_id, utcnow()
    session.flush()
    return get_draft(session, draft_id)


def discard_draft(session: Session, draft_id: int, user_id: str, permissions: Permissions, *,
                  team_id: str) -> DraftRecord:
    row = _reviewable(session, draft_id, user_id, permissions, team_id)
    row.state, row.reviewer, row.discarded_at, row.updated_at = DraftState.DISCARDED, user_id, utcnow(), utcnow()
    session.flush()
    return get_draft(session, draft_id)


def claim_publish(session: Session, draft_id: int, user_id: str, permissions: Permissions,
                  *, team_id: str, now: datetime | None = None) -> DraftRecord:
    """drafted → publishing for exactly one caller (a lost claim older than 5 minutes may be taken over)."""
    now = now or utcnow()
    record = of_workspace(get_draft(session, draft_id), team_id)
    if not may_review(record, user_id, permissions):
        raise ReviewNotAllowed(owner=record.swarm_owner, case=record.case_number)
    if record.state == DraftState.DRAFTED and incomplete_sections(record.draft):
        raise DraftIncomplete(case=record.case_number)
    stale = now - PUBLISHING_TIMEOUT
    claimed = session.execute(
        update(KnowledgeDraft)
        .where(KnowledgeDraft.id == draft_id,
               or_(KnowledgeDraft.state == DraftState.DRAFTED,
                   (KnowledgeDraft.state == DraftState.PUBLISHING) & (KnowledgeDraft.publishing_since < stale)))
        .values(state=DraftState.PUBLISHING, publishing_since=now, reviewer=user_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.expire_all()
        raise DraftNotEditable(state=get_draft(session, draft_id).state)
    session.expire_all()
    return get_draft(session, draft_id)


def finish_publish(session: Session, draft_id: int, *, location: str) -> DraftRecord:
    row = session.get_one(KnowledgeDraft, draft_id)
    now = utcnow()
    row.state, row.export_location, row.last_error = DraftState.PUBLISHED, location, ""
    row.published_at, row.publishing_since, row.updated_at = now, None, now
    session.flush()
    return get_draft(session, draft_id)


def fail_publish(session: Session, draft_id: int, *, error: str) -> DraftRecord:
    """The export failed: the draft stays, drafted again, with the error for the reviewer to read."""
    row = session.get_one(KnowledgeDraft, draft_id)
    row.state, row.last_error, row.publishing_since, row.updated_at = DraftState.DRAFTED, error[:2000], None, utcnow()
    session.flush()
    return get_draft(session, draft_id)


def publish_draft(sessions: sessionmaker, draft_id: int, user_id: str, permissions: Permissions,
                  exporter: Any, *, team_id: str) -> DraftRecord:
    """Claim, export (outside any transaction), record. Raises ExportFailed with the exporter's words."""
    from knowledge_export.exporters.base import ExportError

    with sessions.begin() as session:
        record = claim_publish(session, draft_id, user_id, permissions, team_id=team_id)
    try:
        result = exporter.export(record.draft)
    except ExportError as exc:
        with sessions.begin() as session:
            fail_publish(session, draft_id, error=str(exc))
        raise ExportFailed(error=str(exc)[:300]) from exc
    except Exception as exc:
        log.exception("export of draft %s failed unexpectedly", draft_id)
        with sessions.begin() as session:
            fail_publish(session, draft_id, error=type(exc).__name__)
        raise ExportFailed(error=type(exc).__name__) from exc
    with sessions.begin() as session:
        location = result.url if result.url.startswith(("http://", "https://")) else result.location
        return finish_publish(session, draft_id, location=location)


def make_draft(sessions: sessionmaker, cases: Any, swarm_id: int, *, exporter: Any = None, channel_url: str = "",
               similar_limit: int = 3) -> int:
    return redraft(sessions, cases, swarm_id, exporter=exporter, channel_url=channel_url,
                   similar_limit=similar_limit)[0]


def redraft(sessions: sessionmaker, cases: Any, swarm_id: int, *, exporter: Any = None, channel_url: str = "",
            similar_limit: int = 3, refresh: bool = False, restart: bool = False,
            phone_region: str = "KR") -> tuple[int, Redraft]:
    """Draft the article of a closed swarm and store it; returns the draft's id.

    The case is read again for its contact and account names, which the redactor removes; if the case
    system cannot be read, this raises (CaseSystemError) and the caller retries later rather than
    drafting without them.
    """
    from knowledge_export.drafting import draft_article
    from knowledge_export.similar import find_similar

    with sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        if swarm is None:
            raise SwarmNotFound()
        number, channel_id = swarm.case_number, swarm.channel_id or ""
    case = cases.get_case(number)
    with sessions() as session:
        transcript = build_transcript(session, swarm_id, case, channel_url=channel_url)
    draft = draft_article(transcript, phone_region=phone_region)
    similar: list[dict] = []
    if exporter is not None:
        try:
            similar = similar_entries(find_similar(draft, exporter.existing_articles(), similar_limit))
        except Exception:  # a knowledge base that cannot be searched must not stop the draft
            log.warning("swarm %s: looking up similar articles failed", swarm_id, exc_info=True)
    with sessions.begin() as session:
        return store_draft(session, swarm_id, draft, similar, channel_id=channel_id, refresh=refresh,
                           restart=restart)


def similar_entries(similar: Sequence[Any]) -> list[dict]:
    """`find_similar` results as small JSON rows kept with the draft."""
    return [{"title": s.article.title, "location": s.article.url or s.article.id, "score": round(s.score, 2),
             "source": s.article.source} for s in similar]

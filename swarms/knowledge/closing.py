"""Closing a swarm: from `/swarm close`, the card's Close button, or the case closing in the case system.

Closing is one conditional UPDATE (open → closed), so a second close (a double click, a replica, the
case system closing a case a person just closed in Slack) finds nothing to do and says so. In the same
transaction the credits are recorded and the close is written toward the case: the local store gets
the status Closed; every system gets a short closing note through the outbox (remote systems keep
their own status, which a person sets there). The channel is archived by claimed, persisted work
falling due after SWARM_ARCHIVE_DAYS (queued by the caller in the same transaction); a case reopened
before then leaves that work nothing to do. A thread swarm has no channel of its own:
its "archive" is the end of the reopening window, recorded without a Slack call.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from swarms.case_systems.base import CaseNotFound, CaseSystem
from swarms.db import utcnow
from swarms.errors import NotAllowed, SwarmError, SwarmNotFound, SwarmOfAnotherWorkspace
from swarms.knowledge.marks import NOTICE_SOURCE, add_notice
from swarms.models import MemberRole, Note, SlackUser, Swarm, SwarmMember, SwarmStatus
from swarms.note_sync.case_note_words import case_note
from swarms.opening.lifecycle import add_member
from swarms.permissions import Permissions

log = logging.getLogger(__name__)

TOP_CONTRIBUTORS = 5
CASE_SYSTEM_CLOSER = "case-system"  # closed_by when the case closed in the case system
LOCAL_CLOSED_STATUS = "Closed"


class SwarmAlreadyClosed(SwarmError):
    message_key = "knowledge.already_closed"


class CloseNotAllowed(NotAllowed):
    message_key = "knowledge.close_not_allowed"


class SwarmNotOpenYet(SwarmError):
    message_key = "knowledge.not_open_yet"


class CloseSource(enum.StrEnum):
    COMMAND = "command"
    BUTTON = "button"
    CASE_SYSTEM = "case_system"


@dataclass(frozen=True, slots=True)
class CloseRequest:
    swarm_id: int
    user_id: str  # the Slack user closing; "" when the case system closed the case
    source: CloseSource
    summary: str = ""
    credited: tuple[str, ...] | None = None  # None: the top contributors
    case_owner_ids: frozenset[str] = frozenset()  # Slack ids of the case's owner, where known
    team_id: str = ""  # the workspace of the person closing (a swarm of another is refused); "" for the case system


@dataclass(frozen=True, slots=True)
class ClosedSwarm:
    swarm_id: int
    channel_id: str
    card_ts: str
    case_number: str
    language: str
    closed_by: str
    closed_at: datetime
    summary: str
    credited: tuple[str, ...]
    archive_due_at: datetime | None
    source: CloseSource
    thread_ts: str | None = None  # a thread swarm: the summary goes in its thread, nothing is archived
    team_id: str = ""  # the workspace the swarm is in: its Slack calls are made there


def closing_key(swarm_id: int, closed_at: datetime) -> str:
    """One closing of a swarm: closed again after a reopening, it is another (its summary, its draft post)."""
    return f"{swarm_id}:{closed_at:%Y%m%dT%H%M%S.%f}"


def summary_key(closing: str) -> str:
    """The closing summary's queued post: the draft review goes after it."""
    return f"close_summary:{closing}"


def current_closing(session: Session, swarm_id: int) -> str | None:
    """The swarm's closing now (archived included); None while it is open (reopened since)."""
    closed_at = session.scalar(select(Swarm.closed_at).where(Swarm.id == swarm_id))
    return None if closed_at is None else closing_key(swarm_id, closed_at)


def archive_key(swarm_id: int, due: datetime) -> str:
    """One archive per closing: a swarm closed again after a reopening gets its own, later one."""
    return f"archive_swarm:{swarm_id}:{due:%Y%m%dT%H%M%S}"


def top_contributors(session: Session, swarm_id: int, limit: int = TOP_CONTRIBUTORS) -> list[str]:
    """People who wrote the most messages in the swarm (deleted ones and the app's notices not counted)."""
    rows = session.execute(
        select(Note.user_id, func.count().label("n"), func.min(Note.created_at).label("first"))
        .where(Note.swarm_id == swarm_id, Note.source != NOTICE_SOURCE, Note.deleted_at.is_(None),
               Note.user_id != "")
        .group_by(Note.user_id)
        .order_by(func.count().desc(), func.min(Note.created_at), Note.user_id)
        .limit(limit)
    )
    return [user_id for user_id, _, _ in rows]


def display_names(session: Session, user_ids: Sequence[str]) -> dict[str, str]:
    """Names from what the app already knows (the user cache, the notes): no Slack call in a transaction."""
    names = {u.id: u.display_name for u in session.scalars(select(SlackUser).where(SlackUser.id.in_(user_ids)))}
    missing = [u for u in user_ids if u not in names]
    if missing:
        for user_id, name in session.execute(
            select(Note.user_id, Note.author_name).where(Note.user_id.in_(missing), Note.author_name != "")
        ):
            names.setdefault(user_id, name)
    return {u: names.get(u) or u for u in user_ids}


def may_close(swarm: Swarm, user_id: str, permissions: Permissions, case_owner_ids: frozenset[str]) -> bool:
    return permissions.can_close_swarm(user_id, swarm_owner=swarm.opened_by, case_owner_ids=case_owner_ids)


def check_may_close(session: Session, swarm_id: int, user_id: str, permissions: Permissions,
                    case_owner_ids: frozenset[str] = frozenset(), *, team_id: str) -> Swarm:
    """The swarm, if it is open, of the closer's workspace `team_id`, and this person may close it; a clear
    error otherwise (a close button's swarm id can be forged)."""
    swarm = session.get(Swarm, swarm_id)
    if swarm is None:
        raise SwarmNotFound()
    if swarm.team_id != team_id:
        raise SwarmOfAnotherWorkspace()
    if swarm.status in (SwarmStatus.CLOSED, SwarmStatus.ARCHIVED):
        raise SwarmAlreadyClosed(case=swarm.case_number, user=swarm.closed_by or "—")
    if swarm.status != SwarmStatus.OPEN:
        raise SwarmNotOpenYet(case=swarm.case_number)
    if not may_close(swarm, user_id, permissions, case_owner_ids):
        raise CloseNotAllowed(owner=swarm.opened_by, case=swarm.case_number)
    return swarm


def close_swarm(session: Session, request: CloseRequest, *, permissions: Permissions, case_system: str,
                archive_delay: timedelta, now: datetime | None = None) -> ClosedSwarm:
    """Close an open swarm once. Raises SwarmAlreadyClosed, NotAllowed, SwarmNotFound, SwarmNotOpenYet."""
    now = now or utcnow()
    by_case_system = request.source == CloseSource.CASE_SYSTEM
    if by_case_system:
        swarm = session.get(Swarm, request.swarm_id)
        if swarm is None:
            raise SwarmNotFound()
    else:
        swarm = check_may_close(session, request.swarm_id, request.user_id, permissions, request.case_owner_ids,
                                team_id=request.team_id)
    closed_by = CASE_SYSTEM_CLOSER if by_case_system else request.user_id
    summary = (request.summary or "").strip()
    due = now + archive_delay
    claimed = session.execute(
        update(Swarm)
        .where(Swarm.id == request.swarm_id, Swarm.status == SwarmStatus.OPEN)
        .values(status=SwarmStatus.CLOSED, closed_at=now, closed_by=closed_by, resolution_summary=summary,
                archive_due_at=due, case_closed_at=now if by_case_system or case_system == "local" else None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.refresh(swarm)
        raise SwarmAlreadyClosed(case=swarm.case_number, user=swarm.closed_by or "—")
    session.refresh(swarm)
    credited = tuple(dict.fromkeys(request.credited if request.credited is not None
                                   else top_contributors(session, swarm.id)))
    _credit(session, swarm.id, credited, closed_by)
    if not by_case_system:
        _write_close_to_case(session, swarm, case_system, summary, credited, now)
    session.flush()
    return ClosedSwarm(swarm.id, swarm.channel_id or "", swarm.card_ts or "", swarm.case_number, swarm.language,
                       closed_by, now, summary, credited, due, request.source, swarm.thread_ts,
                       swarm.team_id)


def _credit(session: Session, swarm_id: int, credited: Sequence[str], closed_by: str) -> None:
    session.execute(update(SwarmMember).where(SwarmMember.swarm_id == swarm_id).values(credited=False))
    for user_id in credited:
        # Someone who helped from outside the channel is credited too; they were never a member.
        member = add_member(session, swarm_id, user_id, role=MemberRole.AGENT, invited_by=closed_by, joined=False)
        member.credited = True


def _write_close_to_case(session: Session, swarm: Swarm, case_system: str, summary: str,
                         credited: Sequence[str], now: datetime) -> None:
    names = display_names(session, [swarm.closed_by or "", *credited])
    closer = names.get(swarm.closed_by or "", swarm.closed_by or "")
    if case_system == "local":
        from swarms.case_systems.local import set_case_field

        try:
            set_case_field(session, swarm.case_key, "status", LOCAL_CLOSED_STATUS, author=closer)
        except CaseNotFound:
            log.warning("swarm %s: local case %s is gone; closing the swarm only", swarm.id, swarm.case_key)
    lang = swarm.language
    lines = [case_note("closed", lang, closer=closer)]
    if summary:
        lines.append(case_note("closed.resolution", lang, summary=summary))
    if credited:
        lines.append(case_note("closed.credited", lang, names=", ".join(names.get(u, u) for u in credited)))
    add_notice(session, swarm, f"closed-{swarm.id}", closer, "\n".join(lines), now)


def flush_notes(sessions: sessionmaker, cases: CaseSystem, worker: object | None = None) -> None:
    """Send what is pending now (the closing note last), so the case is complete when people look."""
    from swarms.note_sync.delivery import deliver_due

    try:
        if worker is not None:
            worker.deliver_now()  # type: ignore[attr-defined]
        else:
            deliver_due(sessions, cases)
    except Exception:
        log.exception("flushing notes at close failed; the outbox sweep sends them later")


# ---------------------------------------------------------------- reopening and archiving


@dataclass(frozen=True, slots=True)
class ReopenedSwarm:
    swarm_id: int
    channel_id: str
    case_number: str
    language: str
    reopened: bool  # False: another swarm is live for the case; only the archive was cancelled
    thread_ts: str | None = None
    team_id: str = ""  # the workspace the swarm is in: its Slack calls are made there


def reopen_swarm(session: Session, swarm_id: int) -> ReopenedSwarm | None:
    """The case was reopened before the archive: the swarm is open again. None if it was not closed."""
    swarm = session.get(Swarm, swarm_id)
    if swarm is None or swarm.status != SwarmStatus.CLOSED:
        return None
    try:
        with session.begin_nested():
            swarm.status = SwarmStatus.OPEN
            swarm.archive_due_at = None
            swarm.case_closed_at = swarm.closed_at = None  # not closed until it closes again: stats agree
            session.execute(update(SwarmMember).where(SwarmMember.swarm_id == swarm.id, SwarmMember.credited)
                            .values(credited=False))
            session.flush()
        reopened = True
    except IntegrityError:  # a newer swarm is live for the case: that one carries on
        session.refresh(swarm)
        swarm.archive_due_at = None
        reopened = False
    return ReopenedSwarm(swarm.id, swarm.channel_id or "", swarm.case_number, swarm.language, reopened,
                         swarm.thread_ts, swarm.team_id)


def swarms_awaiting_archive(session: Session, *, due_before: datetime | None = None) -> list[tuple[int, datetime]]:
    """Closed swarms with a planned archive: (swarm id, due), for the start-up re-plan and the reopen poll."""
    query = select(Swarm.id, Swarm.archive_due_at).where(Swarm.status == SwarmStatus.CLOSED,
                                                        Swarm.archive_due_at.is_not(None))
    if due_before is not None:
        query = query.where(Swarm.archive_due_at <= due_before)
    return [(swarm_id, due) for swarm_id, due in session.execute(query.order_by(Swarm.id))]


def check_reopened(sessions: sessionmaker, cases: CaseSystem, *,
                   overlap: timedelta = timedelta(minutes=2)) -> list[int]:
    """Closed swarms whose case was closed in the case system and is open there again.

    A swarm closed in Slack whose remote case is still open is not "reopened" by a status change: it
    counts once the case system has closed the case (noted here) and then opens it again.
    """
    with sessions() as session:
        rows = list(session.execute(
            select(Swarm.id, Swarm.case_key, Swarm.case_number, Swarm.closed_at, Swarm.case_closed_at)
            .where(Swarm.status == SwarmStatus.CLOSED, Swarm.archive_due_at.is_not(None),
                   Swarm.case_system == cases.name)
        ))
    if not rows:
        return []
    since = min(row.closed_at for row in rows) - overlap
    changed = {c.case_key for c in cases.changes_since(sorted({row.case_key for row in rows}), since)
               if c.field == "status"}
    reopened, now_closed = [], []
    for row in rows:
        if row.case_key not in changed:
            continue
        if cases.is_closed(row.case_number):
            if row.case_closed_at is None:
                now_closed.append(row.id)
        elif row.case_closed_at is not None:
            reopened.append(row.id)
    if now_closed:
        with sessions.begin() as session:
            session.execute(update(Swarm).where(Swarm.id.in_(now_closed)).values(case_closed_at=utcnow()))
    return reopened


@dataclass(frozen=True, slots=True)
class ArchiveTarget:
    swarm_id: int
    channel_id: str
    case_number: str
    thread_ts: str | None = None  # a thread swarm: nothing in Slack to archive
    team_id: str = ""  # the workspace the swarm is in: its Slack calls are made there


def archive_target(session: Session, swarm_id: int, *, now: datetime) -> ArchiveTarget | None:
    """The channel to archive now; None when there is nothing to archive (reopened, archived by hand, not
    due: closed again since, with a later archive of its own). The queue's claim makes the caller the only one."""
    row = session.execute(
        select(Swarm.channel_id, Swarm.case_number, Swarm.thread_ts, Swarm.team_id)
        .where(Swarm.id == swarm_id, Swarm.status == SwarmStatus.CLOSED, Swarm.archive_due_at.is_not(None),
               Swarm.archive_due_at <= now + timedelta(seconds=5), Swarm.channel_id.is_not(None),
               Swarm.channel_id != "")
    ).first()
    return ArchiveTarget(swarm_id, row.channel_id, row.case_number, row.thread_ts, row.team_id) if row else None


def mark_archived(session: Session, swarm_id: int) -> None:
    session.execute(
        update(Swarm).where(Swarm.id == swarm_id, Swarm.status == SwarmStatus.CLOSED)
        .values(status=SwarmStatus.ARCHIVED, archive_due_at=None)
    )

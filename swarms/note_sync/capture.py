"""Swarm messages become case notes: captured with an outbox row, delivered exactly once, in order.

Capture writes the note, its outbox row and the Slack event id in one transaction; the unique event id
and the unique (channel, ts) refuse Slack's retries. Delivery marks rows `sending` and commits before
calling the case system, so a crash leaves a trace: the next attempt sends with `maybe_written`, and
the adapter looks for the idempotency key before writing again. Each outbox row gets its case's next
sequence number in the capture transaction (the counter row stays locked to the commit), and
`delivery` (swarms/note_sync/delivery.py) sends a case's rows strictly in that order.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Insert, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from swarms.case_systems.base import NoteKind
from swarms.db import utcnow
from swarms.errors import AlreadySynced, NotYourSwarm, SwarmClosedForNotes, SwarmGone, SwarmOfAnotherWorkspace
from swarms.metrics import EVENTS_DEDUPLICATED
from swarms.models import (
    Note,
    OutboxItem,
    OutboxSequence,
    OutboxState,
    ProcessedEvent,
    Swarm,
    SwarmMember,
    SwarmStatus,
)
from swarms.upsert import insert_or_skip

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CapturedMessage:
    """A Slack message as the domain needs it; the bot has already made `body` readable."""

    channel_id: str
    ts: str
    user_id: str
    author_name: str
    text: str
    body: str
    thread_ts: str | None = None
    permalink: str = ""
    files: tuple[dict, ...] = ()
    event_id: str = ""
    source: str = "thread"  # thread, channel, shortcut
    at: datetime | None = None


def claim_event(session: Session, event_id: str) -> bool:
    """Record a Slack event id; False if it was already recorded (a retry, or another replica)."""
    if not event_id:
        return True
    inserted = insert_or_skip(session, ProcessedEvent.__table__, {"event_id": event_id, "received_at": utcnow()})
    if inserted is None:
        EVENTS_DEDUPLICATED.labels("event_id_at_capture").inc()
    return inserted is not None


def idempotency_key(note: Note, kind: NoteKind) -> str:
    base = f"{note.channel_id}-{note.message_ts}"
    return f"{base}:{kind}" if kind != NoteKind.EDIT else f"{base}:edit{note.version}"


# An opening swarm syncs too: its channel exists, and people write in it before the card is up.
SYNCING_STATUSES = (SwarmStatus.OPENING, SwarmStatus.OPEN, SwarmStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class SwarmRef:
    """What capturing a note needs of its swarm; cheap to keep in memory per channel."""

    id: int
    case_system: str
    case_key: str
    channel_id: str | None
    card_ts: str | None
    thread_ts: str | None = None  # a thread swarm: only replies in this thread are its notes

    @classmethod
    def of(cls, swarm: Swarm) -> SwarmRef:
        return cls(swarm.id, swarm.case_system, swarm.case_key, swarm.channel_id, swarm.card_ts, swarm.thread_ts)


class SwarmChanged(Exception):
    """The swarm no longer matches the remembered SwarmRef (closed for syncing, card moved): look again."""


def syncing_swarm(session: Session, channel_id: str, thread_ts: str | None = None) -> Swarm | None:
    """The swarm whose channel this is, or (with `thread_ts`) whose thread, while its notes still go to the case."""
    return session.scalar(
        select(Swarm).where(Swarm.placed_at(channel_id, thread_ts), Swarm.status.in_(SYNCING_STATUSES))
        .order_by(Swarm.mode).limit(1)
    )


def syncing_swarm_of_message(session: Session, channel_id: str, ts: str) -> Swarm | None:
    """The syncing swarm a message belongs to: its channel's, or the swarm that captured it (a thread reply;
    reaction events name the message, not its thread)."""
    swarm = syncing_swarm(session, channel_id)
    if swarm is not None:
        return swarm
    return session.scalar(
        select(Swarm).join(Note, Note.swarm_id == Swarm.id)
        .where(Note.channel_id == channel_id, Note.message_ts == ts, Swarm.status.in_(SYNCING_STATUSES))
    )


def capture_message(session: Session, swarm: Swarm, message: CapturedMessage) -> Note | None:
    """Store a new message as a note with its outbox row; None if this event or message is known."""
    session.flush()  # the swarm and anything pending first, as the savepoint used to
    at = message.at or utcnow()
    note_id = capture_note(session, SwarmRef.of(swarm), message)
    if note_id is None:
        return None
    swarm.last_activity_at = at  # as the statement just wrote: the object agrees with its row
    return session.get_one(Note, note_id)


def capture_note(session: Session, swarm: SwarmRef, message: CapturedMessage, *, touch_swarm: bool = True,
                 check_swarm: bool = False) -> int | None:
    """The hot path of capture, in plain statements: the new note's id, None if this event or message is known.

    With `check_swarm` the swarm must still be syncing and match `swarm` (a remembered SwarmRef);
    otherwise SwarmChanged is raised and the caller's transaction must roll back.
    """
    if not claim_event(session, message.event_id):
        return None
    at = message.at or utcnow()
    note_id = insert_or_skip(session, Note.__table__, {
        "swarm_id": swarm.id, "channel_id": message.channel_id, "message_ts": message.ts,
        "thread_ts": message.thread_ts, "user_id": message.user_id, "author_name": message.author_name,
        "text": message.text, "body": message.body, "permalink": message.permalink, "files": list(message.files),
        "marks": [], "source": message.source, "created_at": at, "external_id": "", "version": 1,
    })
    if note_id is None:
        return None  # the same message through another event (a broadcast, a shortcut): one note
    if touch_swarm:  # the swarm row before the case's sequence row, in every capture: no deadlock
        _touch_swarm(session, swarm, at, check=check_swarm)
    key = f"{message.channel_id}-{message.ts}:{NoteKind.ADD}"  # idempotency_key() of the new note
    _enqueue_row(session, int(note_id), swarm, NoteKind.ADD, key, at)
    _note_first_reply(session, swarm.id, message.user_id, at)
    return int(note_id)


def _touch_swarm(session: Session, swarm: SwarmRef, at: datetime, *, check: bool) -> None:
    params = {"b_id": swarm.id, "at": at}
    if check:
        params |= {"channel": swarm.channel_id, "system": swarm.case_system, "key": swarm.case_key,
                   "card": swarm.card_ts}
    statement = (_TOUCH_CHECKED_NO_CARD if swarm.card_ts is None else _TOUCH_CHECKED) if check else _TOUCH
    result = session.execute(statement, params)
    if check and result.rowcount != 1:
        raise SwarmChanged(swarm.id)


_swarms = Swarm.__table__.c
_TOUCH = update(Swarm.__table__).where(_swarms.id == bindparam("b_id")).values(last_activity_at=bindparam("at"))
_TOUCH_CHECKED_NO_CARD = _TOUCH.where(
    _swarms.status.in_(SYNCING_STATUSES), _swarms.channel_id == bindparam("channel"),
    _swarms.case_system == bindparam("system"), _swarms.case_key == bindparam("key"), _swarms.card_ts.is_(None),
)
_TOUCH_CHECKED = _TOUCH.where(
    _swarms.status.in_(SYNCING_STATUSES), _swarms.channel_id == bindparam("channel"),
    _swarms.case_system == bindparam("system"), _swarms.case_key == bindparam("key"),
    _swarms.card_ts == bindparam("card"),
)


def capture_edit(session: Session, channel_id: str, ts: str, *, text: str, body: str, event_id: str = "") -> bool:
    """A message was edited in Slack: update the note; send an edit only if the case already has it."""
    if not claim_event(session, event_id):
        return False
    note = _note(session, channel_id, ts)
    if note is None or note.deleted_at is not None or note.text == text:
        return False
    note.text, note.body, note.edited_at = text, body, utcnow()
    note.version += 1
    add_row = _row(session, note, NoteKind.ADD)
    if add_row is not None and add_row.state == OutboxState.PENDING and add_row.sending_since is None:
        return True  # not sent yet: the pending add reads the new body when it goes
    _supersede_pending_edits(session, note)
    _enqueue(session, note, NoteKind.EDIT, utcnow())
    return True


def capture_deletion(session: Session, channel_id: str, ts: str, *, event_id: str = "") -> bool:
    """A message was deleted in Slack: the case note is marked retracted, never silently dropped."""
    if not claim_event(session, event_id):
        return False
    note = _note(session, channel_id, ts)
    if note is None or note.deleted_at is not None:
        return False
    note.deleted_at = utcnow()
    _supersede_pending_edits(session, note)
    add_row = _row(session, note, NoteKind.ADD)
    if add_row is not None and add_row.state == OutboxState.PENDING and add_row.sending_since is None:
        # Never sent: send the retraction notice in its place, without the deleted text.
        add_row.kind = NoteKind.RETRACT
        return True
    _enqueue(session, note, NoteKind.RETRACT, utcnow())
    return True


def is_captured(session: Session, channel_id: str, ts: str) -> bool:
    """The message is a note already (of any swarm)."""
    return session.scalar(select(Note.id).where(Note.channel_id == channel_id, Note.message_ts == ts)) is not None


def _note(session: Session, channel_id: str, ts: str) -> Note | None:
    return session.scalar(select(Note).where(Note.channel_id == channel_id, Note.message_ts == ts))


def _row(session: Session, note: Note, kind: NoteKind) -> OutboxItem | None:
    """Locked (PostgreSQL): a claim taking it waits for this change, or this change sees it taken."""
    return session.scalar(
        select(OutboxItem).where(OutboxItem.note_id == note.id, OutboxItem.kind == kind).with_for_update()
    )


def _supersede_pending_edits(session: Session, note: Note) -> None:
    """Unsent edits are replaced by the newer change: each edit sends the latest text anyway."""
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.note_id == note.id, OutboxItem.kind == NoteKind.EDIT,
               OutboxItem.state == OutboxState.PENDING, OutboxItem.sending_since.is_(None))
        .values(state=OutboxState.DELIVERED, last_error="superseded by a newer change", delivered_at=utcnow())
    )


def _enqueue(session: Session, note: Note, kind: NoteKind, at: datetime) -> None:
    session.flush()  # the note's change first, then the case's sequence row (as capture_note: no deadlock)
    swarm = SwarmRef.of(session.get_one(Swarm, note.swarm_id))
    _enqueue_row(session, note.id, swarm, kind, idempotency_key(note, kind), at)


def _enqueue_row(session: Session, note_id: int, swarm: SwarmRef, kind: NoteKind, key: str, at: datetime) -> None:
    """The outbox row as one INSERT statement, numbered next in its case (the hot path has no ORM object)."""
    seq = session.execute(_next_seq_statement(session.get_bind().dialect.name),
                          {"case_system": swarm.case_system, "case_key": swarm.case_key}).scalar_one()
    session.execute(_OUTBOX_INSERT, dict(
        note_id=note_id, swarm_id=swarm.id, case_system=swarm.case_system, case_key=swarm.case_key, kind=kind,
        idempotency_key=key, state=OutboxState.PENDING, attempts=0, next_attempt_at=at, last_error="",
        external_id="", created_at=at, sending_since=None, seq=seq, lease_until=None, claimed_by="",
    ))


@cache
def _next_seq_statement(dialect: str) -> Insert:
    """INSERT … ON CONFLICT DO UPDATE … RETURNING: the case's next number; its row stays locked to the commit."""
    insert_of = sqlite_insert if dialect == "sqlite" else pg_insert
    table = OutboxSequence.__table__
    statement = insert_of(table).values(case_system=bindparam("case_system"), case_key=bindparam("case_key"),
                                        last_seq=1)
    return statement.on_conflict_do_update(
        index_elements=[table.c.case_system, table.c.case_key], set_={"last_seq": table.c.last_seq + 1}
    ).returning(table.c.last_seq)


_OUTBOX_INSERT = insert(OutboxItem.__table__)
_members = SwarmMember.__table__.c
_FIRST_REPLY = (
    update(SwarmMember.__table__)
    .where(_members.swarm_id == bindparam("s"), _members.user_id == bindparam("u"), _members.first_reply_at.is_(None))
    .values(first_reply_at=bindparam("at"))
)


def _note_first_reply(session: Session, swarm_id: int, user_id: str, at: datetime) -> None:
    session.execute(_FIRST_REPLY, {"s": swarm_id, "u": user_id, "at": at})


# ---------------------------------------------------------------- people asking


@dataclass(frozen=True, slots=True)
class SyncStatus:
    delivered: int
    pending: int
    parked: int
    last_error: str = ""
    oldest_pending_at: datetime | None = None


def sync_status(session: Session, swarm_id: int) -> SyncStatus:
    counts = defaultdict(int)
    for state, count in session.execute(
        select(OutboxItem.state, func.count()).where(OutboxItem.swarm_id == swarm_id).group_by(OutboxItem.state)
    ):
        counts[state] = count
    last_error = session.scalar(
        select(OutboxItem.last_error)
        .where(OutboxItem.swarm_id == swarm_id, OutboxItem.state != OutboxState.DELIVERED, OutboxItem.last_error != "")
        .order_by(OutboxItem.id.desc())
        .limit(1)
    )
    oldest = session.scalar(
        select(func.min(OutboxItem.created_at)).where(OutboxItem.swarm_id == swarm_id,
                                                      OutboxItem.state == OutboxState.PENDING)
    )
    return SyncStatus(counts[OutboxState.DELIVERED], counts[OutboxState.PENDING], counts[OutboxState.PARKED],
                      last_error or "", oldest)


def retry_parked(session: Session, swarm_id: int) -> int:
    """`/swarm sync retry`: parked rows go back to pending, due now, with a fresh attempt count."""
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.swarm_id == swarm_id, OutboxItem.state == OutboxState.PARKED)
        .values(state=OutboxState.PENDING, attempts=0, next_attempt_at=utcnow(), sending_since=None,
                lease_until=None, claimed_by="")
    )
    return result.rowcount or 0


# ---------------------------------------------------------------- "Add to case" from any channel


@dataclass(frozen=True, slots=True)
class SwarmChoice:
    swarm_id: int
    case_number: str
    case_subject: str
    channel_id: str


def swarms_for_user(session: Session, team_id: str, user_id: str, *, include_all: bool = False,
                    limit: int = 100) -> list[SwarmChoice]:
    """Open swarms of workspace `team_id` a person may add a message to: those they are a member of (admins:
    all of that workspace's), newest first."""
    query = select(Swarm).where(Swarm.team_id == team_id, Swarm.status == SwarmStatus.OPEN,
                                Swarm.channel_id.is_not(None))
    if not include_all:
        member = select(SwarmMember.swarm_id).where(SwarmMember.user_id == user_id, SwarmMember.left_at.is_(None))
        query = query.where(Swarm.id.in_(member))
    rows = session.scalars(query.order_by(Swarm.last_activity_at.desc(), Swarm.id.desc()).limit(limit))
    return [SwarmChoice(s.id, s.case_number, s.case_subject, s.channel_id or "") for s in rows]


def add_message_to_swarm(session: Session, swarm_id: int, message: CapturedMessage, *, team_id: str, user_id: str,
                         may_choose_any: bool = False) -> Note:
    """The "Add to case" shortcut: the message (of workspace `team_id`) becomes a note of the chosen swarm's case.

    Raises SwarmGone for a swarm that is gone, SwarmOfAnotherWorkspace for one of another workspace (the
    picked id can be forged), SwarmClosedForNotes for one that has closed, NotYourSwarm for one the person
    is not in, and AlreadySynced when this message is already a note (of this or another case).
    """
    swarm = session.get(Swarm, swarm_id)
    if swarm is None or swarm.status not in (SwarmStatus.OPEN, SwarmStatus.CLOSED):
        raise SwarmGone()
    if swarm.team_id != team_id:
        raise SwarmOfAnotherWorkspace()
    if swarm.status == SwarmStatus.CLOSED:
        raise SwarmClosedForNotes(case=swarm.case_number)
    if not may_choose_any and swarm_id not in {c.swarm_id for c in swarms_for_user(session, team_id, user_id,
                                                                                         limit=1000)}:
        raise NotYourSwarm(case=swarm.case_number)
    existing = _note(session, message.channel_id, message.ts)
    if existing is not None:
        owner = session.get(Swarm, existing.swarm_id)
        raise AlreadySynced(case=owner.case_number if owner else swarm.case_number)
    note = capture_message(session, swarm, message)
    if note is None:
        raise AlreadySynced(case=swarm.case_number)
    return note

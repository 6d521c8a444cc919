"""Swarm messages become case notes: captured with an outbox row, delivered exactly once, in order.

Capture writes the note, its outbox row and the Slack event id in one transaction; the unique event id
and the unique (channel, ts) refuse Slack's retries. Delivery marks rows `sending` and commits before
calling the case system, so a crash leaves a trace: the next attempt sends with `maybe_written`, and
the adapter looks for the idempotency key before writing again. Rows of one case go out in id order;
a case with a row waiting for its backoff, or in flight elsewhere, is skipped until it is done.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Insert, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from swarms.case_systems.base import CaseSystem, CaseSystemAuthError, CaseSystemUnavailable, NoteKind, NoteToWrite
from swarms.db import utcnow
from swarms.errors import AlreadySynced, NotYourSwarm, SwarmClosedForNotes, SwarmGone
from swarms.models import Note, OutboxItem, OutboxState, ProcessedEvent, Swarm, SwarmMember, SwarmStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=30)
BATCH_SIZE = 200  # Salesforce sObject Collections take 200 records a call
SENDING_TIMEOUT = timedelta(minutes=5)  # a row "sending" longer than this was lost with its process


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


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    parked: list[tuple[int, str]] = field(default_factory=list)  # (swarm id, error)
    calls: int = 0
    unavailable: bool = False


def claim_event(session: Session, event_id: str) -> bool:
    """Record a Slack event id; False if it was already recorded (a retry, or another replica)."""
    if not event_id:
        return True
    inserted = _insert_or_skip(session, ProcessedEvent.__table__, {"event_id": event_id, "received_at": utcnow()})
    return inserted is not None


def _insert_or_skip(session: Session, table: Table, values: dict) -> int | str | None:
    """INSERT … ON CONFLICT DO NOTHING (no savepoint); the new row's primary key, None on a conflict."""
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        return session.execute(_insert_skip_statement(table, dialect), values).scalar()
    key = next(iter(table.primary_key.columns))
    try:  # other databases: a savepoint, as before
        with session.begin_nested():
            return session.execute(insert(table).returning(key), values).scalar()
    except IntegrityError:
        return None


@cache
def _insert_skip_statement(table: Table, dialect: str) -> Insert:
    """Built once: the values travel as parameters, so each capture skips building and coercing a statement."""
    key = next(iter(table.primary_key.columns))
    insert_of = sqlite_insert if dialect == "sqlite" else pg_insert
    return insert_of(table).on_conflict_do_nothing().returning(key)


def idempotency_key(note: Note, kind: NoteKind) -> str:
    base = f"{note.channel_id}-{note.message_ts}"
    return f"{base}:{kind}" if kind != NoteKind.EDIT else f"{base}:edit{note.version}"


SYNCING_STATUSES = (SwarmStatus.OPEN, SwarmStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class SwarmRef:
    """What capturing a note needs of its swarm; cheap to keep in memory per channel."""

    id: int
    case_system: str
    case_key: str
    channel_id: str | None
    card_ts: str | None

    @classmethod
    def of(cls, swarm: Swarm) -> SwarmRef:
        return cls(swarm.id, swarm.case_system, swarm.case_key, swarm.channel_id, swarm.card_ts)


class SwarmChanged(Exception):
    """The swarm no longer matches the remembered SwarmRef (closed for syncing, card moved): look again."""


def syncing_swarm(session: Session, channel_id: str) -> Swarm | None:
    """The swarm whose channel this is, while its notes still go to the case."""
    return session.scalar(
        select(Swarm).where(Swarm.channel_id == channel_id, Swarm.status.in_(SYNCING_STATUSES))
    )


def capture_message(session: Session, swarm: Swarm, message: CapturedMessage) -> Note | None:
    """Store a new message as a note with its outbox row; None if this event or message is known."""
    session.flush()  # the swarm and anything pending first, as the savepoint used to
    at = message.at or utcnow()
    note_id = capture_note(session, SwarmRef.of(swarm), message, touch_swarm=False)
    if note_id is None:
        return None
    swarm.last_activity_at = at
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
    note_id = _insert_or_skip(session, Note.__table__, {
        "swarm_id": swarm.id, "channel_id": message.channel_id, "message_ts": message.ts,
        "thread_ts": message.thread_ts, "user_id": message.user_id, "author_name": message.author_name,
        "text": message.text, "body": message.body, "permalink": message.permalink, "files": list(message.files),
        "marks": [], "source": message.source, "created_at": at, "external_id": "", "version": 1,
    })
    if note_id is None:
        return None  # the same message through another event (a broadcast, a shortcut): one note
    key = f"{message.channel_id}-{message.ts}:{NoteKind.ADD}"  # idempotency_key() of the new note
    _enqueue_row(session, int(note_id), swarm, NoteKind.ADD, key, at)
    if touch_swarm:
        _touch_swarm(session, swarm, at, check=check_swarm)
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
    _enqueue(session, note, session.get_one(Swarm, note.swarm_id), NoteKind.EDIT, utcnow())
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
    _enqueue(session, note, session.get_one(Swarm, note.swarm_id), NoteKind.RETRACT, utcnow())
    return True


def _note(session: Session, channel_id: str, ts: str) -> Note | None:
    return session.scalar(select(Note).where(Note.channel_id == channel_id, Note.message_ts == ts))


def _row(session: Session, note: Note, kind: NoteKind) -> OutboxItem | None:
    return session.scalar(select(OutboxItem).where(OutboxItem.note_id == note.id, OutboxItem.kind == kind))


def _supersede_pending_edits(session: Session, note: Note) -> None:
    """Unsent edits are replaced by the newer change: each edit sends the latest text anyway."""
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.note_id == note.id, OutboxItem.kind == NoteKind.EDIT,
               OutboxItem.state == OutboxState.PENDING, OutboxItem.sending_since.is_(None))
        .values(state=OutboxState.DELIVERED, last_error="superseded by a newer change", delivered_at=utcnow())
    )


def _enqueue(session: Session, note: Note, swarm: Swarm, kind: NoteKind, at: datetime) -> OutboxItem:
    row = OutboxItem(note_id=note.id, swarm_id=swarm.id, case_system=swarm.case_system, case_key=swarm.case_key,
                     kind=kind, idempotency_key=idempotency_key(note, kind), next_attempt_at=at, created_at=at)
    session.add(row)
    session.flush()
    return row


def _enqueue_row(session: Session, note_id: int, swarm: SwarmRef, kind: NoteKind, key: str, at: datetime) -> None:
    """The outbox row as one INSERT statement (the hot path has no ORM object to flush)."""
    session.execute(_OUTBOX_INSERT, dict(
        note_id=note_id, swarm_id=swarm.id, case_system=swarm.case_system, case_key=swarm.case_key, kind=kind,
        idempotency_key=key, state=OutboxState.PENDING, attempts=0, next_attempt_at=at, last_error="",
        external_id="", created_at=at, sending_since=None,
    ))


_OUTBOX_INSERT = insert(OutboxItem.__table__)
_members = SwarmMember.__table__.c
_FIRST_REPLY = (
    update(SwarmMember.__table__)
    .where(_members.swarm_id == bindparam("s"), _members.user_id == bindparam("u"), _members.first_reply_at.is_(None))
    .values(first_reply_at=bindparam("at"))
)


def _note_first_reply(session: Session, swarm_id: int, user_id: str, at: datetime) -> None:
    session.execute(_FIRST_REPLY, {"s": swarm_id, "u": user_id, "at": at})


# ---------------------------------------------------------------- delivery


def deliver_due(sessions: sessionmaker, cases: CaseSystem, *, now: datetime | None = None,
                batch_size: int = BATCH_SIZE, rng: random.Random | None = None) -> DeliveryReport:
    """Send every due row, a batch at a time, until none is due or the case system is down."""
    report = DeliveryReport()
    while True:
        batch = claim_batch(sessions, cases.name, now=now or utcnow(), limit=batch_size)
        if not batch:
            return report
        send_batch(sessions, cases, batch, report, rng=rng or random.Random())
        if report.unavailable:
            return report


def claim_batch(sessions: sessionmaker, case_system: str, *, now: datetime, limit: int) -> list[int]:
    """Pick due rows in per-case order and mark them sending (committed before any remote call).

    Rows are written for the configured system; after a switch of CASE_SYSTEM the others stay put.
    """
    with sessions.begin() as session:
        query = (
            select(OutboxItem)
            .where(OutboxItem.state == OutboxState.PENDING, OutboxItem.case_system == case_system)
            .order_by(OutboxItem.id)
            .limit(limit * 5)
        )
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        picked: list[OutboxItem] = []
        blocked: set[str] = set()
        for row in session.scalars(query):
            if row.case_key in blocked:
                continue
            in_flight = row.sending_since is not None and now - row.sending_since < SENDING_TIMEOUT
            if row.next_attempt_at > now or in_flight:
                blocked.add(row.case_key)  # keep the order: nothing after a waiting row of the same case
                continue
            picked.append(row)
            if len(picked) == limit:
                break
        for row in picked:
            row.attempts += 1
            row.sending_since = now
        return [row.id for row in picked]


def send_batch(sessions: sessionmaker, cases: CaseSystem, row_ids: list[int], report: DeliveryReport, *,
               rng: random.Random) -> None:
    with sessions() as session:
        rows = list(session.scalars(select(OutboxItem).where(OutboxItem.id.in_(row_ids)).order_by(OutboxItem.id)))
        notes = {n.id: n for n in session.scalars(select(Note).where(Note.id.in_([r.note_id for r in rows])))}
        writes = [_note_to_write(row, notes[row.note_id]) for row in rows]
    try:
        report.calls += 1
        results = cases.add_notes(writes)
    except (CaseSystemUnavailable, CaseSystemAuthError) as exc:
        report.unavailable = True
        _retry_all(sessions, row_ids, str(exc), rng, getattr(exc, "retry_after", None), report)
        return
    by_key = {r.idempotency_key: r for r in results}
    with sessions.begin() as session:
        for row in session.scalars(select(OutboxItem).where(OutboxItem.id.in_(row_ids))):
            result = by_key.get(row.idempotency_key)
            if result is not None and result.ok:
                _mark_delivered(session, row, result.external_id)
                report.delivered += 1
            else:
                error = result.error if result else "no result for this note"
                retryable = result.retryable if result else True
                _mark_failed(session, row, error, retryable, rng, None, report)


def _note_to_write(row: OutboxItem, note: Note) -> NoteToWrite:
    kind = NoteKind(row.kind)
    if kind == NoteKind.RETRACT:
        body = (f"[Retracted · 삭제됨] The Slack message by {note.author_name} was deleted in Slack. "
                "Slack에서 삭제된 메시지입니다.")
    else:
        body = note.body
    return NoteToWrite(
        idempotency_key=row.idempotency_key,
        case_key=row.case_key,
        author_name=note.author_name,
        body=body,
        created_at=note.created_at,
        kind=kind if note.external_id or kind == NoteKind.ADD else NoteKind.ADD,
        external_id=note.external_id,
        # Sent before without a recorded outcome: it may be in the case already.
        maybe_written=row.attempts > 1,
    )


def _mark_delivered(session: Session, row: OutboxItem, external_id: str) -> None:
    row.state, row.delivered_at, row.sending_since, row.last_error = OutboxState.DELIVERED, utcnow(), None, ""
    row.external_id = external_id
    if row.kind == NoteKind.ADD or (row.kind == NoteKind.RETRACT and external_id):
        note = session.get_one(Note, row.note_id)
        note.external_id = note.external_id or external_id


def _mark_failed(session: Session, row: OutboxItem, error: str, retryable: bool, rng: random.Random,
                 retry_after: float | None, report: DeliveryReport) -> None:
    row.sending_since = None
    row.last_error = error[:2000]
    if not retryable or row.attempts >= MAX_ATTEMPTS:
        row.state = OutboxState.PARKED
        report.parked.append((row.swarm_id, error))
        return
    row.next_attempt_at = utcnow() + backoff(row.attempts, rng, retry_after)
    report.retried += 1


def _retry_all(sessions: sessionmaker, row_ids: list[int], error: str, rng: random.Random,
               retry_after: float | None, report: DeliveryReport) -> None:
    with sessions.begin() as session:
        for row in session.scalars(select(OutboxItem).where(OutboxItem.id.in_(row_ids))):
            _mark_failed(session, row, error, True, rng, retry_after, report)


def backoff(attempts: int, rng: random.Random, retry_after: float | None = None) -> timedelta:
    """Exponential with full jitter, never sooner than the system's own Retry-After."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    delay = timedelta(seconds=rng.uniform(ceiling.total_seconds() / 2, ceiling.total_seconds()))
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


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
        .values(state=OutboxState.PENDING, attempts=0, next_attempt_at=utcnow(), sending_since=None)
    )
    return result.rowcount or 0


# ---------------------------------------------------------------- "Add to case" from any channel


@dataclass(frozen=True, slots=True)
class SwarmChoice:
    swarm_id: int
    case_number: str
    case_subject: str
    channel_id: str


def swarms_for_user(session: Session, user_id: str, *, include_all: bool = False,
                    limit: int = 100) -> list[SwarmChoice]:
    """Open swarms a person may add a message to: those they are a member of (admins: all), newest first."""
    query = select(Swarm).where(Swarm.status == SwarmStatus.OPEN, Swarm.channel_id.is_not(None))
    if not include_all:
        member = select(SwarmMember.swarm_id).where(SwarmMember.user_id == user_id, SwarmMember.left_at.is_(None))
        query = query.where(Swarm.id.in_(member))
    rows = session.scalars(query.order_by(Swarm.last_activity_at.desc(), Swarm.id.desc()).limit(limit))
    return [SwarmChoice(s.id, s.case_number, s.case_subject, s.channel_id or "") for s in rows]


def add_message_to_swarm(session: Session, swarm_id: int, message: CapturedMessage, *, user_id: str,
                         may_choose_any: bool = False) -> Note:
    """The "Add to case" shortcut: the message becomes a note of the chosen swarm's case.

    Raises SwarmGone for a swarm that is gone, SwarmClosedForNotes for one that has closed, NotYourSwarm
    for one the person is not in, and AlreadySynced when this message is already a note (of this or
    another case).
    """
    swarm = session.get(Swarm, swarm_id)
    if swarm is None or swarm.status not in (SwarmStatus.OPEN, SwarmStatus.CLOSED):
        raise SwarmGone()
    if swarm.status == SwarmStatus.CLOSED:
        raise SwarmClosedForNotes(case=swarm.case_number)
    if not may_choose_any and swarm_id not in {c.swarm_id for c in swarms_for_user(session, user_id, limit=1000)}:
        raise NotYourSwarm(case=swarm.case_number)
    existing = _note(session, message.channel_id, message.ts)
    if existing is not None:
        owner = session.get(Swarm, existing.swarm_id)
        raise AlreadySynced(case=owner.case_number if owner else swarm.case_number)
    note = capture_message(session, swarm, message)
    if note is None:
        raise AlreadySynced(case=swarm.case_number)
    return note

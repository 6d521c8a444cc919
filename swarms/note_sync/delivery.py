"""Sending the outbox: each case strictly in capture order, under a lease a crashed sender lets go of in seconds.

Capture numbers a case's rows (`OutboxItem.seq`) in commit order, without gaps (see OutboxSequence).
A claim takes a case at a time: under a transaction-scoped advisory lock of the case (PostgreSQL; on
SQLite the claim's BEGIN IMMEDIATE already shuts every other writer out) it takes the case's pending
rows from the lowest sequence up and stops at the first one waiting for its backoff or leased to
another sender, so no replica ever sends a later note of a case while an earlier one is unsent.

Claimed rows carry a lease (`lease_until`, 15 s by default, NOTE_SYNC_LEASE_SECONDS) and the claim's
token. While the case-system call runs, a heartbeat renews the lease; a sender killed mid-call stops
renewing, and once the lease has run out the next claim (any replica) takes the rows again, marked
`maybe_written` so the adapter looks for the idempotency key before writing twice. An outcome is
recorded only by the claim that still holds the row.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from swarms.case_systems.base import CaseSystem, CaseSystemAuthError, CaseSystemUnavailable, NoteKind, NoteToWrite
from swarms.db import utcnow
from swarms.models import Note, OutboxItem, OutboxState, Swarm
from swarms.note_sync.case_note_words import case_note

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=30)
BATCH_SIZE = 200  # Salesforce sObject Collections take 200 records a call
DEFAULT_LEASE = timedelta(seconds=15)
MAX_HEARTBEAT = timedelta(minutes=10)  # a call still running after this lets its rows go
# pg_try_advisory_xact_lock(namespace, hashtext(case)): the two-key form, apart from one-key locks.
CASE_LOCK_NAMESPACE = 0x0C5E0B0C
_LOCK_CASES = text(
    "SELECT k FROM unnest(CAST(:keys AS text[])) AS k WHERE pg_try_advisory_xact_lock(:ns, hashtext(k))"
)


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    parked: list[tuple[int, str]] = field(default_factory=list)  # (swarm id, error)
    calls: int = 0
    unavailable: bool = False


@dataclass(frozen=True, slots=True)
class Claim:
    """Rows one sender holds: their ids in send order, and the token its outcome is recorded under."""

    token: str
    row_ids: tuple[int, ...]
    lease: timedelta = DEFAULT_LEASE

    def __bool__(self) -> bool:
        return bool(self.row_ids)

    def __len__(self) -> int:
        return len(self.row_ids)


def deliver_due(sessions: sessionmaker, cases: CaseSystem, *, now: datetime | None = None,
                batch_size: int = BATCH_SIZE, rng: random.Random | None = None,
                lease: timedelta = DEFAULT_LEASE) -> DeliveryReport:
    """Send every due row, a batch at a time, until none is due or the case system is down."""
    report = DeliveryReport()
    while True:
        claim = claim_batch(sessions, cases.name, now=now or utcnow(), limit=batch_size, lease=lease)
        if not claim:
            return report
        send_batch(sessions, cases, claim, report, rng=rng or random.Random())
        if report.unavailable:
            return report


def claim_batch(sessions: sessionmaker, case_system: str, *, now: datetime, limit: int,
                lease: timedelta = DEFAULT_LEASE) -> Claim:
    """Take due rows, each case's from its lowest sequence up, and lease them (committed before any call).

    Rows are written for the configured system; after a switch of CASE_SYSTEM the others stay put.
    """
    claim = Claim(uuid.uuid4().hex, (), lease)
    with sessions.begin() as session:
        candidates = list(session.scalars(
            select(OutboxItem.case_key)
            .where(OutboxItem.state == OutboxState.PENDING, OutboxItem.case_system == case_system,
                   OutboxItem.next_attempt_at <= now, _free(now))
            .group_by(OutboxItem.case_key)
            .order_by(func.min(OutboxItem.id))
            .limit(limit)
        ))
        picked = _in_sequence(session, case_system, _locked_cases(session, case_system, candidates), now, limit)
        if picked:
            session.execute(
                update(OutboxItem).where(OutboxItem.id.in_(picked))
                .values(attempts=OutboxItem.attempts + 1, sending_since=now, lease_until=now + lease,
                        claimed_by=claim.token)
            )
    return Claim(claim.token, tuple(picked), lease)


def _free(now: datetime):
    return or_(OutboxItem.lease_until.is_(None), OutboxItem.lease_until <= now)


def _locked_cases(session: Session, case_system: str, case_keys: list[str]) -> list[str]:
    """The cases no other claim is working on; each stays ours until this transaction ends."""
    if not case_keys or session.get_bind().dialect.name != "postgresql":
        return case_keys  # SQLite: BEGIN IMMEDIATE made this claim the only writer
    names = [f"{case_system}:{key}" for key in case_keys]
    locked = set(session.scalars(_LOCK_CASES, {"keys": names, "ns": CASE_LOCK_NAMESPACE}))
    return [key for key, name in zip(case_keys, names, strict=True) if name in locked]


def _in_sequence(session: Session, case_system: str, case_keys: list[str], now: datetime, limit: int) -> list[int]:
    """Per case, the pending rows from the lowest sequence up to the first that must wait."""
    if not case_keys:
        return []
    position = func.row_number().over(partition_by=OutboxItem.case_key, order_by=OutboxItem.seq).label("position")
    ranked = (
        select(OutboxItem.id, OutboxItem.case_key, OutboxItem.next_attempt_at, OutboxItem.lease_until, position)
        .where(OutboxItem.state == OutboxState.PENDING, OutboxItem.case_system == case_system,
               OutboxItem.case_key.in_(case_keys))
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.id, ranked.c.case_key, ranked.c.next_attempt_at, ranked.c.lease_until)
        .where(ranked.c.position <= limit)
        .order_by(ranked.c.case_key, ranked.c.position)
    ).all()
    by_case: dict[str, list[int]] = {key: [] for key in case_keys}
    blocked: set[str] = set()
    for row_id, case_key, next_attempt_at, lease_until in rows:
        if case_key in blocked:
            continue
        if next_attempt_at > now or (lease_until is not None and lease_until > now):
            blocked.add(case_key)  # keep the order: nothing after a waiting row of the same case
            continue
        by_case[case_key].append(row_id)
    picked: list[int] = []
    for key in case_keys:  # oldest case first, each case whole while there is room
        picked.extend(by_case[key][: limit - len(picked)])
    return picked


def send_batch(sessions: sessionmaker, cases: CaseSystem, claim: Claim, report: DeliveryReport, *,
               rng: random.Random) -> None:
    with sessions() as session:
        order = {row_id: i for i, row_id in enumerate(claim.row_ids)}
        rows = sorted(session.scalars(select(OutboxItem).where(OutboxItem.id.in_(claim.row_ids))),
                      key=lambda row: order[row.id])
        notes = {n.id: n for n in session.scalars(select(Note).where(Note.id.in_([r.note_id for r in rows])))}
        languages = dict(session.execute(select(Swarm.id, Swarm.language)
                                         .where(Swarm.id.in_({n.swarm_id for n in notes.values()}))).all())
        writes = [_note_to_write(row, notes[row.note_id], languages.get(notes[row.note_id].swarm_id, "en"))
                  for row in rows]
    try:
        report.calls += 1
        with _heartbeat(sessions, claim):
            results = cases.add_notes(writes)
    except (CaseSystemUnavailable, CaseSystemAuthError) as exc:
        report.unavailable = True
        _retry_all(sessions, claim, str(exc), rng, getattr(exc, "retry_after", None), report)
        return
    by_key = {r.idempotency_key: r for r in results}
    with sessions.begin() as session:
        for row in _still_held(session, claim):
            result = by_key.get(row.idempotency_key)
            if result is not None and result.ok:
                _mark_delivered(session, row, result.external_id)
                report.delivered += 1
            else:
                error = result.error if result else "no result for this note"
                retryable = result.retryable if result else True
                _mark_failed(session, row, error, retryable, rng, None, report)


def _still_held(session: Session, claim: Claim) -> list[OutboxItem]:
    """The claim's rows it still holds: a row whose lease ran out may be another sender's by now."""
    return list(session.scalars(
        select(OutboxItem).where(OutboxItem.id.in_(claim.row_ids), OutboxItem.claimed_by == claim.token,
                                 OutboxItem.state == OutboxState.PENDING)
    ))


_RENEW = (
    update(OutboxItem)
    .where(OutboxItem.id.in_(bindparam("ids", expanding=True)), OutboxItem.claimed_by == bindparam("token"),
           OutboxItem.state == OutboxState.PENDING)
    .values(lease_until=bindparam("until"))
)


@contextmanager
def _heartbeat(sessions: sessionmaker, claim: Claim) -> Iterator[None]:
    """Renew the claim's lease every third of it while the body runs (up to MAX_HEARTBEAT)."""
    stop = threading.Event()
    every = claim.lease.total_seconds() / 3
    rounds = int(MAX_HEARTBEAT.total_seconds() / every)

    def renew() -> None:
        for _ in range(rounds):
            if stop.wait(every):
                return
            try:
                with sessions.begin() as session:
                    session.execute(_RENEW, {"ids": list(claim.row_ids), "token": claim.token,
                                             "until": utcnow() + claim.lease})
            except Exception:  # the database blinked: the next beat tries again, the lease covers two misses
                log.warning("could not renew the lease of %d outbox rows", len(claim.row_ids), exc_info=True)

    beat = threading.Thread(target=renew, name="case-swarm-lease", daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()


def _note_to_write(row: OutboxItem, note: Note, lang: str) -> NoteToWrite:
    kind = NoteKind(row.kind)
    body = case_note("retracted", lang, author=note.author_name) if kind == NoteKind.RETRACT else note.body
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
    row.state, row.delivered_at, row.last_error = OutboxState.DELIVERED, utcnow(), ""
    row.sending_since = row.lease_until = None
    row.external_id = external_id
    if row.kind == NoteKind.ADD or (row.kind == NoteKind.RETRACT and external_id):
        note = session.get_one(Note, row.note_id)
        note.external_id = note.external_id or external_id


def _mark_failed(session: Session, row: OutboxItem, error: str, retryable: bool, rng: random.Random,
                 retry_after: float | None, report: DeliveryReport) -> None:
    row.sending_since = row.lease_until = None
    row.last_error = error[:2000]
    if not retryable or row.attempts >= MAX_ATTEMPTS:
        row.state = OutboxState.PARKED
        report.parked.append((row.swarm_id, error))
        return
    row.next_attempt_at = utcnow() + backoff(row.attempts, rng, retry_after)
    report.retried += 1


def _retry_all(sessions: sessionmaker, claim: Claim, error: str, rng: random.Random,
               retry_after: float | None, report: DeliveryReport) -> None:
    with sessions.begin() as session:
        for row in _still_held(session, claim):
            _mark_failed(session, row, error, True, rng, retry_after, report)


def backoff(attempts: int, rng: random.Random, retry_after: float | None = None) -> timedelta:
    """Exponential with full jitter, never sooner than the system's own Retry-After."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    delay = timedelta(seconds=rng.uniform(ceiling.total_seconds() / 2, ceiling.total_seconds()))
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay

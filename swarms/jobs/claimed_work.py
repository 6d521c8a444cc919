"""Claimed, persisted work: one queue any process can carry on, and shared pacing of outside calls.

Work that can wait (a swarm's Slack opening, a post, a bookmark) is a row. A process takes a due row
with a conditional UPDATE (`state = 'queued'`, or a `claimed` row whose lease ran out because its
holder died), so among N replicas exactly one runs it, and a restart or another replica carries on.
A row that cannot go yet (an outside system's rate limit) goes back with a later `due_at`; nobody
sleeps holding it. Rows sharing a `coalesce_key` (a person's App Home) are "only the latest matters":
latest by when they were asked (`created_at`: the caller gives Slack's own time of the click), not by
when they were queued, since two clicks' requests can reach the queue in either order. Queueing one
supersedes the ones asked before it that still wait; one asked before a row already queued, held or
done is superseded at once; only one of them is held at a time; so what goes out last is what was asked
last.

Rows sharing an `order_key` (a Slack channel's posts, or a thread's) go out one at a time in the order
queued (by id: a row committed before another was queued has the smaller id): a row is not claimed while an
earlier row of its key still waits or runs. One given up (failed) or superseded no longer holds the later
ones, and neither does one queued ORDER_HOLDS_AT_MOST ago and still not out: order is worth a wait, but one
stuck row must not silence its channel. Two rows queued at the same moment by two requests have no order.

Finished rows (done, failed, superseded) are kept `CLAIMED_WORK_KEEP_DAYS`, then deleted in batches by a
scheduled job (`forget_finished`): while kept, a row's `dedupe_key` still refuses the same work again and a
finished Home publish still outranks a click asked before it; the keys name work that is not asked twice
days apart (a swarm's opening, a closing's posts, one Slack message's start).

`RateBucket` paces calls across replicas (GCRA: one "theoretical arrival time" per bucket, moved by a
conditional UPDATE), so N processes together keep within one rate.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    JSON,
    Float,
    Index,
    Integer,
    String,
    Text,
    and_,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, sessionmaker

from swarms.db import Base, UTCDateTime, utcnow

log = logging.getLogger(__name__)


class WorkState(enum.StrEnum):
    QUEUED = "queued"
    CLAIMED = "claimed"  # a holder runs it until `lease_until`; after that anyone may take it over
    DONE = "done"
    FAILED = "failed"  # refused for good: kept with its error for a person to read
    SUPERSEDED = "superseded"  # a newer row with the same coalesce key was queued before this one ran


FINISHED = (WorkState.DONE, WorkState.FAILED, WorkState.SUPERSEDED)  # never run again; deleted after a while
UNFINISHED = (WorkState.QUEUED, WorkState.CLAIMED)
ORDER_HOLDS_AT_MOST = timedelta(minutes=15)  # an unfinished row holds the later rows of its order key this long


class ClaimedWork(Base):
    """One piece of work that can wait, run once by whichever process claims it."""

    __tablename__ = "claimed_work"
    __table_args__ = (
        Index("ix_claimed_work_state_due_at", "state", "due_at"),
        # A click's "asked after it?" check reads one person's rows in the order asked, not all of them.
        Index("ix_claimed_work_coalesce_key_created_at", "coalesce_key", "created_at"),
        Index("ix_claimed_work_done_at", "done_at"),  # the retention's oldest finished rows first
        # "An earlier row of my order key still to go?" reads that key's unfinished rows only; rows without a
        # key (Home publishes, archives, openings) are left out of the index.
        Index("ix_claimed_work_order_key_state_id", "order_key", "state", "id",
              sqlite_where=text("order_key IS NOT NULL"), postgresql_where=text("order_key IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # the handler's name, e.g. "slack.open_swarm"
    team_id: Mapped[str] = mapped_column(String(32), default="", server_default="")  # the workspace it acts in
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)  # one row per key, ever
    coalesce_key: Mapped[str | None] = mapped_column(String(200))  # only the newest waiting row runs
    order_key: Mapped[str | None] = mapped_column(String(200))  # rows of one key go out in the order queued
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=100)  # lower runs first among due rows
    state: Mapped[str] = mapped_column(String(10), default=WorkState.QUEUED)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    holder: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when asked: coalesced rows' order
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateBucket(Base):
    """A shared pace: `tat` (seconds since the epoch) is when the bucket's next call is "due"."""

    __tablename__ = "rate_buckets"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    tat: Mapped[float] = mapped_column(Float, default=0.0)


@dataclass(frozen=True, slots=True)
class WorkItem:
    id: int
    kind: str
    team_id: str  # the Slack workspace the work acts in
    payload: dict
    attempts: int
    created_at: datetime


def _insert(session: Session):
    return sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert


def enqueue(session: Session, kind: str, payload: dict, *, team_id: str, key: str | None = None,
            priority: int = 100, due_at: datetime | None = None, coalesce: str | None = None,
            asked_at: datetime | None = None, order_key: str | None = None) -> int | None:
    """Add work for workspace `team_id` in the caller's transaction; None when `key` was queued before (then
    nothing is added).

    `coalesce`: the rows of this key asked before this one and still waiting are superseded by it (they
    would say less), or this one is, if a row of the key was asked after it; `asked_at`: when it was asked
    (Slack's time of the click), now if not given. `order_key`: this row goes after the unfinished rows of
    the key queued before it (see the module's docstring)."""
    values = {"kind": kind, "team_id": team_id, "dedupe_key": key, "coalesce_key": coalesce,
              "order_key": order_key, "payload": payload, "priority": priority, "state": WorkState.QUEUED,
              "due_at": due_at or utcnow(), "attempts": 0, "last_error": "", "created_at": asked_at or utcnow()}
    statement = _insert(session)(ClaimedWork).values(**values)
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
    item_id = session.execute(statement.returning(ClaimedWork.id)).scalar()
    if coalesce is not None and item_id is not None:
        _supersede_stale(session, coalesce)
    return item_id


def _asked_later():
    """A row of the same coalesce key, asked after this one (or at the same moment and queued after it),
    still to go, going, or gone out: this one would only say less."""
    sibling = aliased(ClaimedWork)
    return exists().where(
        sibling.coalesce_key == ClaimedWork.coalesce_key, sibling.id != ClaimedWork.id,
        sibling.state.in_([WorkState.QUEUED, WorkState.CLAIMED, WorkState.DONE]),
        or_(sibling.created_at > ClaimedWork.created_at,
            and_(sibling.created_at == ClaimedWork.created_at, sibling.id > ClaimedWork.id)))


def _supersede_stale(session: Session, coalesce: str | None = None) -> None:
    """Rows of this coalesce key (of every key: None) asked before another of their key, waiting or left by a
    holder that died: superseded."""
    now = utcnow()
    scope = ClaimedWork.coalesce_key == coalesce if coalesce is not None else ClaimedWork.coalesce_key.is_not(None)
    waiting = or_(ClaimedWork.state == WorkState.QUEUED,
                  and_(ClaimedWork.state == WorkState.CLAIMED, ClaimedWork.lease_until < now))
    session.execute(update(ClaimedWork).where(scope, waiting, _asked_later())
                    .values(state=WorkState.SUPERSEDED, done_at=now, holder=None, lease_until=None)
                    .execution_options(synchronize_session=False))


def _no_sibling_held(now: datetime):
    """A coalesced row waits while another row of its key is held: they go out in the order asked."""
    sibling = aliased(ClaimedWork)
    return or_(ClaimedWork.coalesce_key.is_(None), ~exists().where(
        sibling.coalesce_key == ClaimedWork.coalesce_key, sibling.id != ClaimedWork.id,
        sibling.state == WorkState.CLAIMED, sibling.lease_until >= now))


def _in_turn(now: datetime):
    """Not behind an earlier row of its order key still queued or held, queued less than ORDER_HOLDS_AT_MOST
    ago (a row given up or superseded is finished: it holds nothing). A row without a key matches none, so no
    `order_key IS NULL OR` in front: that kept PostgreSQL from planning it as an anti-join, ran it once per due
    row, and its guessed cost turned JIT compiling on (choosing a round's rows among 1,000 due posts and
    200,000 finished rows took 30 ms, against 5 as an anti-join and 4 before the order)."""
    earlier = aliased(ClaimedWork)
    return ~exists().where(earlier.order_key == ClaimedWork.order_key, earlier.state.in_(UNFINISHED),
                           earlier.id < ClaimedWork.id, earlier.created_at > now - ORDER_HOLDS_AT_MOST)


def _first_in_turn(now: datetime):
    """`_in_turn` for a whole round at once: a row without a key, queued before ORDER_HOLDS_AT_MOST, or the
    first unfinished row of its key queued since. The firsts are one uncorrelated subquery, which
    PostgreSQL reads once as a hashed set; `_in_turn`'s probe per due row went quadratic when the table's
    statistics predated a burst (0.6 s for a round among 3,000 due posts, against 0.1 s before the order)."""
    cutoff = now - ORDER_HOLDS_AT_MOST
    firsts = (select(func.min(ClaimedWork.id)).where(ClaimedWork.order_key.is_not(None),
                                                     ClaimedWork.state.in_(UNFINISHED), ClaimedWork.created_at > cutoff)
              .group_by(ClaimedWork.order_key))
    return or_(ClaimedWork.order_key.is_(None), ClaimedWork.created_at <= cutoff, ClaimedWork.id.in_(firsts))


def _waits_for_none(now: datetime):
    """Held back neither by a coalesced sibling being sent nor by an earlier row of its order key."""
    return and_(_no_sibling_held(now), _in_turn(now))


def release_key(session: Session, key: str) -> None:
    """Let `key` be queued again: its work was given up and what it named is gone (a swarm row removed, whose
    id SQLite may give the next swarm)."""
    session.execute(update(ClaimedWork).where(ClaimedWork.dedupe_key == key).values(dedupe_key=None))


def _not_paused(paused_teams: Collection[str]):
    return ClaimedWork.team_id.not_in(list(paused_teams)) if paused_teams else true()


def _claimable(now: datetime, paused_teams: Collection[str], *, in_turn=None):
    """Due (or its holder's lease ran out), waiting for no other row, not paused, not outdated; `in_turn`
    replaces the order's per-row probe (a round's choice: `_first_in_turn`)."""
    return and_(or_(and_(ClaimedWork.state == WorkState.QUEUED, ClaimedWork.due_at <= now),
                    and_(ClaimedWork.state == WorkState.CLAIMED, ClaimedWork.lease_until < now)),
                _no_sibling_held(now), _in_turn(now) if in_turn is None else in_turn, _not_paused(paused_teams),
                _up_to_date())


def _up_to_date():
    """Not a coalesced row asked before another of its key (two requests queued at once on PostgreSQL each
    commit without seeing the other: the claim still tells them apart)."""
    return or_(ClaimedWork.coalesce_key.is_(None), ~_asked_later())


def _item(row: ClaimedWork) -> WorkItem:
    return WorkItem(row.id, row.kind, row.team_id, dict(row.payload or {}), row.attempts, row.created_at)


def claim_due(sessions: sessionmaker, *, holder: str, lease: timedelta, limit: int = 20,
              kinds: tuple[str, ...] | None = None, paused_teams: Collection[str] = ()) -> list[WorkItem]:
    """Take up to `limit` due rows (or rows whose holder's lease ran out); each taken by one caller only.

    The work of `paused_teams` (workspaces the app lost access to) waits, whatever its due time."""
    now = utcnow()
    taken: list[WorkItem] = []
    with sessions.begin() as session:
        _supersede_stale(session)  # what the claims below pass over must not wait for ever
        # The round's choice reads the order once (`_first_in_turn`); each claim below checks its own row again.
        query = select(ClaimedWork.id).where(_claimable(now, paused_teams, in_turn=_first_in_turn(now)))
        if kinds is not None:
            query = query.where(ClaimedWork.kind.in_(kinds))
        ids = session.scalars(query.order_by(ClaimedWork.priority, ClaimedWork.due_at, ClaimedWork.id)
                              .limit(limit)).all()
    for item_id in ids:
        with sessions.begin() as session:
            claimed = session.execute(
                update(ClaimedWork).where(ClaimedWork.id == item_id, _claimable(now, paused_teams))
                .values(state=WorkState.CLAIMED, holder=holder, lease_until=now + lease,
                        attempts=ClaimedWork.attempts + 1)
            ).rowcount == 1
            if claimed:
                row = session.get_one(ClaimedWork, item_id, populate_existing=True)
                taken.append(_item(row))
    return taken


def claim_one(sessions: sessionmaker, item_id: int, *, holder: str, lease: timedelta,
              paused_teams: Collection[str] = ()) -> WorkItem | None:
    """Take one given row, due or not, if nobody holds it (the request that queued it runs it at once)."""
    now = utcnow()
    unheld = and_(or_(ClaimedWork.state == WorkState.QUEUED,
                      and_(ClaimedWork.state == WorkState.CLAIMED, ClaimedWork.lease_until < now)),
                  _waits_for_none(now), _not_paused(paused_teams), _up_to_date())
    with sessions.begin() as session:
        claimed = session.execute(
            update(ClaimedWork).where(ClaimedWork.id == item_id, unheld)
            .values(state=WorkState.CLAIMED, holder=holder, lease_until=now + lease, attempts=ClaimedWork.attempts + 1)
        ).rowcount == 1
        if not claimed:
            return None
        return _item(session.get_one(ClaimedWork, item_id, populate_existing=True))


def _by_holder(item_id: int, holder: str):
    return and_(ClaimedWork.id == item_id, ClaimedWork.holder == holder, ClaimedWork.state == WorkState.CLAIMED)


def complete(sessions: sessionmaker, item_id: int, holder: str) -> bool:
    with sessions.begin() as session:
        return session.execute(update(ClaimedWork).where(_by_holder(item_id, holder)).values(
            state=WorkState.DONE, done_at=utcnow(), holder=None, lease_until=None)).rowcount == 1


def put_back(sessions: sessionmaker, item_id: int, holder: str, *, due_at: datetime, error: str = "",
             count_attempt: bool = True) -> bool:
    """Queue the row again for `due_at` (a rate limit: `count_attempt=False`, it was never tried)."""
    values: dict = {"state": WorkState.QUEUED, "due_at": due_at, "holder": None, "lease_until": None}
    if error:
        values["last_error"] = error[:2000]
    if not count_attempt:
        values["attempts"] = ClaimedWork.attempts - 1
    with sessions.begin() as session:
        put = session.execute(update(ClaimedWork).where(_by_holder(item_id, holder)).values(**values)
                              .returning(ClaimedWork.coalesce_key)).first()
        if put is not None and put.coalesce_key is not None:
            _supersede_stale(session, put.coalesce_key)  # a newer one was queued while this one was held
        return put is not None


def give_up(sessions: sessionmaker, item_id: int, holder: str, error: str) -> bool:
    with sessions.begin() as session:
        return session.execute(update(ClaimedWork).where(_by_holder(item_id, holder)).values(
            state=WorkState.FAILED, last_error=error[:2000], done_at=utcnow(), holder=None,
            lease_until=None)).rowcount == 1


def make_due(session: Session, item_id: int) -> None:
    """A row its caller meant to run but could not take (run_here): the runner's from now on."""
    session.execute(update(ClaimedWork).where(ClaimedWork.id == item_id, ClaimedWork.state == WorkState.QUEUED,
                                              ClaimedWork.due_at > utcnow()).values(due_at=utcnow()))


def reschedule(session: Session, key: str, due_at: datetime) -> None:
    """The waiting row named `key` falls due at `due_at` (work held back until something it follows was done)."""
    session.execute(update(ClaimedWork).where(ClaimedWork.dedupe_key == key, ClaimedWork.state == WorkState.QUEUED)
                    .values(due_at=due_at))


def queued_ahead(session: Session, kind: str, item_id: int) -> int:
    """How many rows of `kind` wait before this one (for "about when" answers)."""
    return session.scalar(select(func.count()).select_from(ClaimedWork).where(
        ClaimedWork.kind == kind, ClaimedWork.id < item_id,
        ClaimedWork.state.in_([WorkState.QUEUED, WorkState.CLAIMED]))) or 0


def next_due(session: Session, paused_teams: Collection[str] = ()) -> datetime | None:
    """When the earliest queued row not paused falls due (the runner sleeps until then, or until nudged). A row
    waiting for another is left out: it is free when that one is done, which the runner that did it sees at
    once and the others within their poll (counting it would wake the runner in a loop while it waits)."""
    return session.scalar(select(ClaimedWork.due_at).where(
        ClaimedWork.state == WorkState.QUEUED, _not_paused(paused_teams), _waits_for_none(utcnow()))
        .order_by(ClaimedWork.due_at).limit(1))  # read in due order, stopping at the first that waits for none


def forget_finished(sessions: sessionmaker, *, before: datetime, batch: int = 1000, max_batches: int = 100) -> int:
    """Delete rows finished before `before`, oldest first, `batch` rows a transaction (no long lock on the
    queue), at most `max_batches` a call (the rest next time); the number deleted. Waiting and held rows stay."""
    deleted = 0
    for _ in range(max_batches):
        with sessions.begin() as session:
            oldest = (select(ClaimedWork.id).where(ClaimedWork.done_at < before, ClaimedWork.state.in_(FINISHED))
                      .order_by(ClaimedWork.done_at).limit(batch))
            count = session.execute(delete(ClaimedWork).where(ClaimedWork.id.in_(oldest.scalar_subquery()),
                                                              ClaimedWork.state.in_(FINISHED))
                                    .execution_options(synchronize_session=False)).rowcount
        deleted += count
        if count < batch:
            break
    return deleted


# ---------------------------------------------------------------- pacing shared by every process


def take_pace(sessions: sessionmaker, name: str, *, interval: float, burst: float, now: float) -> float:
    """0 when a call may go now (and it is counted), else the seconds to wait. GCRA over one row.

    The bucket allows `burst` calls at once, then one every `interval` seconds; the row's `tat` moves
    by a conditional UPDATE on the value read, so two processes never both take the same slot.
    """
    tolerance = max(0.0, burst - 1.0) * interval
    for _ in range(5):  # another process moved the row between our read and write: read again
        with sessions.begin() as session:
            tat = session.scalar(select(RateBucket.tat).where(RateBucket.name == name))
            if tat is None:
                session.execute(_insert(session)(RateBucket).values(name=name, tat=0.0)
                                .on_conflict_do_nothing(index_elements=["name"]))
                continue
            wait = tat - tolerance - now
            if wait > 0:
                return wait
            moved = session.execute(update(RateBucket).where(RateBucket.name == name, RateBucket.tat == tat)
                                    .values(tat=max(tat, now) + interval)).rowcount == 1
            if moved:
                return 0.0
    return interval


def hold_pace(sessions: sessionmaker, name: str, *, until: float, interval: float, burst: float) -> None:
    """The outside system said wait (429 Retry-After): nothing goes in this bucket before `until`."""
    tolerance = max(0.0, burst - 1.0) * interval
    with sessions.begin() as session:
        session.execute(_insert(session)(RateBucket).values(name=name, tat=0.0)
                        .on_conflict_do_nothing(index_elements=["name"]))
        session.execute(update(RateBucket).where(RateBucket.name == name, RateBucket.tat < until + tolerance)
                        .values(tat=until + tolerance))


def pace_wait(sessions: sessionmaker, name: str, *, calls: int, interval: float, burst: float, now: float) -> float:
    """Roughly how long until `calls` more calls have gone in this bucket (for telling people)."""
    tolerance = max(0.0, burst - 1.0) * interval
    with sessions() as session:
        tat = session.scalar(select(RateBucket.tat).where(RateBucket.name == name)) or 0.0
    start = max(tat, now)
    return max(0.0, start + (calls - 1) * interval - tolerance - now)

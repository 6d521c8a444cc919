"""Which replica runs the scheduled jobs: a lease row in the shared database, renewed by its holder.

Every process that may run jobs competes for the lease named "scheduler". The holder renews it every
`ttl / 3`; a holder that dies (kill -9), hangs or loses the database stops renewing, and another
replica takes the lease once it has expired, so failover takes at most `ttl` plus one renewal period.
Taking and renewing are one conditional UPDATE each (`… WHERE holder = me OR expires_at < now`), so two
replicas can never both hold it. A lease row rather than an advisory lock because a starved leader
(stopped, swapped out) keeps its connection and would hold an advisory lock forever.

Times come from the database's clock on PostgreSQL, so replicas on different hosts agree.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import String, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from swarms.db import Base, UTCDateTime, utcnow

log = logging.getLogger(__name__)
SCHEDULER_LEASE = "scheduler"


class SchedulerLease(Base):
    """Who holds a lease until when; `holder` is host:pid:random so a restarted process is someone new."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"


def database_now(session: Session) -> datetime:
    if session.get_bind().dialect.name == "postgresql":
        return session.scalar(select(func.now()))
    return utcnow()


def take_or_renew(session: Session, holder: str, ttl: timedelta, *, name: str = SCHEDULER_LEASE) -> bool:
    """True if `holder` holds the lease for another `ttl` (it renewed it, or took an expired one)."""
    now = database_now(session)
    taken = session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl,
                acquired_at=case((SchedulerLease.holder == holder, SchedulerLease.acquired_at), else_=now))
    ).rowcount
    if taken:
        return True
    try:
        with session.begin_nested():  # nobody ever held it: the first one in creates the row
            session.execute(insert(SchedulerLease).values(name=name, holder=holder, acquired_at=now,
                                                          expires_at=now + ttl))
        return True
    except IntegrityError:
        return False


def give_up(session: Session, holder: str, *, name: str = SCHEDULER_LEASE) -> None:
    """A clean stop hands the lease over at once instead of after `ttl`."""
    session.execute(update(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
                    .values(expires_at=database_now(session) - timedelta(seconds=1)))


def current_holder(session: Session, *, name: str = SCHEDULER_LEASE) -> tuple[str, datetime] | None:
    row = session.execute(select(SchedulerLease.holder, SchedulerLease.expires_at)
                          .where(SchedulerLease.name == name)).first()
    return (row.holder, row.expires_at) if row else None


class Leadership:
    """The thread that keeps (or waits for) the lease and tells the scheduler when this process leads."""

    def __init__(self, sessions: sessionmaker, *, ttl: float, on_lead: Callable[[], None],
                 on_follow: Callable[[], None], holder: str | None = None) -> None:
        self.sessions = sessions
        self.ttl = timedelta(seconds=ttl)
        self.period = max(0.2, ttl / 3)
        self.holder = holder or holder_id()
        self.is_leader = False
        self.last_round = 0.0  # monotonic time of the last round that reached the database
        self._valid_until = 0.0  # monotonic: the lease surely still ours until then (measured from before the UPDATE)
        self._on_lead = on_lead
        self._on_follow = on_follow
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def holds_lease(self) -> bool:
        """Checked before each scheduler pass: a leader that was starved past its lease runs nothing."""
        return self.is_leader and time.monotonic() < self._valid_until

    @property
    def role(self) -> str:
        """What /readyz and the drill read: a leader starved past its lease (which may be another's now) says
        follower, as it runs nothing, until its next round tells it which it is."""
        return "leader" if self.holds_lease() else "follower"

    def alive(self) -> bool:
        """The thread runs and reached the database within two periods (readiness, not leadership)."""
        running = self._thread is not None and self._thread.is_alive()
        return running and time.monotonic() - self.last_round < 2 * self.period + 5

    def start(self) -> None:
        """One round now (a lone process leads before start-up returns), then rounds in a thread."""
        self.round()
        self._thread = threading.Thread(target=self._run, name="case-swarm-leadership", daemon=True)
        self._thread.start()

    def stop(self, *, hand_over: bool = True) -> None:
        """Stop competing; `hand_over` lets the lease go now (False: it expires, as when a process dies)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.is_leader and hand_over:
            self._set_leader(False, quiet=True)
            try:
                with self.sessions.begin() as session:
                    give_up(session, self.holder)
            except Exception:  # the lease then simply expires
                log.warning("could not hand the scheduler lease over; it expires in %s", self.ttl)

    def round(self) -> None:
        started, first = time.monotonic(), self.last_round == 0.0
        try:
            with self.sessions.begin() as session:
                holds = take_or_renew(session, self.holder, self.ttl)
            self.last_round = time.monotonic()
            if holds:
                self._valid_until = started + self.ttl.total_seconds() * 0.9
        except Exception:
            log.exception("scheduler lease: the database did not answer; not leading until it does")
            holds = False
        if holds != self.is_leader:
            self._set_leader(holds, quiet=first or self._stop.is_set())

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            self.round()

    def _set_leader(self, leading: bool, *, quiet: bool = False) -> None:
        """Switch the scheduler; a takeover or a loss is logged (start-up and a clean stop are not news)."""
        self.is_leader = leading
        if not quiet:
            log.log(logging.INFO if leading else logging.WARNING, "scheduler lease %s by %s",
                    "taken over" if leading else "lost", self.holder)
        try:
            (self._on_lead if leading else self._on_follow)()
        except Exception:
            log.exception("switching the scheduler to %s failed", "leader" if leading else "follower")

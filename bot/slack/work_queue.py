"""The Slack work queue: Slack calls that can wait (openings, posts, archives, Home publishes), paced, carried on.

Work is a `claimed_work` row (swarms.jobs.claimed_work). The request that queues it may run it at once in
its own thread when Slack's pace allows (the usual case: no added latency); otherwise, or after a
restart, the queue's runner thread takes it when due. A step Slack may not take yet (our pace, or a
429) puts the row back for when it may: no thread ever sleeps on Retry-After.

Work queued with an `order_key` (`channel_order`: a channel's posts and updates, a thread swarm's in its
thread, the draft review after the closing summary) is not claimed while earlier work of that key waits or
runs, on any replica, so the channel reads in the order things happened. Earlier work given up (Slack
refused it MAX_ATTEMPTS times) or superseded no longer holds it, and neither does one still not out
ORDER_HOLDS_AT_MOST after it was queued (swarms.jobs.claimed_work).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from slack_sdk.errors import SlackApiError
from sqlalchemy import and_, func, or_, select, true

from bot.slack.access import SlackAccessGate
from bot.slack.pacing import SlackPacer
from swarms.case_systems.base import CaseRecord
from swarms.db import utcnow
from swarms.jobs.claimed_work import (
    ClaimedWork,
    WorkItem,
    WorkState,
    claim_due,
    claim_one,
    complete,
    enqueue,
    give_up,
    make_due,
    next_due,
    put_back,
    queued_ahead,
    release_key,
)

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 8  # Slack refusing the same step this often (not a rate limit) is for a person to read
SOON = timedelta(minutes=10)  # what `wait_idle` waits for; work planned later (an archive in days) is not
POLL_SECONDS = 0.5  # other replicas' work is noticed within this; our own is nudged at once

Handler = Callable[[WorkItem], None]
T = TypeVar("T")


class NotYet(Exception):
    """The work may not go yet (Slack's pace, a 429, another holder): try again in `seconds`."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"not yet ({seconds:.1f} s)")
        self.seconds = seconds


@dataclass(frozen=True, slots=True)
class RunOutcome:
    done: bool
    error: str = ""  # why it failed this time (it is queued again), "" when it only has to wait
    failure: Exception | None = None  # what failed, for a caller that answers a person in words


def channel_order(team_id: str, channel_id: str, thread_ts: str | None = None) -> str:
    """The order key of what the app says in a channel of workspace `team_id` (in a thread swarm, its thread):
    one workspace's rows never wait for another's (a channel shared between workspaces)."""
    return f"{team_id}/{channel_id}/{thread_ts}" if thread_ts else f"{team_id}/{channel_id}"


def case_to_json(case: CaseRecord) -> dict:
    data = asdict(case)
    for key in ("created_at", "updated_at"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


def case_from_json(data: dict) -> CaseRecord:
    values = dict(data)
    for key in ("created_at", "updated_at"):
        values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
    return CaseRecord(**values)


@dataclass
class SlackQueue:
    """Queue, run and pace Slack work; `handlers` by kind are added by the features that queue it."""

    sessions: object
    pacer: SlackPacer
    access: SlackAccessGate  # a workspace the app lost has its work wait; the others' goes on
    handlers: dict[str, Handler] = field(default_factory=dict)
    holder: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    _wake: threading.Event = field(default_factory=threading.Event, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _running: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def handle(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    # -- queueing

    def enqueue(self, kind: str, payload: dict, *, team_id: str, key: str | None = None, priority: int = 100,
                run_here: bool = False, coalesce: str | None = None, asked_at: datetime | None = None,
                order_key: str | None = None) -> int | None:
        """Queue work in workspace `team_id` (None: `key` was queued before). `run_here`: the caller runs it
        now (`run_now`), so the runner leaves it alone for a lease's time, taking it only if the caller dies
        first. `coalesce`: rows of this key asked before this one (`asked_at`, Slack's time of the click) and
        still waiting are superseded by it (swarms.jobs.claimed_work). `order_key`: it goes after the
        unfinished work queued before it with that key (`channel_order`; see the module's docstring)."""
        due_at = utcnow() + LEASE if run_here else None
        with self.sessions.begin() as session:
            item_id = enqueue(session, kind, payload, team_id=team_id, key=key, priority=priority, due_at=due_at,
                              coalesce=coalesce, asked_at=asked_at, order_key=order_key)
        if not run_here:
            self._wake.set()
        return item_id

    def paced_call(self, team_id: str, method: str, call: Callable[[], T], *, channel: str = "") -> T:
        """One Web API call at workspace `team_id`'s pace, from a handler: NotYet when our pace or a 429 says
        wait."""
        wait = self.pacer.take(team_id, method, channel)
        if wait > 0:
            raise NotYet(wait, f"{method}: paced")
        try:
            return call()
        except SlackApiError as exc:
            if exc.response.status_code != 429:
                raise
            retry_after = float(exc.response.headers.get("Retry-After") or 1)
            self.pacer.hold(team_id, method, channel, retry_after)
            raise NotYet(retry_after, f"{method}: 429") from exc

    def release_key(self, key: str) -> None:
        with self.sessions.begin() as session:
            release_key(session, key)

    def item_id(self, key: str) -> int | None:
        with self.sessions() as session:
            return session.scalar(select(ClaimedWork.id).where(ClaimedWork.dedupe_key == key))

    def run_now(self, item_id: int) -> RunOutcome:
        """Run one queued row in the calling thread if nobody holds it (never waits for its pace)."""
        item = claim_one(self.sessions, item_id, holder=self.holder, lease=LEASE, paused_teams=self.access.paused())
        if item is None:  # held elsewhere, or waiting its turn (coalesce or order key): the runner takes it then
            with self.sessions.begin() as session:
                make_due(session, item_id)
            self._wake.set()
            return RunOutcome(False)
        return self._run(item)

    def ahead_of(self, kind: str, item_id: int) -> int:
        with self.sessions() as session:
            return queued_ahead(session, kind, item_id)

    # -- running

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="slack-queue", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def nudge(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.run_due()
            except Exception:  # the database away for a moment: the loop must outlive it
                log.exception("the Slack queue's runner failed a round; trying again")
                wait = 1.0
            self._wake.wait(timeout=max(0.01, min(wait, POLL_SECONDS)))
            self._wake.clear()

    def run_due(self, limit: int = 20) -> float:
        """Run what is due now; return seconds until the next row falls due (for the runner's nap)."""
        paused = self.access.paused()
        for item in claim_due(self.sessions, holder=self.holder, lease=LEASE, limit=limit, paused_teams=paused):
            if self._stop.is_set():
                put_back(self.sessions, item.id, self.holder, due_at=utcnow(), count_attempt=False)
                continue
            self._run(item)
        with self.sessions() as session:
            due = next_due(session, paused)
        return POLL_SECONDS if due is None else max(0.0, (due - utcnow()).total_seconds())

    def _run(self, item: WorkItem) -> RunOutcome:
        handler = self.handlers.get(item.kind)
        if handler is None:
            give_up(self.sessions, item.id, self.holder, f"no handler for {item.kind}")
            return RunOutcome(False, "no_handler")
        with self._lock:
            self._running += 1
        try:
            handler(item)
        except NotYet as later:
            put_back(self.sessions, item.id, self.holder, due_at=utcnow() + timedelta(seconds=later.seconds),
                     error=str(later), count_attempt=False)
            return RunOutcome(False)
        except Exception as exc:
            return RunOutcome(False, self._failed(item, exc), exc)
        finally:
            with self._lock:
                self._running -= 1
        complete(self.sessions, item.id, self.holder)
        return RunOutcome(True)

    def _failed(self, item: WorkItem, exc: Exception) -> str:
        """Put the row back with a growing backoff (or give up); return the error's short name."""
        error = f"{type(exc).__name__}: {exc}"
        code = getattr(exc, "code", "") or type(exc).__name__
        if isinstance(exc, SlackApiError):
            code = str(exc.response.get("error") or "unknown_error")
            error = f"Slack answered {code}"
        if item.attempts >= MAX_ATTEMPTS:
            log.error("Slack work %s (%s) gave up after %s attempts: %s", item.id, item.kind, item.attempts, error)
            give_up(self.sessions, item.id, self.holder, error)
            return code
        backoff = min(300.0, 2.0 ** item.attempts)
        log.warning("Slack work %s (%s) failed (%s); again in %.0f s", item.id, item.kind, error, backoff)
        put_back(self.sessions, item.id, self.holder, due_at=utcnow() + timedelta(seconds=backoff), error=error)
        return code

    # -- for tests, the demo and benchmarks

    def pending(self) -> int:
        """Rows held, or queued to go within SOON (a paced row, a 429's wait; not an archive days away, nor the
        work of a workspace the app lost access to, which waits for a reinstall)."""
        paused = self.access.paused()
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(ClaimedWork).where(or_(
                ClaimedWork.state == WorkState.CLAIMED,
                and_(ClaimedWork.state == WorkState.QUEUED, ClaimedWork.due_at <= utcnow() + SOON,
                     ClaimedWork.team_id.not_in(list(paused)) if paused else true())))) or 0

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is running or `pending`; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                running = self._running
            if running == 0 and self.pending() == 0:
                return True
            self._wake.set()
            time.sleep(0.02)
        return False

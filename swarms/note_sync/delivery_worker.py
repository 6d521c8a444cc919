"""The thread that sends the outbox: at once for a lone note, in big batches during a burst.

A nudge (a note was captured) wakes it; it lingers a moment (`linger`, 0.5 s) so that a burst of
messages shares one call to the case system (Salesforce takes 200 notes a call). While nudges keep
coming it keeps lingering, up to `max_linger` (2 s) after the first one or until a full batch is
waiting, then sends everything due: a lone note goes out after `linger`, a burst in full batches. The scheduled
sweep nudges it too, for rows whose backoff has run out; unnudged, it looks every third of a `lease`, so
rows whose sender died are taken up soon after their lease runs out.
Several replicas may each run one: rows are claimed in the database, a case at a time, so no row goes
out twice and no case out of order.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import sessionmaker

from swarms.case_systems.base import CaseSystem
from swarms.db import utcnow
from swarms.metrics import DELIVERIES
from swarms.note_sync.delivery import BATCH_SIZE, DEFAULT_LEASE, DeliveryReport, claim_batch, deliver_due, send_batch

log = logging.getLogger(__name__)

ParkedCallback = Callable[[int, int, str], None]  # (swarm id, notes parked, last error)


class DeliveryWorker:
    def __init__(self, sessions: sessionmaker, cases: CaseSystem, *, linger: float = 0.5,
                 max_linger: float = 2.0, full_batch: int = BATCH_SIZE,
                 on_parked: ParkedCallback | None = None, lease: timedelta = DEFAULT_LEASE) -> None:
        self._sessions = sessions
        self._cases = cases
        self._linger = linger
        self._max_linger = max(linger, max_linger)
        self._full_batch = full_batch
        self._nudges = 0  # since the worker last woke; approximate (no lock), only steers the linger
        self._on_parked = on_parked
        self._lease = lease
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._busy = False
        self._thread: threading.Thread | None = None
        self.totals = DeliveryReport()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="case-swarm-delivery", daemon=True)
            self._thread.start()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def nudge(self) -> None:
        self._nudges += 1
        self._wake.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Tests: block until no nudge is waiting and no delivery is running."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._busy and not self._wake.is_set(), timeout=timeout)

    def deliver_now(self) -> DeliveryReport:
        """Send what is due in the calling thread (the sweep job, `/swarm sync retry`, tests)."""
        report = deliver_due(self._sessions, self._cases, lease=self._lease)
        self._account(report)
        return report

    def _run(self) -> None:
        while not self._stop.is_set():
            # Unnudged, it still looks every third of a lease: rows a dead sender held go out soon after.
            nudged = self._wake.wait(self._lease.total_seconds() / 3)
            if self._stop.is_set():
                return
            with self._idle:
                self._busy = True
            if nudged:
                self._gather()
            try:
                self._deliver_gathered()
            except Exception:
                log.exception("outbox delivery failed; the sweep will try again")
            finally:
                with self._idle:
                    self._busy = False
                    self._idle.notify_all()

    def _deliver_gathered(self) -> None:
        """Full batches while there are, then one partial batch; rows captured meanwhile wait for the next linger.

        (deliver_due would keep sending whatever trickled in during the last call: many small calls in a burst.)
        """
        report = DeliveryReport()
        rng = random.Random()
        while True:
            batch = claim_batch(self._sessions, self._cases.name, now=utcnow(), limit=self._full_batch,
                                lease=self._lease)
            if not batch:
                break
            send_batch(self._sessions, self._cases, batch, report, rng=rng)
            if report.unavailable or len(batch) < self._full_batch:
                break
        self._account(report)

    def _gather(self) -> None:
        """Linger while a burst keeps arriving: until a quiet `linger`, `max_linger` or a full batch."""
        deadline = time.monotonic() + self._max_linger
        self._nudges = 0
        while True:
            self._wake.clear()
            wait = min(self._linger, deadline - time.monotonic())
            if wait <= 0 or self._stop.wait(wait):
                return
            if not self._wake.is_set() or self._nudges >= self._full_batch:
                return  # quiet for a whole linger (a lone note), or a batch is full

    def _account(self, report: DeliveryReport) -> None:
        system = self._cases.name
        for outcome, count in (("delivered", report.delivered), ("retried", report.retried),
                               ("parked", len(report.parked))):
            if count:
                DELIVERIES.labels(system, outcome).inc(count)
        totals = self.totals
        totals.delivered += report.delivered
        totals.retried += report.retried
        totals.calls += report.calls
        totals.parked.extend(report.parked)
        by_swarm: dict[int, list[str]] = {}
        for swarm_id, error in report.parked:
            by_swarm.setdefault(swarm_id, []).append(error)
        for swarm_id, errors in by_swarm.items():
            if self._on_parked is None:
                continue
            try:
                self._on_parked(swarm_id, len(errors), errors[-1])
            except Exception:
                log.exception("could not tell swarm %s about parked notes", swarm_id)

"""The thread that sends the outbox: at once for a lone note, in big batches during a burst.

A nudge (a note was captured) wakes it; it lingers a moment so that a burst of messages shares one
call to the case system (Salesforce takes 200 notes a call), then sends everything due. The scheduled
sweep nudges it too, for rows whose backoff has run out. Several replicas may each run one: rows are
claimed in the database, so no row goes out twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import sessionmaker

from swarms.case_systems.base import CaseSystem
from swarms.note_sync import DeliveryReport, deliver_due

log = logging.getLogger(__name__)

ParkedCallback = Callable[[int, int, str], None]  # (swarm id, notes parked, last error)


class DeliveryWorker:
    def __init__(self, sessions: sessionmaker, cases: CaseSystem, *, linger: float = 0.5,
                 on_parked: ParkedCallback | None = None) -> None:
        self._sessions = sessions
        self._cases = cases
        self._linger = linger
        self._on_parked = on_parked
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

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def nudge(self) -> None:
        self._wake.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Tests: block until no nudge is waiting and no delivery is running."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._busy and not self._wake.is_set(), timeout=timeout)

    def deliver_now(self) -> DeliveryReport:
        """Send what is due in the calling thread (the sweep job, `/swarm sync retry`, tests)."""
        report = deliver_due(self._sessions, self._cases)
        self._account(report)
        return report

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                return
            with self._idle:
                self._busy = True
            self._stop.wait(self._linger)  # let a burst gather into one batch
            self._wake.clear()
            try:
                self.deliver_now()
            except Exception:
                log.exception("outbox delivery failed; the sweep will try again")
            finally:
                with self._idle:
                    self._busy = False
                    self._idle.notify_all()

    def _account(self, report: DeliveryReport) -> None:
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

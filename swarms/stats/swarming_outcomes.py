"""The manager's comparison of swarmed and non-swarmed cases, asked of the case system and kept a while.

A Home opened by every manager every few minutes must not cost a Salesforce aggregate or ninety Zendesk
search counts each time: a comparison is kept for `ttl` seconds per period. A case system that cannot
answer is said in words; no figure is made up from the app's own tables in its place.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from swarms.case_systems.base import CaseSystem, CaseSystemError
from swarms.case_systems.outcomes import OutcomeComparison
from swarms.models import Swarm, SwarmStatus

log = logging.getLogger(__name__)
KEEP_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class OutcomesAnswer:
    comparison: OutcomeComparison | None
    unavailable: str = ""  # why the case system gave no figures (its own words, shortened)


def swarmed_case_keys(sessions: sessionmaker, case_system: str) -> list[str]:
    """Every case of this system that had a swarm (opened, whatever became of it)."""
    with sessions() as session:
        return list(session.scalars(select(Swarm.case_key).distinct().where(
            Swarm.case_system == case_system, Swarm.status != SwarmStatus.OPENING)))


@dataclass
class OutcomesKeeper:
    """Comparisons per (case system, period in days), each kept `ttl` seconds."""

    ttl: float = KEEP_SECONDS
    clock: Callable[[], float] = time.monotonic
    _kept: dict[tuple[str, int], tuple[float, OutcomesAnswer]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def compare(self, sessions: sessionmaker, cases: CaseSystem, start: datetime, end: datetime,
                days: int) -> OutcomesAnswer:
        key, now = (cases.name, days), self.clock()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and now - kept[0] < self.ttl:
                return kept[1]
        try:
            answer = OutcomesAnswer(cases.closed_case_outcomes(start, end, swarmed_case_keys(sessions, cases.name)))
        except CaseSystemError as exc:
            log.info("no swarmed/non-swarmed figures from %s: %s", cases.name, exc)
            return OutcomesAnswer(None, str(exc)[:200])  # not kept: the next look asks again
        with self._lock:
            self._kept[key] = (now, answer)
        return answer

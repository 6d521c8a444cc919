"""The manager's comparison of swarmed and non-swarmed cases, asked of the case system and kept a while.

A Home opened by every manager every few minutes must not cost a Salesforce aggregate or ninety Zendesk
search counts each time: a comparison is kept for `ttl` seconds per period. A case system that cannot
answer is said in words; no figure is made up from the app's own tables in its place.

A comparison is of one workspace: its swarms' cases are the swarmed ones; the case system is shared by the
deployment, so the cases another workspace swarmed are left out of the non-swarmed ones (they were swarmed,
just not here). Kept per workspace.
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


def swarmed_case_keys(sessions: sessionmaker, case_system: str, team_id: str) -> tuple[list[str], list[str]]:
    """The cases of this system that had a swarm (opened, whatever became of it): in the workspace `team_id`,
    and only in another one (the case system is shared; those cases are the other workspace's)."""
    with sessions() as session:
        rows = session.execute(select(Swarm.case_key, Swarm.team_id).distinct().where(
            Swarm.case_system == case_system, Swarm.status != SwarmStatus.OPENING)).all()
    ours = {key for key, team in rows if team == team_id}
    return sorted(ours), sorted({key for key, team in rows if team != team_id} - ours)


@dataclass
class OutcomesKeeper:
    """Comparisons per (case system, workspace, period in days), each kept `ttl` seconds."""

    ttl: float = KEEP_SECONDS
    clock: Callable[[], float] = time.monotonic
    _kept: dict[tuple[str, str, int], tuple[float, OutcomesAnswer]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def compare(self, sessions: sessionmaker, cases: CaseSystem, team_id: str, start: datetime, end: datetime,
                days: int) -> OutcomesAnswer:
        key, now = (cases.name, team_id, days), self.clock()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and now - kept[0] < self.ttl:
                return kept[1]
        try:
            ours, elsewhere = swarmed_case_keys(sessions, cases.name, team_id)
            answer = OutcomesAnswer(cases.closed_case_outcomes(start, end, ours, elsewhere))
        except CaseSystemError as exc:
            log.info("no swarmed/non-swarmed figures from %s: %s", cases.name, exc)
            return OutcomesAnswer(None, str(exc)[:200])  # not kept: the next look asks again
        with self._lock:
            self._kept[key] = (now, answer)
        return answer

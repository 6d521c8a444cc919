"""The weekly digest to managers: last week's headline figures and top contributors, sent once per workspace.

Each workspace gets its own digest, of its own swarms, sent to its own managers. Several bot replicas each
run the cron job; `claim_run` on the ISO week and the workspace lets exactly one of them send it.
The claim is committed before anything is sent, so a crash mid-send loses that week's digest rather
than sending it twice (managers prefer a missing digest to a duplicate).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import sessionmaker

from swarms.db import utcnow
from swarms.jobs.scheduling import claim_run
from swarms.stats.contributions import Period, PersonRow, TeamFigures, person_rows, team_figures
from swarms.stats.rollup import midnight

log = logging.getLogger(__name__)
JOB = "weekly_digest"
TOP = 5


@dataclass(frozen=True, slots=True)
class WeeklyDigest:
    team_id: str  # the workspace it is of, and sent in
    week: str  # ISO week covered, "2026-W10"
    figures: TeamFigures
    top: list[PersonRow]


def last_week(now: datetime) -> tuple[str, datetime]:
    """The ISO week before `now`'s, and the moment just before it ended (a 7-day period's "now")."""
    this_monday = midnight(now) - timedelta(days=now.weekday())
    year, week, _ = (this_monday - timedelta(days=1)).isocalendar()
    return f"{year}-W{week:02d}", this_monday - timedelta(microseconds=1)


def prepare_digest(sessions: sessionmaker, team_id: str, *, now: datetime | None = None) -> WeeklyDigest | None:
    """Claim the workspace's digest of last week and compute it; None when another replica (or an earlier run)
    has it."""
    week, as_of = last_week(now or utcnow())
    with sessions.begin() as session:
        if not claim_run(session, JOB, f"{week} {team_id}"):
            return None
    with sessions() as session:
        figures = team_figures(session, team_id, Period(7), now=as_of)
        top = [p for p in person_rows(session, team_id, Period(7), now=as_of, limit=TOP)
               if p.resolutions or p.swarms_joined or p.notes]
    return WeeklyDigest(team_id, week, figures, top)


def run_weekly_digest(sessions: sessionmaker, team_id: str, recipients: Iterable[str],
                      send: Callable[[str, WeeklyDigest], None], *, now: datetime | None = None) -> int:
    """Send the workspace's digest of last week to each of its recipients once; returns how many got it (0 if
    already sent)."""
    digest = prepare_digest(sessions, team_id, now=now)
    if digest is None:
        log.info("weekly digest of %s already claimed; not sending", team_id)
        return 0
    sent = 0
    for user_id in sorted(set(recipients)):
        try:
            send(user_id, digest)
            sent += 1
        except Exception:  # one manager's closed DM must not cost the others their digest
            log.exception("weekly digest to %s failed", user_id)
    return sent

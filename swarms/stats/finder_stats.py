"""Is the finder helping? Per period, from the outcome of every suggestion the finder made.

- Joined when asked: of the experts the finder suggested and someone asked (by DM or straight into the
  channel) in the period, the share who joined, among those who have answered (joined, declined, or let
  the answer time pass); asks still waiting count in neither.
- Time to join: the median from asking to joining, for those who joined.
- Resolutions credited to a suggestion: of the swarms closed in the period with someone credited with
  the resolution, the share where a credited person had been suggested by the finder for that swarm.
Invitations by hand (`rank` 0) are not the finder's and count in none of these. Every figure is of one
workspace: the suggestions and resolutions of its own swarms.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from swarms.db import utcnow
from swarms.experts.models import SuggestionOutcome, SuggestionState
from swarms.models import Swarm, SwarmMember
from swarms.stats.contributions import Period

JOINED_STATES = (SuggestionState.JOINED, SuggestionState.CONTRIBUTED, SuggestionState.CREDITED)
ANSWERED_STATES = (*JOINED_STATES, SuggestionState.DECLINED, SuggestionState.IGNORED)


@dataclass(frozen=True, slots=True)
class FinderFigures:
    period: Period
    asked: int  # finder suggestions asked in the period that have an answer
    joined: int
    median_join_s: float | None
    resolutions: int  # swarms closed in the period with a credited resolver
    by_suggested: int  # of those, credited to someone the finder suggested
    weights_version: int  # 0: the built-in weights; else the `experts tune` version in use

    @property
    def join_rate(self) -> float | None:
        return self.joined / self.asked if self.asked else None

    @property
    def suggested_rate(self) -> float | None:
        return self.by_suggested / self.resolutions if self.resolutions else None


def finder_figures(session: Session, team_id: str, period: Period, *, now: datetime | None = None) -> FinderFigures:
    """The finder's figures for the period, of the workspace's swarms; `team_id` also names whose tuned weights."""
    from swarms.experts.finder import weights_in_use

    start, end = period.window(now or utcnow())
    mine = Swarm.team_id == team_id
    asked = (SuggestionOutcome.rank > 0, SuggestionOutcome.invited_at >= start, SuggestionOutcome.invited_at < end,
             exists().where(Swarm.id == SuggestionOutcome.swarm_id, mine))
    answered = session.scalar(select(func.count()).select_from(SuggestionOutcome)
                              .where(*asked, SuggestionOutcome.state.in_(ANSWERED_STATES))) or 0
    # answered_at is set by Join (ask mode); someone added straight into the channel has none: joined at once
    delays = [
        max((answered_at - invited_at).total_seconds(), 0.0) if answered_at else 0.0
        for invited_at, answered_at in session.execute(
            select(SuggestionOutcome.invited_at, SuggestionOutcome.answered_at)
            .where(*asked, SuggestionOutcome.state.in_(JOINED_STATES))
        )
    ]
    suggested_credit = exists().where(
        SuggestionOutcome.swarm_id == SwarmMember.swarm_id, SuggestionOutcome.user_id == SwarmMember.user_id,
        SuggestionOutcome.rank > 0,
    )
    closed = (mine, Swarm.closed_at >= start, Swarm.closed_at < end)
    resolutions = session.scalar(
        select(func.count(func.distinct(SwarmMember.swarm_id))).join(Swarm, Swarm.id == SwarmMember.swarm_id)
        .where(SwarmMember.credited.is_(True), *closed)) or 0
    by_suggested = session.scalar(
        select(func.count(func.distinct(SwarmMember.swarm_id))).join(Swarm, Swarm.id == SwarmMember.swarm_id)
        .where(and_(SwarmMember.credited.is_(True), suggested_credit), *closed)) or 0
    return FinderFigures(period, answered, len(delays), statistics.median(delays) if delays else None,
                         resolutions, by_suggested, weights_in_use(session, team_id)[0])

"""A reopened swarm is open again: reopening (swarms.knowledge.closing.reopen_swarm) clears its close times and its
credits, so the manager's figures count it as closed, and its resolvers as credited, only once it closes
again."""

from __future__ import annotations

from sqlalchemy import select, update

from swarms.knowledge.closing import reopen_swarm
from swarms.models import SwarmMember, SwarmStatus
from swarms.stats.contributions import Period, person_rows, team_figures, weekly_series
from tests.home.conftest import NOW, TEAM, ago


def credits(world) -> dict[str, int]:
    return {row.user_id: row.resolutions for row in person_rows(world.session, TEAM, Period(7), now=NOW)}


def closed_then_reopened(world):
    swarm = world.swarm(opened=ago(days=2), status=SwarmStatus.CLOSED, closed=ago(days=1, hours=20),
                        case_closed=ago(days=1, hours=20))
    world.member(swarm, "UFIRST", invited=ago(days=2), joined=ago(days=2), credited=True)
    assert reopen_swarm(world.session, swarm.id).reopened
    world.session.flush()
    return swarm


def test_a_reopened_swarm_is_not_closed_and_its_resolvers_are_not_credited(world):
    closed_then_reopened(world)
    figures = team_figures(world.session, TEAM, Period(7), now=NOW)
    assert (figures.swarms_opened, figures.swarms_closed, figures.cases_closed) == (1, 0, 0)
    assert figures.same_day_rate is None and figures.median_open_to_close_s is None
    assert credits(world)["UFIRST"] == 0


def test_reopening_clears_the_close_times_and_the_credits(world):
    swarm = closed_then_reopened(world)
    world.session.refresh(swarm)
    assert (swarm.status, swarm.closed_at, swarm.case_closed_at) == (SwarmStatus.OPEN, None, None)
    assert not world.session.scalar(select(SwarmMember.credited).where(SwarmMember.swarm_id == swarm.id))
    assert sum(point.cases_closed for point in weekly_series(world.session, TEAM, weeks=2, now=NOW)) == 0


def test_closed_again_it_counts_once_with_the_credits_given_at_the_second_close(world):
    swarm = closed_then_reopened(world)
    world.member(swarm, "USECOND", invited=ago(hours=30), joined=ago(hours=30))
    swarm.status, swarm.closed_at, swarm.case_closed_at = SwarmStatus.CLOSED, ago(hours=10), ago(hours=10)
    world.session.execute(update(SwarmMember).where(SwarmMember.swarm_id == swarm.id)
                          .values(credited=SwarmMember.user_id == "USECOND"))  # as close_swarm re-credits
    world.session.flush()
    figures = team_figures(world.session, TEAM, Period(7), now=NOW)
    assert (figures.swarms_closed, figures.cases_closed, figures.same_day_rate) == (1, 1, 0.0)
    assert credits(world) == {"UOWNER": 0, "UFIRST": 0, "USECOND": 1}


def test_archived_swarms_still_count_as_closed(world):
    swarm = world.swarm(opened=ago(days=3), status=SwarmStatus.ARCHIVED, closed=ago(days=1), case_closed=ago(days=1))
    world.member(swarm, "UFIX", invited=ago(days=3), joined=ago(days=3), credited=True)
    figures = team_figures(world.session, TEAM, Period(7), now=NOW)
    assert (figures.swarms_closed, figures.cases_closed, figures.same_day_rate) == (1, 1, 0.0)
    assert credits(world)["UFIX"] == 1

"""The Home stats, computed by the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from swarms.models import MemberRole, SwarmStatus
from swarms.stats.contributions import (
    Period,
    StallRule,
    WorkingHours,
    manager_stats,
    my_swarms,
    person_rows,
    person_table,
    silent_experts,
    stalled_swarms,
    team_figures,
    weekly_series,
)
from swarms.stats.models import NoteDay
from swarms.stats.rollup import refresh_note_days
from tests.home.conftest import NOW, TEAM, ago

HOUR = 3600.0


def test_an_empty_workspace_has_zeros_and_no_medians(world):
    stats = manager_stats(world.session, TEAM, Period(30), now=NOW)
    figures = stats.figures
    assert (figures.swarms_opened, figures.swarms_closed, figures.cases_closed) == (0, 0, 0)
    assert figures.median_open_to_close_s is None and figures.same_day_rate is None
    assert figures.swarmed_share is None
    assert stats.people == [] and stats.people_total == 0 and stats.top == []
    assert stats.silent_experts == [] and stats.stalled == [] and stats.stalled_total == 0
    mine = my_swarms(world.session, TEAM, "UANY", Period(7), now=NOW)
    assert mine.open == [] and mine.invitations == [] and mine.contributions.notes == 0


@pytest.mark.parametrize("value", ["14", "abc", "-7", "", "7.0", None, "3000000"])
def test_only_the_known_periods_parse(value):
    with pytest.raises(ValueError):
        Period.parse(value)


def test_periods_count_what_happened_inside_them(world):
    world.swarm(opened=ago(days=3))
    world.swarm(opened=ago(days=20), status=SwarmStatus.CLOSED, closed=ago(days=10))
    world.swarm(opened=ago(days=80), status=SwarmStatus.CLOSED, closed=ago(days=2))
    world.swarm(opened=ago(days=1), status=SwarmStatus.OPENING)  # half-made: not counted
    counts = {days: team_figures(world.session, TEAM, Period(days), now=NOW) for days in (7, 30, 90)}
    assert [(c.swarms_opened, c.swarms_closed) for c in counts.values()] == [(1, 1), (2, 2), (3, 2)]


def test_median_time_to_case_close_and_same_day_rate(world):
    for hours in (1, 2, 10, 30):
        world.swarm(opened=ago(days=5, hours=hours), case_closed=ago(days=5), status=SwarmStatus.CLOSED,
                    closed=ago(days=5))
    world.swarm(opened=ago(days=50), case_closed=ago(days=40))  # closed before the period
    figures = team_figures(world.session, TEAM, Period(30), now=NOW)
    assert figures.cases_closed == 4
    assert figures.median_open_to_close_s == pytest.approx(6 * HOUR, abs=1)  # mean of 2 h and 10 h
    assert figures.same_day_rate == pytest.approx(3 / 4)
    world.swarm(opened=ago(days=4, hours=3), case_closed=ago(days=4))
    assert team_figures(world.session, TEAM, Period(30), now=NOW).median_open_to_close_s == pytest.approx(3 * HOUR, abs=1)


def test_share_of_closed_cases_that_were_swarmed(world):
    for number in ("A1", "A2", "A3"):
        world.case(number, closed=ago(days=2))
    world.case("A4", closed=None)
    world.case("A5", closed=ago(days=60))
    world.swarm(opened=ago(days=3), number="A1")
    world.swarm(opened=ago(days=3), number="A2")
    world.swarm(opened=ago(days=70), number="A5")
    figures = team_figures(world.session, TEAM, Period(30), now=NOW)
    assert (figures.store_closed_cases, figures.store_swarmed_cases) == (3, 2)
    assert figures.swarmed_share == pytest.approx(2 / 3)


def test_per_person_figures(world):
    world.person("UANN", "Ann", tz="Asia/Seoul")
    world.person("UBOB", "Bob")
    one = world.swarm(opened=ago(days=3), status=SwarmStatus.CLOSED, closed=ago(days=1))
    two = world.swarm(opened=ago(days=2))
    three = world.swarm(opened=ago(days=1))
    world.member(one, "UANN", invited=ago(days=3), joined=ago(days=3), replied=ago(days=3) + timedelta(minutes=10),
                 credited=True)
    world.member(two, "UANN", invited=ago(days=2), joined=ago(days=2), replied=ago(days=2) + timedelta(minutes=30))
    world.member(three, "UANN", invited=ago(days=1), joined=ago(days=1), replied=ago(days=1) + timedelta(minutes=50))
    world.member(two, "UBOB", invited=ago(days=2), joined=ago(days=2), left=ago(days=1))
    for when in (ago(days=1), ago(days=1, hours=1), ago(days=40)):
        world.note(one, "UANN", when)
    world.note(one, "UANN", ago(hours=2), deleted=True)
    rows = {row.user_id: row for row in person_rows(world.session, TEAM, Period(30), now=NOW)}
    ann = rows["UANN"]
    assert (ann.name, ann.swarms_joined, ann.notes, ann.resolutions, ann.current_load) == ("Ann", 3, 2, 1, 2)
    assert ann.median_first_reply_s == pytest.approx(30 * 60, abs=1)
    assert rows["UBOB"].current_load == 0 and rows["UBOB"].swarms_joined == 1
    assert rows["UOWNER"].current_load == 2
    assert next(iter(rows)) == "UANN"  # the one credited with a resolution leads


def test_outside_hours_share_uses_each_persons_timezone(world):
    world.person("UKIM", "Kim", tz="Asia/Seoul")  # UTC+9, no daylight saving
    world.person("UNYC", "Ny", tz="America/New_York")
    swarm = world.swarm(opened=ago(days=6))
    # NOW is Wednesday 12:00 UTC = Wednesday 21:00 in Seoul, 08:00 in New York (EDT starts later in March).
    world.note(swarm, "UKIM", NOW.replace(hour=1) - timedelta(minutes=1))  # 09:59 KST: in hours
    world.note(swarm, "UKIM", NOW - timedelta(minutes=1))  # 20:59 KST: outside
    world.note(swarm, "UKIM", NOW - timedelta(days=4, hours=2))  # Saturday 19:00 KST: outside
    world.note(swarm, "UNYC", NOW.replace(hour=15))  # 10:00 EST: in hours
    world.note(swarm, "UNOTZ", NOW.replace(hour=20) - timedelta(days=1))  # no zone known: UTC 20:00, outside
    rows = {row.user_id: row for row in person_rows(world.session, TEAM, Period(7), now=NOW + timedelta(hours=6))}
    assert rows["UKIM"].outside_hours_notes == 2 and rows["UKIM"].outside_hours_share == pytest.approx(2 / 3)
    assert rows["UNYC"].outside_hours_share == 0
    assert rows["UNOTZ"].outside_hours_share == 1


def test_a_person_who_left_slack_still_counts_and_bots_do_not(world):
    world.person("UGONE", "Gone Person", deleted=True)
    world.person("UBOT", "Swarm Bot", bot=True)
    swarm = world.swarm(opened=ago(days=2))
    world.member(swarm, "UGONE", invited=ago(days=2), joined=ago(days=2))
    world.note(swarm, "UGONE", ago(days=1))
    world.note(swarm, "UBOT", ago(days=1))
    world.note(swarm, "UNEVERSEEN", ago(days=1))
    rows = {row.user_id: row for row in person_rows(world.session, TEAM, Period(7), now=NOW)}
    assert rows["UGONE"].left_slack and rows["UGONE"].name == "Gone Person" and rows["UGONE"].notes == 1
    assert "UBOT" not in rows
    assert rows["UNEVERSEEN"].name == "UNEVERSEEN" and not rows["UNEVERSEEN"].left_slack
    assert manager_stats(world.session, TEAM, Period(7), now=NOW).people_total == len(rows)


def test_experts_invited_who_never_answered(world):
    world.person("USIL", "Silent", deleted=True)
    swarm = world.swarm(opened=ago(days=3))
    world.member(swarm, "USIL", invited=ago(hours=10), joined=ago(hours=10))
    other = world.swarm(opened=ago(days=2))
    world.member(other, "USIL", invited=ago(days=2))
    world.member(other, "UTALK", invited=ago(days=2), replied=ago(days=1))
    world.member(other, "UNEW", invited=ago(hours=1))  # still within the grace
    world.member(other, "UAGENT", role=MemberRole.AGENT, invited=ago(days=2))  # not an expert
    silent = silent_experts(world.session, TEAM, Period(7), now=NOW)
    assert [(s.user_id, s.unanswered, s.left_slack) for s in silent] == [("USIL", 2, True)]
    assert silent[0].last_invited_at == ago(hours=10)


def test_stalled_swarms(world):
    rule = StallRule(no_expert_after=timedelta(hours=4), idle_after=timedelta(hours=24))
    idle = world.swarm(opened=ago(days=5), last_activity=ago(days=2))
    world.member(idle, "UEXP", invited=ago(days=5), joined=ago(days=5))
    lonely = world.swarm(opened=ago(hours=6), last_activity=ago(hours=1))
    world.member(lonely, "UINV", invited=ago(hours=6))  # invited, never joined
    fresh = world.swarm(opened=ago(hours=1))
    busy = world.swarm(opened=ago(days=1), last_activity=ago(hours=1))
    world.member(busy, "UEXP", invited=ago(days=1), joined=ago(days=1))
    world.swarm(opened=ago(days=9), status=SwarmStatus.CLOSED, closed=ago(days=8), last_activity=ago(days=8))
    lines, total = stalled_swarms(world.session, TEAM, now=NOW, rule=rule)
    assert total == 2
    assert [(line.swarm_id, line.reason) for line in lines] == [(idle.id, "idle"), (lonely.id, "no_expert")]
    assert fresh.id not in {line.swarm_id for line in lines}


def test_my_swarms(world):
    mine = world.swarm(opened=ago(days=2), owner="UME", last_activity=ago(hours=3))
    invited = world.swarm(opened=ago(days=1), last_activity=ago(hours=1))
    world.member(invited, "UME", invited=ago(hours=20), joined=ago(hours=20), invited_by="UOWNER")
    left = world.swarm(opened=ago(days=1))
    world.member(left, "UME", invited=ago(days=1), joined=ago(days=1), left=ago(hours=5))
    world.swarm(opened=ago(days=3), owner="UME", status=SwarmStatus.CLOSED, closed=ago(days=1))
    world.note(mine, "UME", ago(hours=3))
    view = my_swarms(world.session, TEAM, "UME", Period(7), now=NOW)
    assert [line.swarm_id for line in view.open] == [invited.id, mine.id] and view.open_total == 2
    assert [line.swarm_id for line in view.invitations] == [invited.id]
    assert view.contributions.notes == 1 and view.contributions.current_load == 2
    assert view.contributions.swarms_joined == 4
    assert view.open[0].last_activity_at == ago(hours=1)


def test_weekly_series_counts_per_monday_week(world):
    world.swarm(opened=ago(days=1), case_closed=ago(hours=20))  # this week (Monday 9 March), same day
    world.swarm(opened=ago(days=8), case_closed=ago(days=2))  # opened last week, closed this week, 6 days
    world.swarm(opened=ago(days=9))
    points = weekly_series(world.session, TEAM, weeks=4, now=NOW)
    assert [p.week_start.day for p in points] == [16, 23, 2, 9]
    assert [p.swarms_opened for p in points] == [0, 0, 2, 1]
    assert points[-1].cases_closed == 2 and points[-1].same_day_rate == pytest.approx(0.5)
    assert points[0].same_day_rate is None


def test_the_daily_rollup_gives_the_same_figures_and_follows_late_notes_and_deletions(world):
    world.person("UKIM", "Kim", tz="Asia/Seoul")
    swarm = world.swarm(opened=ago(days=20))
    notes = [world.note(swarm, "UKIM", ago(days=d, hours=h)) for d in (1, 2, 5, 12) for h in (0, 5, 11)]
    world.note(swarm, "UBOB", ago(hours=1))  # today: never in the rollup
    before = person_rows(world.session, TEAM, Period(30), now=NOW)
    assert refresh_note_days(world.session, now=NOW, hours=WorkingHours()) > 0
    assert person_rows(world.session, TEAM, Period(30), now=NOW) == before
    assert person_rows(world.session, TEAM, Period(7), now=NOW)[0].notes == 9

    notes[0].deleted_at = NOW  # a deletion in a rolled-up day
    world.note(swarm, "UKIM", ago(days=3))  # a late note (retried event) for a rolled-up day
    world.session.flush()
    later = NOW + timedelta(minutes=5)
    refresh_note_days(world.session, now=later, hours=WorkingHours())
    rows = {row.user_id: row for row in person_rows(world.session, TEAM, Period(30), now=later)}
    assert rows["UKIM"].notes == 12 and rows["UBOB"].notes == 1
    refresh_note_days(world.session, now=later, hours=WorkingHours())  # a second run changes nothing
    assert person_rows(world.session, TEAM, Period(30), now=later) == list(rows.values())


def test_the_apps_own_notices_count_nowhere_raw_or_rolled_up(world):
    world.person("UKIM", "Kim", tz="Asia/Seoul")
    swarm = world.swarm(opened=ago(days=5), owner="UKIM")
    world.note(swarm, "UKIM", ago(days=3))
    world.notice(swarm, ago(days=3))  # a mark, rolled up below
    world.notice(swarm, ago(days=2), user_id="UKIM")  # were a notice ever to name who marked, still not a note
    world.notice(swarm, ago(hours=1))  # the closing, today: counted raw
    world.notice(swarm, ago(minutes=30), user_id="UKIM")

    def people():
        return {row.user_id: row for row in person_rows(world.session, TEAM, Period(7), now=NOW)}

    raw = people()
    refresh_note_days(world.session, now=NOW - timedelta(hours=2), hours=WorkingHours())
    rolled = people()
    for rows in (raw, rolled):
        assert set(rows) == {"UKIM"} and rows["UKIM"].notes == 1
    assert manager_stats(world.session, TEAM, Period(7), now=NOW).people_total == 1
    assert "" not in set(world.session.scalars(select(NoteDay.user_id)))


def test_the_median_reply_is_the_same_for_the_people_shown_as_in_the_whole_table(world):
    swarms = [world.swarm(opened=ago(days=d), status=SwarmStatus.CLOSED, closed=ago(hours=1)) for d in (1, 2, 3, 4, 5)]
    for minutes, swarm in zip((10, 20, 40, 80, 160), swarms, strict=True):  # UTOP: 5 replies, median 40 min
        world.member(swarm, "UTOP", invited=swarm.opened_at, joined=swarm.opened_at, credited=True,
                     replied=swarm.opened_at + timedelta(minutes=minutes))
    for minutes, swarm in zip((5, 15), swarms[:2], strict=True):  # UNEXT: 2 replies, median 10 min
        world.member(swarm, "UNEXT", invited=swarm.opened_at, joined=swarm.opened_at,
                     replied=swarm.opened_at + timedelta(minutes=minutes))
    whole = {row.user_id: row for row in person_rows(world.session, TEAM, Period(7), now=NOW)}
    top, total = person_table(world.session, TEAM, Period(7), now=NOW, limit=2)
    assert total == len(whole) == 3  # UOWNER, who opened them, too
    assert [row.user_id for row in top] == ["UTOP", "UOWNER"]
    assert top[0] == whole["UTOP"] and top[0].median_first_reply_s == pytest.approx(40 * 60, abs=1)
    assert whole["UNEXT"].median_first_reply_s == pytest.approx(10 * 60, abs=1)


def test_load_and_stalled_swarms_count_an_old_open_swarm_beside_new_ones(world):
    rule = StallRule(no_expert_after=timedelta(hours=4), idle_after=timedelta(hours=24))
    old = world.swarm(opened=ago(days=80), last_activity=ago(hours=2))  # lowest id, still open, no expert
    for d in range(1, 6):
        world.swarm(opened=ago(days=60 + d), status=SwarmStatus.CLOSED, closed=ago(days=50))
    new = world.swarm(opened=ago(days=1), last_activity=ago(hours=1))
    world.member(new, "UEXP", invited=ago(days=1), joined=ago(days=1))
    world.member(old, "UEXP", invited=ago(days=80), joined=ago(days=80), role=MemberRole.AGENT)
    rows = {row.user_id: row for row in person_rows(world.session, TEAM, Period(90), now=NOW)}
    assert rows["UEXP"].current_load == 2 and rows["UOWNER"].current_load == 2
    lines, total = stalled_swarms(world.session, TEAM, now=NOW, rule=rule)
    assert total == 1 and [(line.swarm_id, line.reason) for line in lines] == [(old.id, "no_expert")]


def test_stalled_swarms_beyond_the_list_are_counted(world):
    for hours in range(30, 42):
        world.swarm(opened=ago(hours=hours), last_activity=ago(hours=hours))
    lines, total = stalled_swarms(world.session, TEAM, now=NOW, limit=10)
    assert total == 12 and len(lines) == 10
    assert lines[0].last_activity_at == ago(hours=41)  # the longest idle first


def test_median_time_to_close_with_one_case_and_with_none(world):
    assert team_figures(world.session, TEAM, Period(7), now=NOW).median_open_to_close_s is None
    world.swarm(opened=ago(days=2, hours=5), case_closed=ago(days=2))
    assert team_figures(world.session, TEAM, Period(7), now=NOW).median_open_to_close_s == pytest.approx(5 * HOUR, abs=1)

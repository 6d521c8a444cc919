"""The Home figures, lists, digest and export are of one workspace: two workspaces swarming in one database
never see a figure, a person or a swarm of the other."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.stats.reports import export_files
from swarms.db import make_engine, upgrade, utcnow
from swarms.install.workspaces import claim_workspace
from swarms.models import Case
from swarms.stats.contributions import (
    Period,
    WorkingHours,
    manager_stats,
    my_swarms,
    person_rows,
    team_figures,
    weekly_series,
)
from swarms.stats.digest import run_weekly_digest
from swarms.stats.finder_stats import finder_figures
from swarms.stats.home_open import team_open_swarms
from swarms.stats.models import NoteDay
from swarms.stats.rollup import refresh_note_days
from swarms.stats.swarming_outcomes import swarmed_case_keys
from tests.home.conftest import NOW, World, ago

ACME, GLOBEX = "T0ACME0001", "T0GLOBEX01"


def seed_two_workspaces(session) -> dict[str, dict]:
    """Acme: two swarms (one closed same day, one open and stalled), Kim's notes and a DM invitation.
    Globex: three swarms of its own, Lee's notes, and the same case number as one of Acme's."""
    acme, globex = World(session, ACME), World(session, GLOBEX, itertools.count(500))  # apart channel ids
    acme.person("UKIM", "Kim", tz="Asia/Seoul")
    globex.person("ULEE", "Lee", tz="Europe/London")
    closed = acme.swarm(opened=ago(days=2), owner="UACMEAGT", closed=ago(days=2, hours=-3),
                        case_closed=ago(days=2, hours=-3), number="00001001")
    acme.member(closed, "UKIM", invited=ago(days=2), joined=ago(days=2), replied=ago(days=2, minutes=-10),
                credited=True)
    acme.note(closed, "UKIM", ago(days=2, hours=-1))
    stalled = acme.swarm(opened=ago(days=3), owner="UACMEAGT", last_activity=ago(days=2), number="00001002")
    acme.asked(stalled, "UACMEEXP", at=ago(days=1, hours=12))
    for i in range(3):
        swarm = globex.swarm(opened=ago(days=1, hours=i), owner="UGLXAGT", number=f"0000100{i + 1}",
                             closed=ago(hours=6), case_closed=ago(hours=6))
        globex.member(swarm, "ULEE", invited=ago(days=1), joined=ago(days=1), replied=ago(hours=20), credited=True)
        globex.member(swarm, "UKIM", invited=ago(days=1), joined=ago(days=1), replied=ago(hours=17))  # in both
        for hours in (20, 19, 18):
            globex.note(swarm, "ULEE", ago(hours=hours))
        globex.note(swarm, "UKIM", ago(hours=17))
    return {"acme": {"closed": closed.id, "stalled": stalled.id}}


@pytest.fixture
def seeded(sessions):
    with sessions.begin() as session:
        return seed_two_workspaces(session)


def test_each_workspaces_headline_figures_count_its_own_swarms_only(sessions, seeded):
    with sessions() as session:
        acme, globex = (team_figures(session, team, Period(7), now=NOW) for team in (ACME, GLOBEX))
        weeks = {team: sum(p.swarms_opened for p in weekly_series(session, team, weeks=2, now=NOW))
                 for team in (ACME, GLOBEX)}
    assert (acme.swarms_opened, acme.swarms_closed, acme.cases_closed, acme.same_day_rate) == (2, 1, 1, 1.0)
    assert (globex.swarms_opened, globex.swarms_closed, globex.cases_closed) == (3, 3, 3)
    assert weeks == {ACME: 2, GLOBEX: 3}


def test_a_person_in_both_workspaces_is_counted_in_each_with_that_workspaces_work(sessions, seeded):
    with sessions() as session:
        acme = {row.user_id: row for row in person_rows(session, ACME, Period(7), now=NOW)}
        globex = {row.user_id: row for row in person_rows(session, GLOBEX, Period(7), now=NOW)}
    assert set(acme) == {"UKIM", "UACMEAGT"} and set(globex) == {"ULEE", "UKIM", "UGLXAGT"}
    kim_here, kim_there = acme["UKIM"], globex["UKIM"]
    assert (kim_here.swarms_joined, kim_here.notes, kim_here.resolutions, kim_here.current_load) == (1, 1, 1, 0)
    assert kim_here.median_first_reply_s == pytest.approx(600, abs=1)
    assert (kim_there.swarms_joined, kim_there.notes, kim_there.resolutions) == (3, 3, 0)
    assert globex["ULEE"].notes == 9


def test_the_managers_home_lists_lists_and_finder_figures_stay_in_the_workspace(sessions, seeded):
    with sessions() as session:
        acme = manager_stats(session, ACME, Period(7), now=NOW)
        globex = manager_stats(session, GLOBEX, Period(7), now=NOW)
        open_acme, open_globex = team_open_swarms(session, ACME), team_open_swarms(session, GLOBEX)
        kim_in_globex = my_swarms(session, GLOBEX, "UKIM", Period(7), now=NOW)
        finder = finder_figures(session, GLOBEX, Period(7), now=NOW)
    assert [line.swarm_id for line in acme.stalled] == [seeded["acme"]["stalled"]] and globex.stalled == []
    assert [s.user_id for s in acme.silent_experts] == ["UACMEEXP"] and globex.silent_experts == []
    assert (open_acme.total, [line.members for line in open_acme.lines]) == (1, [1])
    assert (open_globex.total, open_globex.lines) == (0, [])
    assert kim_in_globex.open == [] and kim_in_globex.contributions.notes == 3
    assert (finder.asked, finder.resolutions) == (0, 3)


def test_the_rollup_keeps_each_workspaces_days_apart_and_changes_no_figure(sessions, seeded):
    with sessions() as session:
        before = {team: person_rows(session, team, Period(7), now=NOW) for team in (ACME, GLOBEX)}
    with sessions.begin() as session:
        refresh_note_days(session, now=NOW, hours=WorkingHours())
    with sessions() as session:
        rows = session.execute(select(NoteDay.team_id, NoteDay.user_id, NoteDay.notes)
                               .order_by(NoteDay.team_id, NoteDay.user_id)).all()
        after = {team: person_rows(session, team, Period(7), now=NOW) for team in (ACME, GLOBEX)}
    assert [tuple(row) for row in rows] == [(ACME, "UKIM", 1), (GLOBEX, "UKIM", 3), (GLOBEX, "ULEE", 9)]
    assert after == before


def test_each_workspace_gets_its_own_digest_once(sessions, seeded):
    sent: list[tuple[str, str, int, list[str]]] = []

    def send(user_id, digest):
        sent.append((digest.team_id, user_id, digest.figures.swarms_opened, [p.user_id for p in digest.top]))

    later = NOW + timedelta(days=7)  # the digest covers last week, NOW's: Acme's stalled swarm opened before it
    assert run_weekly_digest(sessions, ACME, ["UACMEMGR"], send, now=later) == 1
    assert run_weekly_digest(sessions, GLOBEX, ["UGLXMGR"], send, now=later) == 1
    assert run_weekly_digest(sessions, ACME, ["UACMEMGR"], send, now=later) == 0  # claimed per workspace
    assert sent == [(ACME, "UACMEMGR", 1, ["UKIM", "UACMEAGT"]), (GLOBEX, "UGLXMGR", 3, ["ULEE", "UKIM", "UGLXAGT"])]


def test_the_export_of_a_workspace_has_its_people_only(sessions, seeded):
    files = export_files(sessions, ACME, 7, "en", now=NOW)
    table = list(csv.DictReader(io.StringIO(files[0]["content"].decode("utf-8-sig"))))
    assert {row["user_id"] for row in table} == {"UKIM", "UACMEAGT"}
    assert next(row for row in table if row["user_id"] == "UKIM")["notes"] == "1"


def test_a_case_only_another_workspace_swarmed_is_in_neither_side_of_the_swarmed_share(sessions, seeded):
    with sessions.begin() as session:  # the store is the deployment's: one case list for both workspaces
        for number in ("00001001", "00001002", "00001003", "00009999"):
            session.add(Case(number=number, subject=number, status="Closed", closed_at=ago(hours=1),
                             created_at=ago(days=9), updated_at=ago(hours=1)))
    with sessions() as session:
        acme = team_figures(session, ACME, Period(7), now=NOW)
        globex = team_figures(session, GLOBEX, Period(7), now=NOW)
    # Acme swarmed 1001 and 1002; 1003 only Globex did; 9999 nobody: Acme's share is 2 of 3, Globex's 3 of 4.
    assert (acme.store_swarmed_cases, acme.store_closed_cases) == (2, 3)
    assert (globex.store_swarmed_cases, globex.store_closed_cases) == (3, 4)
    assert swarmed_case_keys(sessions, "local", ACME) == (["00001001", "00001002"], ["00001003"])


def test_note_days_from_before_workspaces_are_adopted_by_the_claiming_workspace_and_summed(sessions):
    day = ago(days=1).replace(hour=0, minute=0, second=0, microsecond=0)
    with sessions.begin() as session:
        session.add_all([NoteDay(team_id="", day=day, user_id="UKIM", notes=2, outside=1),
                         NoteDay(team_id=ACME, day=day, user_id="UKIM", notes=3, outside=0),
                         NoteDay(team_id="", day=day, user_id="ULEE", notes=4, outside=4)])
    with sessions.begin() as session:
        claim_workspace(session, ACME, "Acme Support", now=utcnow(), alone=False)
    with sessions() as session:
        rows = session.execute(select(NoteDay.team_id, NoteDay.user_id, NoteDay.notes, NoteDay.outside)
                               .order_by(NoteDay.user_id)).all()
    assert [tuple(row) for row in rows] == [(ACME, "UKIM", 5, 1), (ACME, "ULEE", 4, 4)]


@pytest.mark.parametrize("served, expected", [(["T0ACME0001"], "T0ACME0001"), ([], "")])
def test_the_migration_gives_rolled_up_days_the_workspace_the_database_served(tmp_path, served, expected):
    engine = make_engine(f"sqlite:///{tmp_path / 'before-home-by-team.sqlite3'}")
    for head in ("0006", "0016"):
        upgrade(engine, head)
    with engine.begin() as conn:
        for team in served:
            conn.execute(text("INSERT INTO slack_workspaces (team_id, team_name, access, access_changed_at) "
                              "VALUES (:team, 'Acme', 'active', CURRENT_TIMESTAMP)"), {"team": team})
        conn.execute(text("INSERT INTO home_note_days (day, user_id, notes, outside) "
                          "VALUES ('2026-03-10 00:00:00.000000', 'UKIM', 7, 2)"))
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT team_id, user_id, notes, outside FROM home_note_days")).all()
    assert [tuple(row) for row in rows] == [(expected, "UKIM", 7, 2)]
    engine.dispose()


def test_the_weekly_digest_job_sends_each_served_workspace_its_own_to_its_own_managers(swarm_app, sessions):
    """Given the stand-in's workspace and Globex served by one database, each with a manager in settings, the
    job sends the stand-in's manager its workspace's digest only, and Globex's manager (not a person of the
    stand-in's workspace) none through the stand-in's client."""
    from dataclasses import replace

    from bot.jobs.scheduled import weekly_digest
    from swarms.install.workspaces import SlackWorkspace

    services, people = swarm_app.services, swarm_app.people
    services.settings = replace(services.settings, manager_user_ids=frozenset({people.manager, "U0GLXMGR01"}))
    with sessions.begin() as session:
        session.add(SlackWorkspace(team_id=GLOBEX, team_name="Globex", access="active", access_changed_at=utcnow()))

    weekly_digest(services)

    dm = swarm_app.workspace.im_channel(people.manager)
    digests = [m for m in swarm_app.workspace.messages(dm) if "Swarm digest" in m.get("text", "")]
    assert len(digests) == 1
    with sessions() as session:
        claimed = session.scalars(text("SELECT run_key FROM job_runs WHERE job = 'weekly_digest'")).all()
    assert sorted(key.split()[1] for key in claimed) == sorted([swarm_app.workspace.team_id, GLOBEX])


def test_a_persons_home_in_one_workspace_never_supersedes_their_home_in_another(swarm_app, sessions):
    """Given a person (one Enterprise Grid user id) whose Home in the stand-in's workspace was published, when
    their Home in Globex was asked a moment earlier and reaches the queue after it, then Globex's still waits
    to be published (Globex is uninstalled here, so it stays queued): a Home only supersedes its own
    workspace's."""
    from bot.listeners.home import PUBLISH_HOME, publish_home
    from swarms.install.workspaces import SlackWorkspace
    from swarms.jobs.claimed_work import ClaimedWork

    services, person = swarm_app.services, swarm_app.people.manager
    with sessions.begin() as session:
        session.add(SlackWorkspace(team_id=GLOBEX, team_name="Globex", access="uninstalled",
                                   access_changed_at=utcnow()))
    now = utcnow()
    publish_home(services, swarm_app.workspace.team_id, person, 7, asked_at=now)
    publish_home(services, GLOBEX, person, 7, asked_at=now - timedelta(seconds=1))

    with sessions() as session:
        states = dict(session.execute(select(ClaimedWork.team_id, ClaimedWork.state)
                                      .where(ClaimedWork.kind == PUBLISH_HOME)).all())
    assert states == {swarm_app.workspace.team_id: "done", GLOBEX: "queued"}

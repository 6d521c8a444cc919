"""Swarms belong to the workspace they were opened in: the same case number is a different swarm in each,
and finding a case's swarm or work on the same problem never reaches into another workspace."""

import itertools

import pytest
from sqlalchemy import select, text

from swarms.case_systems.base import CaseRecord
from swarms.case_systems.local import LocalCaseSystem
from swarms.db import make_engine, upgrade, utcnow
from swarms.install.workspaces import claim_workspace
from swarms.models import Case, Swarm, SwarmStatus
from swarms.opening.existing_work import find_existing_work
from swarms.opening.lifecycle import live_swarm_numbered, open_swarm, open_swarm_numbered
from tests.fakes import FakeWorkspace

ACME, GLOBEX = "T0ACME0001", "T0GLOBEX01"
CASE = "00001001"


@pytest.fixture
def cases(sessions):
    with sessions.begin() as session:
        session.add(Case(number=CASE, subject="Inverter shows E-21 after the firmware update", status="New",
                         product="SolarMax 5000"))
        session.add(Case(number="00001002", subject="Inverter shows E-21 after updating the firmware",
                         status="New", product="SolarMax 5000"))
    return LocalCaseSystem(sessions, url_template="https://cases.example/{number}")


@pytest.fixture
def acme_slack():
    return FakeWorkspace()


@pytest.fixture
def globex_slack():
    return FakeWorkspace(_ids=itertools.count(901))  # Slack's channel ids are unique across workspaces


def _open(sessions, cases, slack, team_id, user, number=CASE):
    return open_swarm(sessions, cases, slack, team_id=team_id, case_number=number, requester_id=user, lang="en")


def test_two_workspaces_swarming_on_the_same_case_each_get_their_own_swarm(sessions, cases, acme_slack,
                                                                          globex_slack):
    acme = _open(sessions, cases, acme_slack, ACME, "U0ACMEAGT1")
    globex = _open(sessions, cases, globex_slack, GLOBEX, "U0GLXAGT01")

    assert acme.created and globex.created
    assert acme.swarm_id != globex.swarm_id and acme.channel_id != globex.channel_id
    assert list(globex_slack.channels) == [globex.channel_id]  # nothing was made in the other workspace
    with sessions() as session:
        teams = dict(session.execute(select(Swarm.id, Swarm.team_id)).all())
    assert teams == {acme.swarm_id: ACME, globex.swarm_id: GLOBEX}


def test_a_second_swarm_on_the_case_in_the_same_workspace_joins_the_first(sessions, cases, acme_slack,
                                                                         globex_slack):
    first = _open(sessions, cases, acme_slack, ACME, "U0ACMEAGT1")
    _open(sessions, cases, globex_slack, GLOBEX, "U0GLXAGT01")

    again = _open(sessions, cases, acme_slack, ACME, "U0ACMEAGT2")

    assert not again.created and again.swarm_id == first.swarm_id


def test_a_case_number_finds_the_swarm_of_the_asking_workspace_only(sessions, cases, acme_slack):
    acme = _open(sessions, cases, acme_slack, ACME, "U0ACMEAGT1")

    with sessions() as session:
        assert open_swarm_numbered(session, ACME, "local", CASE).id == acme.swarm_id
        assert live_swarm_numbered(session, ACME, "local", CASE).id == acme.swarm_id
        assert open_swarm_numbered(session, GLOBEX, "local", CASE) is None
        assert live_swarm_numbered(session, GLOBEX, "local", CASE) is None


def test_work_on_the_same_problem_is_offered_within_the_workspace_only(sessions, cases, acme_slack):
    acme = _open(sessions, cases, acme_slack, ACME, "U0ACMEAGT1")
    similar = CaseRecord(key="00001002", number="00001002", product="SolarMax 5000",
                         subject="Inverter shows E-21 after updating the firmware")

    with sessions() as session:
        assert [work.swarm_id for work in find_existing_work(session, ACME, similar, "local")] == [acme.swarm_id]
        assert find_existing_work(session, GLOBEX, similar, "local") == []


def test_swarms_from_before_teams_belong_to_the_first_workspace_that_claims_the_database(sessions):
    with sessions.begin() as session:
        session.add(Swarm(case_system="local", case_key=CASE, case_number=CASE, opened_by="U1",
                          status=SwarmStatus.CLOSED))
    with sessions.begin() as session:
        claim_workspace(session, ACME, "Acme Support", now=utcnow())
    with sessions() as session:
        assert session.scalars(select(Swarm.team_id)).all() == [ACME]


def test_the_migration_gives_existing_swarms_the_workspace_the_database_served(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'before-teams.sqlite3'}")
    upgrade(engine, "0012")
    upgrade(engine, "0013b")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO slack_workspaces (team_id, team_name, access, access_changed_at) "
                          "VALUES (:team, 'Acme', 'active', CURRENT_TIMESTAMP)"), {"team": ACME})
        conn.execute(text("INSERT INTO swarms (case_system, case_key, case_number, case_subject, case_url, "
                          "case_product, status, language, mode, channel_name, link_saved, opened_by, opened_at, "
                          "last_activity_at, resolution_summary) VALUES ('local', :n, :n, '', '', '', 'open', "
                          "'en', 'channel', '', 0, 'U1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '')"), {"n": CASE})
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT team_id FROM swarms")).scalars().all() == [ACME]
    engine.dispose()

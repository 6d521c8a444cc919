"""Swarms belong to the workspace they were opened in: the same case number is a different swarm in each,
and finding a case's swarm or work on the same problem never reaches into another workspace."""

import itertools

import pytest
from sqlalchemy import select, text

from swarms.case_systems.base import CaseRecord
from swarms.case_systems.local import LocalCaseSystem
from swarms.db import make_engine, upgrade, utcnow
from swarms.errors import SwarmOfAnotherWorkspace
from swarms.install.workspaces import claim_workspace
from swarms.models import Case, Note, Swarm, SwarmStatus
from swarms.note_sync.capture import CapturedMessage, add_message_to_swarm, swarms_for_user
from swarms.opening.existing_work import WorkCache, find_existing_work
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

    work = WorkCache()
    with sessions() as session:
        assert [found.swarm_id for found in find_existing_work(session, work, ACME, similar, "local")] == [
            acme.swarm_id]
        assert find_existing_work(session, work, GLOBEX, similar, "local") == []


def test_swarms_from_before_teams_belong_to_the_first_workspace_that_claims_the_database(sessions):
    with sessions.begin() as session:
        session.add(Swarm(case_system="local", case_key=CASE, case_number=CASE, opened_by="U1",
                          status=SwarmStatus.CLOSED))
    with sessions.begin() as session:
        claim_workspace(session, ACME, "Acme Support", now=utcnow(), alone=False)
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


def _resolve(sessions, team_id: str, number: str, subject: str, summary: str) -> None:
    with sessions.begin() as session:
        session.add(Swarm(team_id=team_id, case_system="local", case_key=number, case_number=number,
                          case_subject=subject, case_product="SolarMax 5000", opened_by="U1",
                          status=SwarmStatus.CLOSED, closed_at=utcnow(), resolution_summary=summary))


def test_workspaces_asking_in_turn_each_keep_their_own_index_of_work(sessions):
    """Given resolved work in two workspaces, when each asks for an offer in turn, then each is offered its
    own work, and both workspaces' work stays indexed (one asking does not throw the other's index away)."""
    _resolve(sessions, ACME, "00003001", "Inverter fan loud at night", "Replaced the fan bearing")
    _resolve(sessions, GLOBEX, "00003002", "Inverter fan loud at night", "Cleaned the fan grille")
    fan = CaseRecord(key="00003003", number="00003003", product="SolarMax 5000", subject="Inverter fan is loud at night")
    work = WorkCache()

    with sessions() as session:
        for team_id, number in ((ACME, "00003001"), (GLOBEX, "00003002"), (ACME, "00003001")):
            assert [found.case_number for found in find_existing_work(session, work, team_id, fan, "local")] == [
                number]

    assert work.indexed(ACME, "local") and work.indexed(GLOBEX, "local")


def test_a_new_cache_remembers_nothing_of_another(sessions):
    """Given one app's cache holding a workspace's index, when another cache is made (another app, a
    benchmark's new database), then it holds nothing: the cache is an object passed in, not a module global."""
    _resolve(sessions, ACME, "00003001", "Inverter fan loud at night", "Replaced the fan bearing")
    fan = CaseRecord(key="00003003", number="00003003", product="SolarMax 5000", subject="Inverter fan is loud at night")
    first = WorkCache()
    with sessions() as session:
        find_existing_work(session, first, ACME, fan, "local")

    assert first.indexed(ACME, "local") and not WorkCache().indexed(ACME, "local")


def test_beyond_the_workspaces_kept_the_least_recently_asked_is_forgotten(sessions, monkeypatch):
    """Given a cache that keeps one workspace, when a second asks, then the first's index is dropped (memory
    stays bounded however many workspaces the app serves) and its next offer is still right."""
    monkeypatch.setattr("swarms.opening.existing_work.TEAMS_KEPT", 1)
    _resolve(sessions, ACME, "00003001", "Inverter fan loud at night", "Replaced the fan bearing")
    fan = CaseRecord(key="00003003", number="00003003", product="SolarMax 5000", subject="Inverter fan is loud at night")
    work = WorkCache()
    with sessions() as session:
        find_existing_work(session, work, ACME, fan, "local")
        find_existing_work(session, work, GLOBEX, fan, "local")
        assert not work.indexed(ACME, "local") and work.indexed(GLOBEX, "local")
        assert [found.case_number for found in find_existing_work(session, work, ACME, fan, "local")] == ["00003001"]


def test_add_to_case_offers_and_takes_only_the_workspaces_own_swarms(sessions, cases, acme_slack, globex_slack):
    acme = _open(sessions, cases, acme_slack, ACME, "U0ACMEAGT1")
    message = CapturedMessage(channel_id="C0GLXGEN01", ts="1795430200.000100", user_id="U0GLXAGT01",
                              author_name="Gil Agent", text="the fix", body="the fix")
    with sessions.begin() as session:
        assert swarms_for_user(session, GLOBEX, "U0GLXAGT01", include_all=True) == []  # an admin of Globex
        with pytest.raises(SwarmOfAnotherWorkspace):  # a picked id forged from Globex
            add_message_to_swarm(session, acme.swarm_id, message, team_id=GLOBEX, user_id="U0GLXAGT01",
                                 may_choose_any=True)
    with sessions() as session:
        assert session.scalars(select(Note)).all() == []

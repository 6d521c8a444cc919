"""Each workspace has its own expert directory: a swarm is offered its own workspace's experts, ranked on its
own workspace's history, and a request naming another workspace's swarm or invitation changes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from swarms.db import utcnow
from swarms.experts.directory import import_directory, refresh_directory
from swarms.experts.errors import NotYourInvite, SwarmNotLive
from swarms.experts.finder import expert_profiles, past_help, weights_in_use
from swarms.experts.invites import accept_invite, invite_experts, suggest
from swarms.experts.models import Expert, ExpertWeights
from swarms.experts.settings import ExpertSettings
from swarms.install.workspaces import claim_workspace
from swarms.models import MemberRole, SwarmMember, SwarmStatus
from tests.experts.conftest import NOW, FakeExpertsPort, make_swarm, profile

ACME, GLOBEX = "T0ACME0001", "T0GLOBEX01"
SHARED = "W0GRID0001"  # an Enterprise Grid member: one user id in both workspaces
ACME_DIRECTORY = [
    profile("U0ACMEFW", "Ana Lima", [("inverter firmware", 5)], ["SolarMax 5000"]),
    profile(SHARED, "Grid Person", [("inverter firmware", 5), ("modbus", 4)], ["SolarMax 5000"]),
]
GLOBEX_DIRECTORY = [
    profile("U0GLXFW", "Gil Park", [("inverter firmware", 3)], ["SolarMax 5000"]),
    profile("U0GLXBAT", "Bo Kim", [("battery management", 4)], ["PowerCell"]),
    profile(SHARED, "Grid Person", [("mobile app", 4)], ["SolarApp"]),
]
SUBJECT = "Inverter shows E-21 after firmware update"


@pytest.fixture
def directories(sessions):
    with sessions.begin() as session:
        import_directory(session, ACME, ACME_DIRECTORY, now=NOW)
        import_directory(session, GLOBEX, GLOBEX_DIRECTORY, now=NOW)


@pytest.fixture
def port():
    return FakeExpertsPort()


def _suggested(sessions, port, team_id, swarm_id) -> list[str]:
    ranking, _ = suggest(sessions, port, team_id, swarm_id, now=NOW, settings=ExpertSettings())
    return [s.user_id for s in ranking.suggestions]


def test_experts_of_one_workspace_are_never_suggested_in_another_workspaces_swarm(sessions, directories, port):
    acme_swarm = make_swarm(sessions, number="00001001", subject=SUBJECT, team_id=ACME, channel="CACME")
    globex_swarm = make_swarm(sessions, number="00001001", subject=SUBJECT, team_id=GLOBEX, channel="CGLOBEX")

    acme = _suggested(sessions, port, ACME, acme_swarm)
    globex = _suggested(sessions, port, GLOBEX, globex_swarm)

    assert acme[0] == "U0ACMEFW" and not {"U0GLXFW", "U0GLXBAT"} & set(acme)
    assert "U0GLXFW" in globex and "U0ACMEFW" not in globex
    assert SHARED not in globex, "in Globex's directory the shared person knows the mobile app, not firmware"


def test_one_person_in_two_workspaces_has_a_directory_row_and_a_load_in_each(sessions, directories):
    make_swarm(sessions, number="00001002", team_id=ACME, channel="CACME2", owner=SHARED)  # live, in Acme

    with sessions() as session:
        acme = {p.user_id: p for p in expert_profiles(session, ACME)}
        globex = {p.user_id: p for p in expert_profiles(session, GLOBEX)}
        rows = session.execute(select(Expert.team_id, Expert.user_id).where(Expert.user_id == SHARED)).all()

    assert sorted(rows) == [(ACME, SHARED), (GLOBEX, SHARED)]
    assert [s.name for s in globex[SHARED].skills] == ["mobile app"]
    assert (acme[SHARED].active_swarms, globex[SHARED].active_swarms) == (1, 0)
    assert set(acme) == {"U0ACMEFW", SHARED} and set(globex) == {"U0GLXFW", "U0GLXBAT", SHARED}


def test_history_is_the_asking_workspaces_own_swarms(sessions, directories):
    closed = make_swarm(sessions, number="00000900", subject=SUBJECT, team_id=ACME, channel="COLD",
                        status=SwarmStatus.CLOSED, closed_at=NOW - timedelta(days=3),
                        opened_at=NOW - timedelta(days=4))
    with sessions.begin() as session:
        session.add(SwarmMember(swarm_id=closed, user_id=SHARED, role=MemberRole.EXPERT, joined_at=NOW,
                                credited=True))

    with sessions() as session:
        assert [(h.case_key, h.user_id, h.kind) for h in past_help(session, ACME, now=NOW)] == [
            ("00000900", SHARED, "credited")]
        assert past_help(session, GLOBEX, now=NOW) == []


def test_a_request_naming_another_workspaces_swarm_ranks_and_invites_nobody(sessions, directories, port):
    acme_swarm = make_swarm(sessions, number="00001001", subject=SUBJECT, team_id=ACME, channel="CACME")

    with pytest.raises(SwarmNotLive):
        suggest(sessions, port, GLOBEX, acme_swarm, now=NOW, settings=ExpertSettings())
    with pytest.raises(SwarmNotLive):
        invite_experts(sessions, port, GLOBEX, acme_swarm, ["U0GLXFW"], invited_by="U0GLXAGT01", now=NOW,
                       settings=ExpertSettings())

    assert port.dms == [] and port.adds == []


def test_an_invitation_is_answered_only_from_its_own_workspace(sessions, directories, port):
    acme_swarm = make_swarm(sessions, number="00001001", subject=SUBJECT, team_id=ACME, channel="CACME")
    invite_experts(sessions, port, ACME, acme_swarm, [SHARED], invited_by="U0AGENT", now=NOW,
                   settings=ExpertSettings())
    [request] = port.dms

    with pytest.raises(NotYourInvite):
        accept_invite(sessions, port, GLOBEX, request.outcome_id, SHARED, now=NOW)
    info = accept_invite(sessions, port, ACME, request.outcome_id, SHARED, now=NOW)

    assert (info.team_id, info.swarm_id) == (ACME, acme_swarm)


class EveryoneGone:
    """A Slack that knows nobody: a refresh through it marks everyone it reads inactive."""

    def user(self, user_id):
        return None

    def profile(self, user_id):
        return {}

    def field_labels(self):
        return {}


def test_a_refresh_reads_only_its_own_workspaces_directory(sessions, directories):
    result = refresh_directory(sessions, EveryoneGone(), ExpertSettings(), team_id=GLOBEX, now=NOW)

    assert (result.checked, result.deactivated) == (3, 3)
    with sessions() as session:
        active = set(session.execute(select(Expert.team_id, Expert.user_id).where(Expert.active.is_(True))).all())
    assert active == {(ACME, "U0ACMEFW"), (ACME, SHARED)}


def test_experts_and_weights_kept_under_no_workspace_belong_to_the_first_that_claims_the_database(sessions):
    with sessions.begin() as session:
        import_directory(session, "", [profile("U0EARLY", "Early Bird", [("modbus", 3)])], now=NOW)
        session.add(ExpertWeights(version=1, weights={"skill": 2.0}, tuned_on=30, measured_on=15, before={},
                                  after={}, created_at=NOW))
    with sessions.begin() as session:
        claim_workspace(session, ACME, "Acme Support", now=utcnow(), alone=False)

    with sessions() as session:
        assert session.execute(select(Expert.team_id, Expert.user_id)).all() == [(ACME, "U0EARLY")]
        assert weights_in_use(session, ACME)[0] == 1
        assert weights_in_use(session, "")[0] == 0

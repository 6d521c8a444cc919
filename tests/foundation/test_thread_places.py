"""A swarm's place is (channel, thread): a team channel holds many thread swarms, a swarm channel one swarm."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from swarms.case_systems.local import LocalCaseSystem
from swarms.errors import CaseClosed, NotASwarmChannel, SwarmsInThreads
from swarms.models import Case, Swarm, SwarmMode
from swarms.note_sync.capture import syncing_swarm
from swarms.opening.finish import new_holder
from swarms.opening.lifecycle import find_swarm_at, open_swarm, require_swarm
from tests.fakes import Crash, FakeWorkspace

SUPPORT = "C0SUPPORT1"
TEAM = "T0HANBIT01"


@pytest.fixture
def cases(sessions):
    with sessions.begin() as session:
        session.add(Case(number="00001001", subject="Inverter shows E-21 after FW update!", status="New"))
        session.add(Case(number="00001002", subject="배터리 충전이 80%에서 멈춥니다", status="Open"))
        session.add(Case(number="00001003", subject="Old one", status="Closed"))
    return LocalCaseSystem(sessions)


def _in_thread(sessions, cases, workspace, number, **kw):
    return open_swarm(sessions, cases, workspace, team_id=TEAM, case_number=number, requester_id="U0AGENT1", lang="en",
                      mode=SwarmMode.THREAD, team_channel=SUPPORT, **kw)


def test_given_two_cases_when_both_swarm_in_threads_of_support_then_each_card_is_its_threads_parent(sessions, cases):
    workspace = FakeWorkspace()
    first = _in_thread(sessions, cases, workspace, "00001001")
    second = _in_thread(sessions, cases, workspace, "00001002")
    assert workspace.channels == {} and workspace.links == []  # no channel made, nothing bookmarked
    assert workspace.cards == [(SUPPORT, "00001001"), (SUPPORT, "00001002")]
    assert first.channel_id == second.channel_id == SUPPORT and first.thread_ts != second.thread_ts
    with sessions() as session:
        assert find_swarm_at(session, SUPPORT, first.thread_ts).id == first.swarm_id
        assert syncing_swarm(session, SUPPORT, second.thread_ts).id == second.swarm_id
        assert find_swarm_at(session, SUPPORT) is None  # a slash command carries no thread
        assert require_swarm(session, SUPPORT, first.thread_ts).id == first.swarm_id  # the card's button does
        with pytest.raises(SwarmsInThreads) as refusal:
            require_swarm(session, SUPPORT)
        assert refusal.value.params["cases"] == "00001002, 00001001"
        with pytest.raises(NotASwarmChannel):
            require_swarm(session, "C0ELSEWHERE")


def test_a_channel_is_the_place_of_one_channel_swarm_only(sessions):
    with sessions.begin() as session:
        session.add(Swarm(case_system="local", case_key="1", case_number="1", opened_by="U1", channel_id="C1"))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(Swarm(case_system="local", case_key="2", case_number="2", opened_by="U1", channel_id="C1"))
    with pytest.raises(IntegrityError), sessions.begin() as session:  # nor two swarms in one thread
        for key in ("3", "4"):
            session.add(Swarm(case_system="local", case_key=key, case_number=key, opened_by="U1", channel_id="C2",
                              mode=SwarmMode.THREAD, thread_ts="1700000000.000100"))


def test_an_opening_interrupted_after_the_card_adopts_it_as_the_thread(sessions, cases):
    workspace = FakeWorkspace(crash_at="after_card")
    with pytest.raises(Crash):
        _in_thread(sessions, cases, workspace, "00001001", holder=new_holder())
    opened = _in_thread(sessions, cases, workspace, "00001001", holder=new_holder())
    assert len(workspace.cards) == 1 and "find_card" in workspace.calls
    assert opened.thread_ts == "1700000000.000001"


def test_a_closed_case_gets_no_thread_swarm_and_leaves_no_row(sessions, cases):
    with pytest.raises(CaseClosed):
        _in_thread(sessions, cases, FakeWorkspace(), "00001003")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Swarm)) == 0

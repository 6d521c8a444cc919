"""Opening is claimed: one holder at a time, each Slack step asked for once, an interrupted one adopted."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from swarms.case_systems.local import LocalCaseSystem
from swarms.db import utcnow
from swarms.models import Case, Swarm, SwarmStatus
from swarms.opening.finish import finish_opening, welcome_askers
from swarms.opening.lifecycle import OpenRequest, claim_trigger, open_swarm, request_swarm
from tests.fakes import Crash, FakeWorkspace

TEAM = "T0ACME0001"


@pytest.fixture
def cases(sessions):
    with sessions.begin() as session:
        session.add(Case(number="00001001", subject="Inverter shows E-21", status="New"))
    return LocalCaseSystem(sessions, url_template="https://cases.example/{number}")


def _request(sessions, cases, user="U0AGENT1", reply_to=""):
    return request_swarm(sessions, cases, OpenRequest(TEAM, "00001001", user, "en", reply_to=reply_to))


def test_an_uninterrupted_opening_never_lists_channels_nor_reads_history(sessions, cases):
    workspace = FakeWorkspace()
    open_swarm(sessions, cases, workspace, team_id=TEAM, case_number="00001001", requester_id="U0AGENT1", lang="en")
    assert workspace.calls == ["create"]


def test_while_one_holder_opens_a_second_gets_nothing_to_do_and_its_asker_waits(sessions, cases):
    first = _request(sessions, cases, user="U0AGENT1")
    second = _request(sessions, cases, user="U0AGENT2")
    assert first.swarm_id == second.swarm_id and first.created and not second.created
    with sessions.begin() as session:  # holder A is mid-opening: its lease is live
        session.execute(update(Swarm).values(opening_holder="A", opening_lease_until=utcnow() + timedelta(seconds=60)))
    workspace = FakeWorkspace()
    assert finish_opening(sessions, workspace, first.swarm_id, first.case, holder="B") is None
    assert not workspace.channels
    with sessions.begin() as session:  # A died: its lease runs out, B carries on and tells both askers
        session.execute(update(Swarm).values(opening_lease_until=utcnow() - timedelta(seconds=1)))
    finished = finish_opening(sessions, workspace, first.swarm_id, first.case, holder="B")
    assert finished is not None and len(workspace.channels) == 1 and len(workspace.cards) == 1
    askers = welcome_askers(sessions, workspace, first.swarm_id)
    assert [a.user_id for a in askers] == ["U0AGENT1", "U0AGENT2"]
    assert welcome_askers(sessions, workspace, first.swarm_id) == (), "each asker is told once"
    members = next(iter(workspace.channels.values()))["members"]
    assert {"U0AGENT1", "U0AGENT2"} <= members


def test_a_crash_after_slack_made_the_channel_is_adopted_by_the_next_holder(sessions, cases):
    workspace = FakeWorkspace(crash_at="after_channel")
    requested = _request(sessions, cases)
    with pytest.raises(Crash):
        finish_opening(sessions, workspace, requested.swarm_id, requested.case, holder="A")
    finished = finish_opening(sessions, workspace, requested.swarm_id, requested.case, holder="B",
                              lease=timedelta(seconds=60))
    assert finished is not None
    assert len(workspace.channels) == 1 and workspace.calls == ["create", "find_channel"]


def test_a_crash_after_the_card_was_posted_finds_the_card_instead_of_posting_another(sessions, cases):
    workspace = FakeWorkspace(crash_at="after_card")
    requested = _request(sessions, cases)
    with pytest.raises(Crash):
        finish_opening(sessions, workspace, requested.swarm_id, requested.case, holder="A")
    finish_opening(sessions, workspace, requested.swarm_id, requested.case, holder="B")
    assert len(workspace.cards) == 1 and "find_card" in workspace.calls
    with sessions() as session:
        swarm = session.scalar(select(Swarm))
        assert swarm.status == SwarmStatus.OPEN and swarm.card_ts and swarm.opening_holder is None


def test_an_asker_arriving_after_the_opening_finished_is_answered_with_the_channel(sessions, cases):
    workspace = FakeWorkspace()
    opened = open_swarm(sessions, cases, workspace, team_id=TEAM, case_number="00001001", requester_id="U0AGENT1", lang="en")
    late = _request(sessions, cases, user="U0AGENT2")
    assert late.opened is not None and late.opened.channel_id == opened.channel_id


def test_a_trigger_id_is_claimed_once_and_a_forged_long_one_is_still_one_row(sessions):
    with sessions.begin() as session:
        assert claim_trigger(session, "1700.ABC.def")
    with sessions.begin() as session:
        assert not claim_trigger(session, "1700.ABC.def")
        assert claim_trigger(session, "x" * 3000)
    with sessions.begin() as session:
        assert not claim_trigger(session, "x" * 3000)

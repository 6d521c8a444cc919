"""Opening a swarm in the domain: one live swarm per case, clear refusals, crashes healed on retry."""

import pytest
from sqlalchemy import func, select

from swarms.case_systems.base import CaseNotFound
from swarms.case_systems.local import LocalCaseSystem, set_case_field
from swarms.errors import CaseClosed, NotAllowed
from swarms.models import Case, Swarm, SwarmMember, SwarmStatus
from swarms.opening.lifecycle import channel_name_for, open_swarm
from tests.fakes import Crash, FakeWorkspace

TEAM = "T0ACME0001"


@pytest.fixture
def cases(sessions):
    with sessions.begin() as session:
        session.add(Case(number="00001001", subject="Inverter shows E-21 after FW update!", status="New",
                         priority="High", product="SolarMax 5000", account="Hanbit Energy"))
        session.add(Case(number="00001002", subject="배터리 충전이 80%에서 멈춥니다", status="Open"))
        session.add(Case(number="00001003", subject="Old one", status="Closed"))
    return LocalCaseSystem(sessions, url_template="https://cases.example/{number}")


def _open(sessions, cases, workspace, number="00001001", user="U0AGENT1", **kw):
    return open_swarm(sessions, cases, workspace, team_id=TEAM, case_number=number, requester_id=user, lang="en", **kw)


def test_given_a_case_when_opened_then_a_channel_card_link_and_owner_exist(sessions, cases):
    workspace = FakeWorkspace()
    opened = _open(sessions, cases, workspace)
    assert opened.created
    assert opened.channel_name == "swarm-00001001-inverter-shows-e-21-after-fw-update"
    assert workspace.cards == [(opened.channel_id, "00001001")]
    assert workspace.links == [opened.channel_id]
    with sessions() as session:
        swarm = session.get(Swarm, opened.swarm_id)
        assert swarm.status == SwarmStatus.OPEN
        owner = session.scalar(select(SwarmMember).where(SwarmMember.swarm_id == swarm.id))
        assert (owner.user_id, owner.role) == ("U0AGENT1", "owner")


def test_opening_again_returns_the_same_swarm_and_makes_nothing_twice(sessions, cases):
    workspace = FakeWorkspace()
    first = _open(sessions, cases, workspace)
    again = _open(sessions, cases, workspace, user="U0AGENT2")
    assert not again.created
    assert again.channel_id == first.channel_id
    assert len(workspace.channels) == 1 and len(workspace.cards) == 1


def test_a_crash_after_the_channel_is_created_is_healed_by_the_next_try(sessions, cases):
    workspace = FakeWorkspace(crash_at="after_channel")
    with pytest.raises(Crash):
        _open(sessions, cases, workspace)
    healed = _open(sessions, cases, workspace)
    assert len(workspace.channels) == 1, "the channel of the first try is adopted, not doubled"
    assert workspace.cards == [(healed.channel_id, "00001001")]


def test_a_crash_before_the_card_is_healed_by_the_next_try(sessions, cases):
    workspace = FakeWorkspace(crash_at="before_card")
    with pytest.raises(Crash):
        _open(sessions, cases, workspace)
    with sessions() as session:
        assert session.scalar(select(Swarm.status)) == SwarmStatus.OPENING
    _open(sessions, cases, workspace)
    assert len(workspace.channels) == 1 and len(workspace.cards) == 1


def test_an_unknown_case_leaves_nothing_behind(sessions, cases):
    with pytest.raises(CaseNotFound):
        _open(sessions, cases, FakeWorkspace(), number="99999999")
    with sessions() as session:
        assert session.scalar(select(func.count(Swarm.id))) == 0


def test_a_closed_case_gets_no_swarm(sessions, cases):
    workspace = FakeWorkspace()
    with pytest.raises(CaseClosed):
        _open(sessions, cases, workspace, number="00001003")
    assert not workspace.channels
    with sessions() as session:
        assert session.scalar(select(func.count(Swarm.id))) == 0


def test_a_user_without_the_right_is_refused_before_anything_happens(sessions, cases):
    workspace = FakeWorkspace()
    with pytest.raises(NotAllowed):
        _open(sessions, cases, workspace, may_open=False)
    assert not workspace.channels


def test_a_closed_then_reopened_case_can_be_swarmed_again(sessions, cases):
    workspace = FakeWorkspace()
    first = _open(sessions, cases, workspace)
    with sessions.begin() as session:
        session.get(Swarm, first.swarm_id).status = SwarmStatus.CLOSED
        set_case_field(session, "00001001", "status", "Open")
    second = _open(sessions, cases, workspace)
    assert second.created and second.swarm_id != first.swarm_id


def test_korean_subjects_read_as_themselves_in_the_channel_name():
    assert channel_name_for("00001002", "배터리 충전이 80%에서 멈춥니다") == "swarm-00001002-배터리-충전이-80-에서-멈춥니다"
    assert channel_name_for("00001002", "배터리") == "swarm-00001002-배터리"


def test_in_ascii_only_a_subject_whose_ascii_is_only_digits_and_fragments_gives_the_number_alone():
    assert channel_name_for("00001027", "배터리 충전이 80%에서 멈춥니다", ascii_only=True) == "swarm-00001027"
    assert channel_name_for("00009000", "E-21 3.2 " * 12) == "swarm-00009000"
    assert channel_name_for("00001026", "Inverter E-21 after update E-21", ascii_only=True) == \
        "swarm-00001026-inverter-e-21-after-update"
    assert channel_name_for("00001003", "Wechselrichter: Fehler (Straße)") == \
        "swarm-00001003-wechselrichter-fehler-strasse"


def test_channel_names_stay_within_slacks_alphabet_and_length():
    name = channel_name_for("12345678", "Ünïcödé & émojis 🚀 " + "very long subject " * 10)
    assert len(name) <= 76
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    assert name.startswith("swarm-12345678-unicode-emojis-very-long")

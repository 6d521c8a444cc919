"""Invitations asked by DM (the ask mode) live as expert-suggestion outcomes until the expert joins:
Home shows them as waiting and, left unanswered, as silent, never twice beside a member row."""

from __future__ import annotations

from bot.views.home import HomeModel, build_home, home_as_text
from swarms.experts.models import InviteMode, SuggestionState
from swarms.models import MemberRole, SwarmStatus
from swarms.stats.contributions import MySwarms, Period, PersonRow, my_swarms, silent_experts
from swarms.stats.home_open import SwarmLine
from tests.e2e.conftest import swarm_app  # noqa: F401  (the end-to-end harness's fixture)
from tests.experts.conftest import NOW as DIRECTORY_NOW
from tests.experts.conftest import standin_directory
from tests.home.conftest import NOW, TEAM, ago


def waiting(world, user_id: str) -> list[tuple[int, str]]:
    return [(line.swarm_id, line.reason)
            for line in my_swarms(world.session, TEAM, user_id, Period(7), now=NOW).invitations]


def test_an_invitation_asked_by_dm_waits_for_the_experts_answer(world):
    asked = world.swarm(opened=ago(hours=3))
    world.asked(asked, "UME", at=ago(hours=2))
    declined = world.swarm(opened=ago(hours=3))
    world.asked(declined, "UME", at=ago(hours=2), state=SuggestionState.DECLINED)
    closed = world.swarm(opened=ago(days=2), status=SwarmStatus.CLOSED, closed=ago(days=1))
    world.asked(closed, "UME", at=ago(days=2))
    world.asked(world.swarm(opened=ago(hours=1)), "USOMEONE", at=ago(hours=1))
    assert waiting(world, "UME") == [(asked.id, "dm")]


def test_an_add_mode_invitation_is_listed_once_from_its_member_row(world):
    added = world.swarm(opened=ago(hours=3))
    world.asked(added, "UME", at=ago(hours=2), mode=InviteMode.ADD)
    world.member(added, "UME", invited=ago(hours=2), joined=ago(hours=2))
    assert waiting(world, "UME") == [(added.id, "")]


def test_someone_asked_by_dm_who_is_in_the_channel_is_listed_once(world):
    joined = world.swarm(opened=ago(hours=3))
    world.asked(joined, "UME", at=ago(hours=2))  # the answer check has not run yet
    world.member(joined, "UME", invited=ago(hours=2), joined=ago(hours=1))
    replied = world.swarm(opened=ago(hours=3))
    world.asked(replied, "UME", at=ago(hours=2))
    world.member(replied, "UME", invited=ago(hours=2), joined=ago(hours=1), replied=ago(minutes=30))
    assert waiting(world, "UME") == [(joined.id, "")]


def test_someone_who_left_and_is_asked_again_by_dm_sees_the_invitation(world):
    swarm = world.swarm(opened=ago(days=1))
    world.member(swarm, "UME", invited=ago(days=1), joined=ago(days=1), left=ago(hours=5))
    world.asked(swarm, "UME", at=ago(hours=1))
    assert waiting(world, "UME") == [(swarm.id, "dm")]


def test_the_newest_invitation_comes_first_whichever_way_it_was_sent(world):
    older = world.swarm(opened=ago(hours=5))
    world.member(older, "UME", invited=ago(hours=4), joined=ago(hours=4))
    newer = world.swarm(opened=ago(hours=3))
    world.asked(newer, "UME", at=ago(hours=1))
    assert waiting(world, "UME") == [(newer.id, "dm"), (older.id, "")]


def test_experts_asked_by_dm_who_never_answered_are_silent(world):
    world.person("UIGN", "Ignored Expert")
    swarm = world.swarm(opened=ago(days=2))
    world.asked(swarm, "UIGN", at=ago(days=2), state=SuggestionState.IGNORED)
    world.asked(swarm, "ULATE", at=ago(hours=3), answer_minutes=60)  # past the answer time, not escalated yet
    world.asked(swarm, "UWAIT", at=ago(minutes=30), answer_minutes=60)  # may still answer
    world.asked(swarm, "UNO", at=ago(days=1), state=SuggestionState.DECLINED)  # an answer
    world.asked(swarm, "UJOIN", at=ago(days=1), state=SuggestionState.JOINED)
    world.member(swarm, "UJOIN", invited=ago(days=1), joined=ago(days=1), replied=ago(hours=20))
    world.asked(world.swarm(opened=ago(days=30)), "UIGN", at=ago(days=30), state=SuggestionState.IGNORED)  # before
    silent = silent_experts(world.session, TEAM, Period(7), now=NOW)
    assert [(s.user_id, s.unanswered) for s in silent] == [("UIGN", 1), ("ULATE", 1)]
    assert silent[0].name == "Ignored Expert" and silent[0].last_invited_at == ago(days=2)


def test_an_expert_with_a_member_row_and_an_outcome_is_counted_once(world):
    swarm = world.swarm(opened=ago(days=2))
    world.asked(swarm, "UADD", at=ago(days=2), mode=InviteMode.ADD, state=SuggestionState.IGNORED)
    world.member(swarm, "UADD", invited=ago(days=2), joined=ago(days=2))
    world.asked(swarm, "UDM", at=ago(days=2), state=SuggestionState.IGNORED)
    world.member(swarm, "UDM", invited=ago(days=2), joined=ago(hours=30))  # joined late, never wrote
    other = world.swarm(opened=ago(days=1))
    world.asked(other, "UDM", at=ago(days=1), state=SuggestionState.IGNORED)  # never joined this one
    world.member(other, "UAGENT", role=MemberRole.AGENT, invited=ago(days=1))
    silent = silent_experts(world.session, TEAM, Period(7), now=NOW)
    assert [(s.user_id, s.unanswered) for s in silent] == [("UDM", 2), ("UADD", 1)]
    assert silent[0].last_invited_at == ago(days=1)


def test_the_home_line_of_a_dm_invitation_says_to_answer_in_the_dm():
    line = SwarmLine(7, "C0000007", "00001026", "Inverter shows E-21", ago(hours=2), ago(hours=1), "dm")
    added = SwarmLine(8, "C0000008", "00001027", "Battery stops at 80%", ago(hours=2), ago(hours=1))
    mine = MySwarms("UME", Period(30), [], 0, [line, added], PersonRow("UME", "Me", False), NOW)
    english = home_as_text(build_home(HomeModel("en", mine, None)))
    assert "*00001026* Inverter shows E-21" in english and english.count("asked by DM: Join or Decline there") == 1
    assert "DM으로 요청됨" in home_as_text(build_home(HomeModel("ko", mine, None)))


def test_an_expert_invited_with_swarm_invite_finds_it_on_their_home_tab(swarm_app, sessions):  # noqa: F811
    from swarms.experts.directory import import_directory

    people = swarm_app.people
    with sessions.begin() as session:
        import_directory(session, swarm_app.workspace.team_id, standin_directory(people)[:2], now=DIRECTORY_NOW)
    swarm_app.swarm("00001026")
    channel = next(c for c in swarm_app.workspace.channels() if c.name.startswith("swarm-00001026")).id
    swarm_app.swarm(f"invite <@{people.expert2}>", channel=channel)
    swarm_app.driver.user_opens_home(people.expert2)
    swarm_app.settle()
    home = home_as_text(swarm_app.workspace.home_view(people.expert2))
    assert "*00001026*" in home and "DM" in home

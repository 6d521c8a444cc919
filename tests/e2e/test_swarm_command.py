"""`/swarm <case>` through the real Slack protocol: signed command in, Web API calls out."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from swarms.case_systems.local import LocalCaseSystem
from swarms.models import Swarm
from tests.e2e.conftest import start_swarm_app
from tests.fakes import FlakyCaseSystem


def swarm_channel(app, number: str):
    return next(c for c in app.workspace.channels() if c.name.startswith(f"swarm-{number}"))


def test_given_a_case_when_the_agent_runs_swarm_then_a_private_channel_with_the_card_exists(swarm_app):
    result = swarm_app.swarm("00001026")
    assert result.status == 200 and result.acked_in_time
    channel = swarm_channel(swarm_app, "00001026")
    assert channel.is_private
    assert channel.name == "swarm-00001026-inverter-shows-e-21-after-firmware-update"
    assert swarm_app.people.agent in swarm_app.workspace.members(channel.id)
    card = swarm_app.workspace.messages(channel.id)[0]
    assert "00001026" in card["text"] and card.get("blocks")
    assert "Inverter shows E-21" in str(card["blocks"]) and "SolarMax 5000" in str(card["blocks"])
    assert swarm_app.workspace.bookmarks(channel.id) or swarm_app.workspace.pins(channel.id)
    answers = swarm_app.answers()
    assert any(f"<#{channel.id}>" in text for text in answers), answers


def test_running_swarm_again_answers_with_the_existing_channel(swarm_app, sessions):
    swarm_app.swarm("00001026")
    swarm_app.swarm("1026") if False else swarm_app.swarm("00001026", user=swarm_app.people.expert)
    channels = [c for c in swarm_app.workspace.channels() if c.name.startswith("swarm-00001026")]
    assert len(channels) == 1
    assert swarm_app.people.expert in swarm_app.workspace.members(channels[0].id)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Swarm)) == 1
    assert any(f"<#{channels[0].id}>" in text for text in swarm_app.answers(swarm_app.people.expert))


def test_a_korean_case_comes_through_intact_and_the_channel_name_stays_within_slacks_rules(swarm_app):
    swarm_app.swarm("00001027", user=swarm_app.people.expert)
    channel = swarm_channel(swarm_app, "00001027")
    assert channel.name == "swarm-00001027-배터리-충전이-80-에서-멈춥니다"  # Slack takes uncased letters (Hangul)
    card = swarm_app.workspace.messages(channel.id)[0]
    assert "배터리 충전이 80%에서 멈춥니다" in str(card["blocks"])
    # The Korean-speaking expert is answered in Korean.
    assert any("<#" in text and any("\uac00" <= ch <= "\ud7a3" for ch in text)
               for text in swarm_app.answers(swarm_app.people.expert))


def test_help_and_bad_input_are_answered_ephemerally_at_once(swarm_app):
    for text in ("", "help", "frobnicate now", "12 34"):
        result = swarm_app.swarm(text)
        assert result.status == 200 and result.acked_in_time
        body = result.json()
        assert body["response_type"] == "ephemeral" and "/swarm" in body["text"]
    assert not [c for c in swarm_app.workspace.channels() if c.name.startswith("swarm-")]


def is_korean(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def test_someone_the_bot_does_not_know_yet_is_answered_in_the_teams_language_then_in_their_own(swarm_app):
    """Given a Korean-speaking expert the bot has never seen, the instant answer (which cannot wait for
    Slack to say who they are) comes in the team's DEFAULT_LANGUAGE (English here) alone; once known,
    they are answered in Korean."""
    first = swarm_app.swarm("help", user=swarm_app.people.expert).json()["text"]
    swarm_app.settle()
    second = swarm_app.swarm("help", user=swarm_app.people.expert).json()["text"]
    assert "Swarm a case" in first and not is_korean(first)
    assert "Swarm a case" not in second and is_korean(second)
    unknown = swarm_app.swarm("frobnicate", user=swarm_app.people.expert2).json()["text"]
    assert unknown.startswith("I don't know") and not is_korean(unknown)


@pytest.mark.parametrize("swarm_app", [{"DEFAULT_LANGUAGE": "ko"}], indirect=True)
def test_a_korean_team_answers_someone_new_in_korean(swarm_app):
    unknown = swarm_app.swarm("frobnicate", user=swarm_app.people.agent).json()["text"]
    assert is_korean(unknown.split("\n")[0]) and "I don't know" not in unknown


def test_an_open_swarm_is_joined_even_while_the_case_system_is_down(sessions):
    """Given an open swarm, when the case system stops answering and an expert runs /swarm for the case,
    then they are added to the channel and told where it is, not that the case system is down."""
    cases = FlakyCaseSystem(LocalCaseSystem(sessions))
    app = start_swarm_app(sessions, {}, case_system=cases)
    try:
        app.swarm("00001026")
        channel = swarm_channel(app, "00001026")
        cases.reads_down = True
        app.swarm("00001026", user=app.people.expert)
        answers = app.answers(app.people.expert)
        assert app.people.expert in app.workspace.members(channel.id)
        assert any(f"<#{channel.id}>" in text for text in answers), answers
        app.swarm("00001027", user=app.people.expert)  # a new swarm still needs the case: said in words
        assert not [c for c in app.workspace.channels() if c.name.startswith("swarm-00001027")]
        assert len(app.answers(app.people.expert)) == len(answers) + 1
    finally:
        app.run.stop()


def test_someone_without_the_right_to_open_swarms_may_still_join_an_open_one(swarm_app):
    people = swarm_app.people
    swarm_app.services.permissions = replace(swarm_app.services.permissions, swarm_openers=frozenset({people.agent}))
    swarm_app.swarm("00001027", user=people.expert)
    assert not [c for c in swarm_app.workspace.channels() if c.name.startswith("swarm-00001027")]
    swarm_app.swarm("00001026")
    swarm_app.swarm("00001026", user=people.expert)
    channel = swarm_channel(swarm_app, "00001026")
    assert people.expert in swarm_app.workspace.members(channel.id)


def test_an_unknown_case_and_a_closed_case_get_clear_answers_and_no_channel(swarm_app):
    swarm_app.swarm("00004040")
    swarm_app.swarm("00000999")
    answers = " ".join(swarm_app.answers())
    assert "00004040" in answers and "00000999" in answers
    assert "Traceback" not in answers
    assert not [c for c in swarm_app.workspace.channels() if c.name.startswith("swarm-")]


def test_a_slack_failure_while_opening_is_answered_and_healed_by_the_queue_without_asking_again(swarm_app):
    swarm_app.standin.fail_next("chat.postMessage", "internal_error")
    swarm_app.swarm("00001026")
    answers = swarm_app.answers()
    assert any("internal_error" in text for text in answers)
    channels = [c for c in swarm_app.workspace.channels() if c.name.startswith("swarm-00001026")]
    assert len(channels) == 1
    assert swarm_app.workspace.messages(channels[0].id), "the card is posted when the queue tries again"
    assert any(f"<#{channels[0].id}>" in text for text in answers[1:]), "and the agent is told the channel"


def test_a_request_without_a_valid_signature_is_refused(swarm_app):
    forged = swarm_app.driver.command("/swarm", "00001026", user=swarm_app.people.agent,
                                      channel=swarm_app.workspace.general_id, sign=False)
    stale = swarm_app.driver.command("/swarm", "00001026", user=swarm_app.people.agent,
                                     channel=swarm_app.workspace.general_id, timestamp_offset=-600)
    swarm_app.settle()
    assert forged.status == 401 and stale.status == 401
    assert not [c for c in swarm_app.workspace.channels() if c.name.startswith("swarm-")]

"""Inviting experts through the real bot and the Slack stand-in: signed clicks and commands in, Web API out.

Each test reads what the workspace (channels, DMs, answers) and the database now hold.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from bot.views.experts import ExpertsAction, ExpertsBlock, ExpertsCallback, InviteValue
from swarms.experts.finder import member_ids
from swarms.experts.invites import escalation_job_id
from swarms.experts.models import SuggestionOutcome
from tests.experts.conftest import IVAN, SORA

CASE = "00001026"
ADD_MODE = {"EXPERTS_INVITE_MODE": "add"}


# ---------------------------------------------------------------- helpers


def open_swarm(app) -> tuple[str, dict]:
    """The agent opens a swarm; returns its channel and the suggestions message under the case card."""
    app.swarm(CASE)
    channel = next(c.id for c in app.workspace.channels() if c.name.startswith(f"swarm-{CASE}"))
    suggestions = next(m for m in app.workspace.messages(channel)
                       if any(b.get("block_id") == ExpertsBlock.HEADER for b in m.get("blocks", [])))
    return channel, suggestions


def suggested(message: dict) -> list[str]:
    """Who a suggestions message offers, in order (one Invite button each)."""
    return [InviteValue.loads(b["accessory"]["value"]).user_ids[0] for b in message.get("blocks", [])
            if (b.get("accessory") or {}).get("action_id") == ExpertsAction.INVITE]


def click_invite(app, channel: str, message: dict, user_id: str, *, clicker: str | None = None) -> None:
    value = InviteValue(_swarm_id(message), (user_id,)).dumps()
    app.driver.block_action(ExpertsAction.INVITE, user=clicker or app.people.agent, channel=channel,
                            message_ts=message["ts"], value=value)
    app.settle()


def _swarm_id(message: dict) -> int:
    first = next(b["accessory"]["value"] for b in message["blocks"] if b.get("accessory"))
    return InviteValue.loads(first).swarm_id


def join_request(app, user_id: str) -> tuple[str, dict]:
    """The DM asking `user_id` to join: (DM channel, message)."""
    dm = app.workspace.im_channel(user_id)
    assert dm, f"{user_id} got no DM"
    return dm, app.workspace.messages(dm)[-1]


def has_answer_buttons(message: dict) -> bool:
    return any(b.get("block_id") == ExpertsBlock.ANSWER for b in message.get("blocks", []))


def outcome(sessions, user_id: str) -> SuggestionOutcome:
    with sessions() as session:
        return session.scalars(select(SuggestionOutcome).where(SuggestionOutcome.user_id == user_id)).one()


def scheduled(app, outcome_id: int):
    return app.services.scheduler.get_job(escalation_job_id(outcome_id))


def channel_texts(app, channel: str) -> str:
    return "\n".join(m.get("text", "") for m in app.workspace.messages(channel))


# ---------------------------------------------------------------- ask mode: Join, Decline, forged clicks


def test_given_ask_mode_when_an_expert_is_invited_then_a_dm_asks_first_and_join_adds_them(invite_app, sessions):
    app, expert = invite_app, invite_app.people.expert
    channel, suggestions = open_swarm(app)
    assert expert in suggested(suggestions)

    click_invite(app, channel, suggestions, expert)

    dm, request = join_request(app, expert)
    assert has_answer_buttons(request) and CASE in request["text"]
    assert expert not in app.workspace.members(channel), "ask mode: nobody is added before they say yes"
    assert any(f"<@{expert}>" in a and "DM" in a for a in app.answers())
    asked = outcome(sessions, expert)
    assert asked.state == "invited" and asked.dm_channel == dm and asked.dm_ts == request["ts"]
    job = scheduled(app, asked.id)
    assert job is not None and job.next_run_time == asked.answer_due_at == asked.invited_at + _minutes(30)

    app.driver.block_action(ExpertsAction.JOIN, user=expert, channel=dm, message_ts=request["ts"])
    app.settle()

    assert expert in app.workspace.members(channel)
    assert outcome(sessions, expert).state == "joined"
    with sessions() as session:
        assert expert in member_ids(session, asked.swarm_id)
    assert f"<@{expert}> joined the swarm" in channel_texts(app, channel)
    assert not has_answer_buttons(app.workspace.message(dm, request["ts"])), "the DM's buttons are gone"
    assert scheduled(app, asked.id) is None, "joining cancels the answer check"


def test_given_an_invite_when_the_expert_declines_with_a_reason_then_the_swarm_hears_it_and_gets_the_next(
        invite_app, sessions):
    app, expert = invite_app, invite_app.people.expert
    channel, suggestions = open_swarm(app)
    click_invite(app, channel, suggestions, expert)
    dm, request = join_request(app, expert)
    outcome_id = outcome(sessions, expert).id

    app.driver.block_action(ExpertsAction.DECLINE, user=expert, channel=dm, message_ts=request["ts"])
    app.settle()
    [modal] = app.workspace.modal_stack(expert)
    assert modal["callback_id"] == ExpertsCallback.DECLINE
    reason = {ExpertsBlock.DECLINE_REASON: {ExpertsAction.DECLINE_REASON: {"type": "plain_text_input",
                                                                           "value": "On leave until Monday"}}}
    app.driver.view_submission(modal["id"], user=expert, values=reason)
    app.settle()

    declined = outcome(sessions, expert)
    assert (declined.state, declined.decline_reason) == ("declined", "On leave until Monday")
    assert expert not in app.workspace.members(channel)
    notice = app.workspace.messages(channel)[-1]
    assert f"<@{expert}> declined: _On leave until Monday_" in notice["text"]
    [next_one] = suggested(notice)
    assert next_one not in (expert, app.people.agent), "the next suggestion is someone else"
    assert not has_answer_buttons(app.workspace.message(dm, request["ts"]))
    assert scheduled(app, outcome_id) is None, "declining cancels the answer check"


def test_a_join_click_forged_by_someone_else_is_refused_and_changes_nothing(invite_app, sessions):
    app, expert, outsider = invite_app, invite_app.people.expert, invite_app.people.outsider
    channel, suggestions = open_swarm(app)
    click_invite(app, channel, suggestions, expert)
    dm, request = join_request(app, expert)

    app.driver.block_action(ExpertsAction.JOIN, user=outsider, channel=dm, message_ts=request["ts"])
    app.settle()

    assert outsider not in app.workspace.members(channel) and expert not in app.workspace.members(channel)
    assert any("not yours" in a for a in app.answers(outsider)), app.answers(outsider)
    still = outcome(sessions, expert)
    assert still.state == "invited" and scheduled(app, still.id) is not None
    assert has_answer_buttons(app.workspace.message(dm, request["ts"])), "the real invitee can still answer"


def test_invite_all_asks_every_suggested_expert_at_once(invite_app, sessions):
    app = invite_app
    channel, suggestions = open_swarm(app)
    everyone = suggested(suggestions)
    assert len(everyone) == 3
    invite_all = next(e for b in suggestions["blocks"] if b.get("block_id") == ExpertsBlock.INVITE_ALL
                      for e in b["elements"])

    app.driver.block_action(ExpertsAction.INVITE_ALL, user=app.people.agent, channel=channel,
                            message_ts=suggestions["ts"], value=invite_all["value"])
    app.settle()

    for user_id in everyone:
        _, request = join_request(app, user_id)
        assert has_answer_buttons(request)
        asked = outcome(sessions, user_id)
        assert asked.state == "invited" and scheduled(app, asked.id) is not None
    assert all(u in app.answers()[-1] for u in everyone)
    now = app.workspace.message(channel, suggestions["ts"])
    assert suggested(now) == [] and not any(b.get("block_id") == ExpertsBlock.INVITE_ALL for b in now["blocks"]), \
        "the used buttons are gone from the channel's message"
    assert now["blocks"][-1]["elements"][0]["text"] == (
        f":envelope: <@{app.people.agent}> asked {', '.join(f'<@{u}>' for u in everyone)} by DM to join.")


def test_one_invite_updates_the_suggestions_for_everyone_in_the_channel(invite_app, sessions):
    app = invite_app
    channel, suggestions = open_swarm(app)
    first, *others = suggested(suggestions)

    click_invite(app, channel, suggestions, first)

    now = app.workspace.message(channel, suggestions["ts"])
    assert suggested(now) == others
    invite_all = next(e for b in now["blocks"] if b.get("block_id") == ExpertsBlock.INVITE_ALL for e in b["elements"])
    assert InviteValue.loads(invite_all["value"]).user_ids == tuple(others)
    assert f"<@{app.people.agent}> asked <@{first}> by DM" in now["blocks"][-1]["elements"][0]["text"]


def test_swarm_invite_takes_slacks_escaped_mentions_and_swarm_experts_leaves_out_members(invite_app, sessions):
    app, agent = invite_app, invite_app.people.agent
    expert, expert2 = app.people.expert, app.people.expert2
    channel, _ = open_swarm(app)

    app.swarm(f"invite <@{expert}|jiwoo> <@{SORA}>", channel=channel)

    assert "Asked" in app.answers()[-1] and f"<@{expert}>" in app.answers()[-1] and f"<@{SORA}>" in app.answers()[-1]
    dm, request = join_request(app, expert)
    app.driver.block_action(ExpertsAction.JOIN, user=expert, channel=dm, message_ts=request["ts"])
    app.driver.user_joins(expert2, channel, inviter=agent)  # added by hand in Slack
    app.settle()

    app.swarm("experts", channel=channel)

    answer = app.standin.responses(agent)[-1]["payload"]
    offered = suggested(answer)
    assert offered, answer
    assert not {expert, expert2, SORA, agent} & set(offered), "members and people already asked are left out"
    assert IVAN in offered


@pytest.mark.parametrize("invite_app", [ADD_MODE], indirect=True)
def test_given_add_mode_when_an_expert_is_invited_then_they_are_in_the_channel_at_once(invite_app, sessions):
    app, expert = invite_app, invite_app.people.expert
    channel, suggestions = open_swarm(app)

    click_invite(app, channel, suggestions, expert)

    assert expert in app.workspace.members(channel)
    assert app.workspace.im_channel(expert) is None, "add mode sends no DM"
    added = outcome(sessions, expert)
    assert added.state == "invited" and added.mode == "add"
    assert scheduled(app, added.id) is not None, "an added expert who never posts still escalates"
    assert f"Added to the swarm: <@{expert}>" in channel_texts(app, channel)
    [call] = app.standin.calls("conversations.invite")[-1:]
    assert call[1]["users"] == expert and call[1]["force"] in (True, "true", "1")


# ---------------------------------------------------------------- people who left


def test_given_a_suggested_expert_left_the_workspace_when_invited_then_nobody_is_asked_and_the_inviter_is_told(
        invite_app, sessions):
    app, expert = invite_app, invite_app.people.expert
    channel, suggestions = open_swarm(app)
    assert expert in suggested(suggestions)
    app.workspace.deactivate_user(expert)  # left after the suggestions were posted

    click_invite(app, channel, suggestions, expert)

    assert app.workspace.im_channel(expert) is None and expert not in app.workspace.members(channel)
    assert f"Could not invite: <@{expert}> (account deactivated)" in app.answers()[-1]
    failed = outcome(sessions, expert)
    assert failed.state == "failed" and failed.decline_reason == "deactivated"
    assert scheduled(app, failed.id) is None


@pytest.mark.parametrize("invite_app", [{}, ADD_MODE], indirect=True, ids=["ask", "add"])
def test_deactivated_and_unknown_people_in_a_hand_invite_are_named_and_the_others_still_invited(invite_app):
    app = invite_app
    channel, _ = open_swarm(app)
    app.workspace.deactivate_user(SORA)

    app.swarm(f"invite <@{SORA}|sora> <@U0GHOST001|ghost> <@{IVAN}|ivan>", channel=channel)

    answer = app.answers()[-1]
    assert f"<@{SORA}> (account deactivated)" in answer and "<@U0GHOST001> (not found in this workspace)" in answer
    assert f"<@{IVAN}>" in answer.splitlines()[0], "the reachable one is still asked or added"
    invited = [c[1]["users"] for c in app.standin.calls("conversations.invite")]
    assert not any(SORA in u or "U0GHOST001" in u for u in invited), "Slack is never asked to add them"


def test_an_expert_who_left_the_swarm_channel_can_be_invited_again(invite_app, sessions):
    app, expert = invite_app, invite_app.people.expert
    channel, _ = open_swarm(app)
    app.swarm(f"invite <@{expert}>", channel=channel)
    dm, request = join_request(app, expert)
    app.driver.block_action(ExpertsAction.JOIN, user=expert, channel=dm, message_ts=request["ts"])
    app.settle()
    app.driver.user_leaves(expert, channel)
    app.settle()
    with sessions() as session:
        assert expert not in member_ids(session, outcome(sessions, expert).swarm_id)

    app.swarm(f"invite <@{expert}|jiwoo>", channel=channel)

    assert "Asked" in app.answers()[-1], app.answers()[-1]
    dm, again = join_request(app, expert)
    assert again["ts"] != request["ts"] and has_answer_buttons(again)
    app.driver.block_action(ExpertsAction.JOIN, user=expert, channel=dm, message_ts=again["ts"])
    app.settle()
    assert expert in app.workspace.members(channel)
    assert outcome(sessions, expert).state == "joined"
    with sessions() as session:
        assert expert in member_ids(session, outcome(sessions, expert).swarm_id), "a member again, not still 'left'"


# ---------------------------------------------------------------- a very large invite


@pytest.mark.parametrize("invite_app", [ADD_MODE], indirect=True)
def test_a_250_person_invite_goes_in_chunks_of_100_tolerates_members_and_reports_each_failure(
        invite_app, sessions):
    app = invite_app
    channel, _ = open_swarm(app)
    crowd = [app.workspace.add_user(f"bulk{n}", id=f"U0BULK{n:04d}", locale="en-US") for n in range(250)]
    there_already = crowd[10], crowd[150]
    for user_id in there_already:  # in the channel, but Slack never told the bot (a lost event)
        app.workspace.channel(channel).members.append(user_id)
    gone = crowd[200]
    app.workspace.deactivate_user(gone)
    # users.info is down, so the bot cannot tell beforehand; Slack's own per-user answer must be reported.
    app.standin.fail_next("users.info", "fatal_error", times=None)
    before = len(app.standin.calls("conversations.invite"))

    app.driver.command("/swarm", "invite " + " ".join(f"<@{u}|bulk>" for u in crowd), user=app.people.agent,
                       channel=channel)
    app.run.settle(timeout=60)  # 250 people: a few hundred Web API calls and membership events
    app.standin.clear_faults()

    calls = app.standin.calls("conversations.invite")[before:]
    chunks = [c[1]["users"].split(",") for c in calls]
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert sorted(u for c in chunks for u in c) == sorted(crowd)
    members = set(app.workspace.members(channel))
    assert set(crowd) - {gone} <= members and gone not in members
    answer = app.answers()[-1]
    assert f"Could not invite: <@{gone}> (not found in this workspace)" in answer
    assert all(f"<@{u}>" in answer.splitlines()[0] for u in there_already), "already in the channel is success"
    with sessions() as session:
        states = dict(session.execute(select(SuggestionOutcome.user_id, SuggestionOutcome.state)).all())
        assert states[gone] == "failed" and sum(s == "invited" for s in states.values()) == 249
        swarm_id = session.scalar(select(SuggestionOutcome.swarm_id).limit(1))
        assert set(crowd) - {gone} <= member_ids(session, swarm_id)
        stored = session.execute(text("SELECT count(*) FROM apscheduler_jobs WHERE id LIKE 'expert-escalate:%'"))
        assert stored.scalar() == 249, "each added person has an answer check in the persistent job store"


def _minutes(n: int):
    from datetime import timedelta

    return timedelta(minutes=n)


@pytest.mark.parametrize("invite_app", [ADD_MODE], indirect=True)
def test_given_slack_refuses_the_whole_invite_then_the_invitation_fails_clearly_and_can_be_tried_again(
        invite_app, sessions):
    app, expert = invite_app, invite_app.people.expert
    channel, suggestions = open_swarm(app)
    app.standin.fail_next("conversations.invite", "restricted_action")

    click_invite(app, channel, suggestions, expert)

    assert expert not in app.workspace.members(channel)
    assert "restricted_action" in app.answers()[-1]
    refused = outcome(sessions, expert)
    assert refused.state == "failed" and scheduled(app, refused.id) is None

    click_invite(app, channel, suggestions, expert)  # Slack allows it again: the same button works

    assert expert in app.workspace.members(channel)

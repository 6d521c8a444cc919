"""Experts who opt out of suggestions after being suggested, through the real bot and the Slack stand-in.

The suggestions message stays in the channel; its buttons must read the directory as it is when clicked.
"""

from __future__ import annotations

from dataclasses import replace

from bot.views.experts import ExpertsAction, ExpertsBlock
from swarms.experts.directory import import_directory
from tests.experts.conftest import IVAN, NOW, standin_directory
from tests.experts.test_invite_flows_e2e import (
    click_invite,
    join_request,
    open_swarm,
    outcome,
    scheduled,
    suggested,
)


def opt_out(app, sessions, user_id: str) -> None:
    """The directory is imported again, this time with `user_id` opted out."""
    people = [replace(p, opted_out=True) if p.user_id == user_id else p for p in standin_directory(app.people)]
    with sessions.begin() as session:
        import_directory(session, app.workspace.team_id, people, now=NOW)


def test_an_invite_click_on_someone_who_opted_out_since_asks_nobody_and_tells_the_clicker(invite_app, sessions):
    app, expert = invite_app, invite_app.people.expert
    channel, suggestions = open_swarm(app)
    assert suggested(suggestions)[0] == expert
    opt_out(app, sessions, expert)

    click_invite(app, channel, suggestions, expert)

    assert app.workspace.im_channel(expert) is None, "no Join / Decline DM"
    assert app.answers()[-1] == f"<@{expert}> has opted out of expert suggestions, so I did not ask them."
    skipped = outcome(sessions, expert)
    assert (skipped.state, skipped.decline_reason) == ("failed", "opted_out")
    assert scheduled(app, skipped.id) is None
    assert "opted out" not in " ".join(m.get("text", "") for m in app.workspace.messages(channel)), \
        "the answer is for the clicker only"


def test_invite_all_still_asks_the_others_and_names_who_was_skipped(invite_app, sessions):
    app, expert = invite_app, invite_app.people.expert
    channel, suggestions = open_swarm(app)
    others = [u for u in suggested(suggestions) if u != expert]
    opt_out(app, sessions, expert)
    invite_all = next(e for b in suggestions["blocks"] if b.get("block_id") == ExpertsBlock.INVITE_ALL
                      for e in b["elements"])

    app.driver.block_action(ExpertsAction.INVITE_ALL, user=app.people.agent, channel=channel,
                            message_ts=suggestions["ts"], value=invite_all["value"])
    app.settle()

    assert app.workspace.im_channel(expert) is None
    for user_id in others:
        join_request(app, user_id)
        assert outcome(sessions, user_id).state == "invited"
    asked, skipped = app.answers()[-1].splitlines()
    assert all(f"<@{u}>" in asked for u in others) and f"<@{expert}>" not in asked
    assert skipped == f"<@{expert}> has opted out of expert suggestions, so I did not ask them."


def test_the_clicker_hears_about_the_opt_out_in_their_own_language(invite_app, sessions):
    app, expert, korean = invite_app, invite_app.people.expert, invite_app.people.expert2
    channel, suggestions = open_swarm(app)
    app.driver.user_joins(korean, channel, inviter=app.people.agent)
    app.settle()
    opt_out(app, sessions, expert)

    click_invite(app, channel, suggestions, expert, clicker=korean)

    assert app.answers(korean)[-1] == f"<@{expert}> 님은 전문가 추천을 받지 않기로 해서 요청하지 않았습니다."
    assert app.workspace.im_channel(expert) is None


def test_a_hand_invite_still_asks_someone_who_opted_out_and_notes_it(invite_app, sessions):
    app, expert = invite_app, invite_app.people.expert
    channel, _ = open_swarm(app)
    opt_out(app, sessions, expert)

    app.swarm(f"invite <@{expert}|jiwoo> <@{IVAN}|ivan>", channel=channel)

    join_request(app, expert)
    assert outcome(sessions, expert).state == "invited"
    answer = app.answers()[-1]
    assert f"<@{expert}>" in answer.splitlines()[0] and f"<@{IVAN}>" in answer.splitlines()[0]
    assert f"Note: <@{expert}> has opted out of expert suggestions; you named them yourself" in answer

"""Experts in a thread swarm: suggested in the thread, asked by DM, and on Join mentioned in the thread
(a public team channel needs no invite; a private one takes them in), then caught up in the DM."""

from __future__ import annotations

import pytest

from bot.views.experts import ExpertsAction, ExpertsBlock
from tests.experts.test_invite_flows_e2e import click_invite, join_request, outcome, suggested

CASE = "00001026"


def open_in_thread(app, *, private: bool = False) -> tuple[str, str, dict]:
    """#support (the bot, the agent and one colleague in it) and the case's thread swarm there:
    (channel, card ts, the suggestions message in the thread)."""
    ws = app.workspace
    support = ws.add_channel("support", is_private=private, members=[ws.bot_user_id, app.people.agent])
    app.swarm(f"{CASE} --thread", channel=support)
    card_ts = ws.messages(support)[0]["ts"]
    suggestions = next(m for m in ws.replies(support, card_ts)
                       if any(b.get("block_id") == ExpertsBlock.HEADER for b in m.get("blocks", [])))
    return support, card_ts, suggestions


@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
def test_an_expert_who_joins_a_thread_swarm_is_mentioned_in_its_thread_and_caught_up_in_the_dm(
        invite_app, sessions, private):
    app, expert = invite_app, invite_app.people.expert
    support, card_ts, suggestions = open_in_thread(app, private=private)
    assert expert in suggested(suggestions)
    app.driver.user_posts(app.people.agent, support, "E-21 again after FW 3.2: who knows it?", thread_ts=card_ts)
    app.settle()

    click_invite(app, support, suggestions, expert)
    dm, request = join_request(app, expert)
    assert "#support" in str(request["blocks"])  # the DM names where the swarm happens
    app.driver.block_action(ExpertsAction.JOIN, user=expert, channel=dm, message_ts=request["ts"])
    app.settle()

    assert outcome(sessions, expert).state == "joined"
    assert any(f"<@{expert}>" in m.get("text", "") for m in app.workspace.replies(support, card_ts))
    assert [m["ts"] for m in app.workspace.messages(support)] == [card_ts], "notices stay in the thread"
    assert (expert in app.workspace.members(support)) is private, "only a private channel needs the invite"
    dm_texts = [str(m.get("blocks") or m.get("text")) for m in app.workspace.messages(dm)]
    assert any("스레드" in text for text in dm_texts), "the Korean expert's Join answer names the thread"
    assert any("E-21 again after FW 3.2" in text for text in dm_texts), "and the catch-up follows in the DM"

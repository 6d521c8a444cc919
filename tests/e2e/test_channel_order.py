"""A channel's queued posts reach it in the order they were queued, on any replica, through the stand-in: a post
Slack holds back (a 429, a refusal tried again) keeps the later ones of its channel behind it, one given up lets
them go, and other channels' posts do not wait for it."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from bot.slack import work_queue
from bot.slack.later import post_later
from bot.slack.work_queue import LEASE, SlackQueue
from swarms.db import utcnow
from swarms.jobs.claimed_work import ClaimedWork, RateBucket, WorkState, claim_one, put_back


@pytest.fixture
def support(swarm_app):
    ws = swarm_app.workspace
    return ws.add_channel("support", members=[ws.bot_user_id, swarm_app.people.agent])


@pytest.fixture
def escalations(swarm_app):
    ws = swarm_app.workspace
    return ws.add_channel("escalations", members=[ws.bot_user_id, swarm_app.people.agent])


def texts(app, channel: str) -> list[str]:
    return [m.get("text", "") for m in app.workspace.messages(channel)]


def say(app, channel: str, text: str) -> int:
    """A message that can wait, queued the way the features queue theirs."""
    item_id = post_later(app.services, app.workspace.team_id, channel, text)
    assert item_id is not None
    return item_id


def state_of(sessions, item_id: int) -> str:
    with sessions() as session:
        return session.get_one(ClaimedWork, item_id).state


def due_now_at_no_pace(sessions, item_id: int) -> None:
    """Its retry's wait over, the channel's pace forgotten: these steps are about order, not time."""
    with sessions.begin() as session:
        session.execute(delete(RateBucket))
        session.execute(update(ClaimedWork).where(ClaimedWork.id == item_id).values(due_at=utcnow()))


def test_a_post_slack_holds_back_keeps_its_channel_in_order_and_other_channels_do_not_wait(swarm_app, support,
                                                                                           escalations):
    """Given a post to #support that Slack answers with a 429, when another is queued for #support and one for
    #escalations, then #escalations has its post at once, and #support gets both, in the order queued."""
    app = swarm_app
    app.services.slack_queue.stop()  # only the queueing requests' own tries run until the runner starts
    app.standin.rate_limit("chat.postMessage", retry_after=2)
    say(app, support, "Swarm closed")
    held = say(app, support, "Swarm reopened")
    say(app, escalations, "Escalation 1")

    assert texts(app, escalations) == ["Escalation 1"]
    assert texts(app, support) == [] and state_of(app.services.sessions, held) == WorkState.QUEUED
    app.services.slack_queue.start()
    app.settle()
    assert texts(app, support) == ["Swarm closed", "Swarm reopened"]


def test_a_post_slack_refuses_until_the_queue_gives_up_lets_the_later_ones_go(swarm_app, support, monkeypatch):
    """Given a post Slack refuses every time it is tried, the post queued after it waits while it is tried
    again, and is posted once the queue gives up on it."""
    app, sessions = swarm_app, swarm_app.services.sessions
    monkeypatch.setattr(work_queue, "MAX_ATTEMPTS", 2)  # refused, tried again 2 s later, refused: given up
    app.standin.fail_next("chat.postMessage", "internal_error", times=2)
    refused = say(app, support, "Swarm closed")
    after_it = say(app, support, "Swarm reopened")

    assert texts(app, support) == [] and state_of(sessions, after_it) == WorkState.QUEUED
    app.settle()
    assert state_of(sessions, refused) == WorkState.FAILED
    assert texts(app, support) == ["Swarm reopened"]


def test_two_replicas_post_a_channels_queue_in_order(swarm_app, support):
    """Given a post refused once and queued to be tried again, another replica neither posts the one queued
    after it while it waits nor while a third replica holds it; once it is posted, the later one follows."""
    app, sessions = swarm_app, swarm_app.services.sessions
    here = app.services.slack_queue
    here.stop()
    other = SlackQueue(here.sessions, here.pacer, here.access, handlers=here.handlers, holder="replica-2")
    app.standin.fail_next("chat.postMessage", "internal_error")
    first = say(app, support, "Swarm closed")
    second = say(app, support, "Swarm reopened")

    assert not other.run_now(second).done, "the first waits to be tried again"
    due_now_at_no_pace(sessions, first)
    assert claim_one(sessions, first, holder="replica-3", lease=LEASE) is not None
    assert not other.run_now(second).done, "the first is being posted elsewhere"
    assert put_back(sessions, first, "replica-3", due_at=utcnow(), count_attempt=False)
    assert texts(app, support) == []
    other.run_due()
    assert texts(app, support) == ["Swarm closed"], "the first, and not the second with it"
    assert here.run_now(second).done
    assert texts(app, support) == ["Swarm closed", "Swarm reopened"]

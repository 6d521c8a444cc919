"""The closing summary ("… A knowledge article draft follows here.") comes before the draft review, and a
reopening's notice after both, in the channel and on any replica, however long Slack makes the summary wait;
through the stand-in."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from bot.slack import work_queue
from bot.slack.work_queue import LEASE, SlackQueue
from swarms.case_systems.local import set_case_field
from swarms.db import utcnow
from swarms.jobs.claimed_work import ORDER_HOLDS_AT_MOST, ClaimedWork, RateBucket, WorkState, claim_one, put_back
from swarms.knowledge.flows import POST_DRAFT, poll_reopened
from swarms.models import SwarmStatus
from tests.e2e.conftest import swarm_app  # noqa: F401  (the running bot fixture)
from tests.knowledge.test_e2e_knowledge import CASE, draft_row, knowledge_folder, opened, swarm_row  # noqa: F401

SUMMARY = "Swarm closed"
REVIEW = "Knowledge article draft"
REOPENED = "was reopened"


def posted(app, channel: str, words: str) -> list[str]:
    """The ts of the channel's messages saying `words`, oldest first."""
    return [m["ts"] for m in app.workspace.messages(channel) if words in str(m.get("blocks"))]


def queued(sessions, kind: str) -> list[ClaimedWork]:
    with sessions() as session:
        return list(session.scalars(select(ClaimedWork).where(ClaimedWork.kind == kind).order_by(ClaimedWork.id)))


def summary_row(sessions) -> ClaimedWork:
    with sessions() as session:
        return session.scalars(select(ClaimedWork).where(ClaimedWork.dedupe_key.like("close_summary:%"))
                               .order_by(ClaimedWork.id)).all()[-1]


def card_update_row(sessions) -> ClaimedWork:
    with sessions() as session:
        return session.scalars(select(ClaimedWork).where(ClaimedWork.dedupe_key.like("close_card:%"))
                               .order_by(ClaimedWork.id)).all()[-1]


def pace_aside(sessions) -> None:
    """The channel's posting pace forgotten: these steps are about order, not pace (no test waits on a clock)."""
    with sessions.begin() as session:
        session.execute(delete(RateBucket))


def close_with_the_runner_stopped(app, channel: str) -> None:
    """The owner closes while no runner takes due work: what was not done at once stays queued."""
    app.services.slack_queue.stop()
    app.driver.command("/swarm", "close Firmware 3.2.1 fixes E-21", user=app.people.agent, channel=channel)
    assert app.services.executor.wait_idle(timeout=60), "closed and drafted"


@pytest.mark.parametrize("slack_says", ["nothing", "429", "refused"])
def test_the_closing_summary_is_in_the_channel_before_the_draft_review(opened, sessions, slack_says):  # noqa: F811
    """Given an open swarm, when the owner closes it (and Slack tells the summary to wait, or refuses it once),
    then the summary is posted first and the draft review after it, each once."""
    app, channel, _, _ = opened
    if slack_says == "429":
        app.standin.rate_limit("chat.postMessage", retry_after=2)
    elif slack_says == "refused":
        app.standin.fail_next("chat.postMessage", "internal_error")
    app.driver.command("/swarm", "close Firmware 3.2.1 fixes E-21", user=app.people.agent, channel=channel)
    app.settle()

    summary, review = posted(app, channel, SUMMARY), posted(app, channel, REVIEW)
    assert len(summary) == 1 and len(review) == 1
    assert float(summary[0]) < float(review[0]), "the summary says the draft follows"
    assert draft_row(sessions).message_ts == review[0]
    assert [w.state for w in queued(sessions, POST_DRAFT)] == [WorkState.DONE]


def test_a_summary_slack_gives_up_on_leaves_the_draft_review_posted(opened, sessions, monkeypatch):  # noqa: F811
    """Given Slack refusing the summary until the queue gives up on it, the draft review is posted all the same:
    the draft is the closing's work, the summary its notice."""
    app, channel, _, _ = opened
    monkeypatch.setattr(work_queue, "MAX_ATTEMPTS", 1)  # the first refusal is the last
    app.standin.fail_next("chat.postMessage", "internal_error")
    app.driver.command("/swarm", "close Firmware 3.2.1 fixes E-21", user=app.people.agent, channel=channel)
    app.settle()

    assert summary_row(sessions).state == WorkState.FAILED
    assert posted(app, channel, SUMMARY) == []
    assert posted(app, channel, REVIEW) == [draft_row(sessions).message_ts]


def test_on_another_replica_the_draft_review_waits_for_the_summary(opened, sessions):  # noqa: F811
    """Given the summary refused once and waiting to be tried again (then held by a third replica), when another
    replica takes the draft's post, it posts nothing; once a replica posts the summary and closes the card (both
    queued before it), the draft review follows."""
    app, channel, _, _ = opened
    app.standin.fail_next("chat.postMessage", "internal_error")
    close_with_the_runner_stopped(app, channel)
    here = app.services.slack_queue
    other = SlackQueue(here.sessions, here.pacer, here.access, handlers=here.handlers, holder="replica-2")
    draft_post, summary = queued(sessions, POST_DRAFT)[0], summary_row(sessions)
    assert (draft_post.state, summary.state) == (WorkState.QUEUED, WorkState.QUEUED)

    assert not other.run_now(draft_post.id).done, "the summary is queued"
    assert claim_one(sessions, summary.id, holder="replica-3", lease=LEASE) is not None
    assert not other.run_now(draft_post.id).done, "the summary is held"
    assert put_back(sessions, summary.id, "replica-3", due_at=utcnow(), count_attempt=False)
    assert posted(app, channel, REVIEW) == [] and draft_row(sessions).message_ts is None
    pace_aside(sessions)
    assert here.run_now(summary.id).done
    pace_aside(sessions)
    assert not other.run_now(draft_post.id).done, "the card's closed line, queued before it, is not out yet"
    assert here.run_now(card_update_row(sessions).id).done
    assert other.run_now(draft_post.id).done

    summary_ts, review_ts = posted(app, channel, SUMMARY), posted(app, channel, REVIEW)
    assert len(summary_ts) == 1 and len(review_ts) == 1 and float(summary_ts[0]) < float(review_ts[0])


def test_a_summary_still_held_back_at_the_longest_wait_no_longer_holds_the_draft_review(opened,  # noqa: F811
                                                                                        sessions):
    """Given a summary Slack still holds back ORDER_HOLDS_AT_MOST after it was queued, the card's closed line and
    the draft review queued after it are posted, in their order: order is worth a wait, not the draft."""
    app, channel, _, _ = opened
    app.standin.fail_next("chat.postMessage", "internal_error")
    close_with_the_runner_stopped(app, channel)
    queue, draft_post = app.services.slack_queue, queued(sessions, POST_DRAFT)[0]
    assert not queue.run_now(draft_post.id).done, "the summary waits to be tried again"
    with sessions.begin() as session:
        session.execute(update(ClaimedWork).where(ClaimedWork.id == summary_row(sessions).id)
                        .values(created_at=utcnow() - ORDER_HOLDS_AT_MOST))
    pace_aside(sessions)
    assert not queue.run_now(draft_post.id).done, "the card's closed line, queued before it, goes first"
    assert queue.run_now(card_update_row(sessions).id).done
    assert queue.run_now(draft_post.id).done
    assert summary_row(sessions).state == WorkState.QUEUED and posted(app, channel, SUMMARY) == []
    assert posted(app, channel, REVIEW) == [draft_row(sessions).message_ts]


def test_reopening_before_the_draft_review_is_posted_keeps_it_for_the_next_closing(opened, sessions):  # noqa: F811
    """Given a closing whose summary Slack refused once (so the draft review still waits), when the case is
    reopened, the review is not posted for the closing that ended; closing again posts it once, after the
    new summary."""
    app, channel, _, _ = opened
    app.standin.fail_next("chat.postMessage", "internal_error")
    close_with_the_runner_stopped(app, channel)
    with sessions.begin() as session:
        set_case_field(session, CASE, "status", "Open")
    assert poll_reopened(app.services.sessions, app.services.cases, app.services.knowledge) == [swarm_row(sessions).id]
    app.services.slack_queue.start()
    app.settle()

    assert swarm_row(sessions).status == SwarmStatus.OPEN
    assert posted(app, channel, REVIEW) == [] and draft_row(sessions).message_ts is None
    assert [w.state for w in queued(sessions, POST_DRAFT)] == [WorkState.DONE]

    app.driver.command("/swarm", "close Firmware 3.2.1 fixes E-21", user=app.people.agent, channel=channel)
    app.settle()
    summaries, review = posted(app, channel, SUMMARY), posted(app, channel, REVIEW)
    assert len(summaries) == 2 and review == [draft_row(sessions).message_ts]
    assert float(summaries[-1]) < float(review[0])



def said(app, channel: str, words: str) -> list[str]:
    """The ts of the channel's messages with `words` in their text or blocks, oldest first."""
    return [m["ts"] for m in app.workspace.messages(channel) if words in f"{m.get('text')} {m.get('blocks')}"]


@pytest.mark.parametrize("slack_says", ["429", "refused"])
def test_a_swarm_reopened_while_its_closing_summary_waits_reads_closed_then_reopened(opened, sessions,  # noqa: F811
                                                                                     slack_says):
    """Given an owner's closing whose summary Slack tells to wait (a 429) or refuses once, when the case is
    reopened at once, then the channel shows the summary, and the reopening's notice after it."""
    app, channel, _, _ = opened
    if slack_says == "429":
        app.standin.rate_limit("chat.postMessage", retry_after=2)
    else:
        app.standin.fail_next("chat.postMessage", "internal_error")
    app.driver.command("/swarm", "close Firmware 3.2.1 fixes E-21", user=app.people.agent, channel=channel)
    assert app.services.executor.wait_idle(timeout=60), "closed and drafted"
    assert posted(app, channel, SUMMARY) == [], "the summary waits"
    with sessions.begin() as session:
        set_case_field(session, CASE, "status", "Open")
    assert poll_reopened(app.services.sessions, app.services.cases, app.services.knowledge) == [swarm_row(sessions).id]
    app.settle()

    summary, reopened = said(app, channel, SUMMARY), said(app, channel, REOPENED)
    assert len(summary) == 1 and len(reopened) == 1
    assert float(summary[0]) < float(reopened[0]), "closed, then reopened: in the order it happened"
    assert posted(app, channel, REVIEW) == [], "the review waits for the next closing"

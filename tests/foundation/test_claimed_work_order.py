"""Claimed work in order: rows of one order key (a channel's posts) are claimed one at a time, in the order
queued, whichever holder asks; a row finished any way, or stuck past ORDER_HOLDS_AT_MOST, holds nothing."""

from datetime import timedelta

from sqlalchemy import update

from swarms.db import utcnow
from swarms.jobs.claimed_work import (
    ORDER_HOLDS_AT_MOST,
    ClaimedWork,
    claim_due,
    claim_one,
    complete,
    enqueue,
    give_up,
    next_due,
    put_back,
)

LEASE = timedelta(seconds=30)
TEAM = "T0ONE0001"
CHANNEL = f"{TEAM}/C0SWARM01"


def post(session, text: str, order_key: str | None = CHANNEL, **kwargs) -> int:
    return enqueue(session, "slack.post", {"channel": order_key, "text": text}, team_id=TEAM, order_key=order_key,
                   **kwargs)


def claimed_ids(sessions, holder: str) -> list[int]:
    return [i.id for i in claim_due(sessions, holder=holder, lease=LEASE)]


def test_a_channels_later_post_is_not_claimed_while_an_earlier_one_waits_or_runs(sessions):
    with sessions.begin() as session:
        first, second, third = post(session, "closed"), post(session, "reopened"), post(session, "note")
    assert claimed_ids(sessions, "A") == [first], "one at a time, the first queued"
    assert claim_one(sessions, second, holder="B", lease=LEASE) is None, "not while the first runs"
    put_back(sessions, first, "A", due_at=utcnow() + timedelta(seconds=60), count_attempt=False)  # a 429
    assert claimed_ids(sessions, "B") == [] and claim_one(sessions, second, holder="B", lease=LEASE) is None, \
        "nor while it waits for Slack"
    with sessions.begin() as session:
        session.execute(update(ClaimedWork).where(ClaimedWork.id == first).values(due_at=utcnow()))
    assert claimed_ids(sessions, "B") == [first]
    assert complete(sessions, first, "B")
    assert claimed_ids(sessions, "A") == [second]
    assert complete(sessions, second, "A")
    assert claimed_ids(sessions, "A") == [third]


def test_an_earlier_post_given_up_or_superseded_no_longer_holds_the_later_ones(sessions):
    with sessions.begin() as session:
        refused, held = post(session, "refused"), post(session, "after it")
    assert claimed_ids(sessions, "A") == [refused]
    assert give_up(sessions, refused, "A", "Slack answered internal_error")
    assert claimed_ids(sessions, "B") == [held]

    with sessions.begin() as session:  # a coalesced row superseded by a newer one of its key
        stale = post(session, "review v1", coalesce="draft_review:1")
        newer = post(session, "review v2", coalesce="draft_review:1")
    assert complete(sessions, held, "B")
    assert claimed_ids(sessions, "A") == [newer]
    assert claim_one(sessions, stale, holder="B", lease=LEASE) is None


def test_a_post_stuck_past_the_longest_wait_lets_the_later_ones_go_in_their_own_order(sessions):
    with sessions.begin() as session:
        stuck, second, third = post(session, "stuck"), post(session, "second"), post(session, "third")
    claim_due(sessions, holder="A", lease=LEASE)
    put_back(sessions, stuck, "A", due_at=utcnow() + timedelta(hours=1), count_attempt=False)
    assert claimed_ids(sessions, "A") == []
    with sessions.begin() as session:
        session.execute(update(ClaimedWork).where(ClaimedWork.id == stuck)
                        .values(created_at=utcnow() - ORDER_HOLDS_AT_MOST))
    assert claimed_ids(sessions, "A") == [second], "the rest still wait for each other"
    assert complete(sessions, second, "A")
    assert claimed_ids(sessions, "A") == [third]


def test_posts_to_other_channels_and_work_without_an_order_key_do_not_wait(sessions):
    with sessions.begin() as session:
        first, behind = post(session, "closed"), post(session, "reopened")
        elsewhere = post(session, "hello", order_key=f"{TEAM}/C0OTHER01")
        in_a_thread = post(session, "in a thread", order_key=f"{CHANNEL}/1700000000.000100")
        home = enqueue(session, "slack.publish_home", {"user": "U1"}, team_id=TEAM, coalesce="home:U1")
    assert sorted(claimed_ids(sessions, "A")) == sorted([first, elsewhere, in_a_thread, home])
    assert claim_one(sessions, behind, holder="B", lease=LEASE) is None


def test_the_runner_does_not_wake_for_a_post_that_waits_its_turn(sessions):
    """A due row held back by an earlier one would otherwise say 'due now' to every runner, in a loop."""
    with sessions.begin() as session:
        first, _ = post(session, "closed"), post(session, "reopened")
    claim_due(sessions, holder="A", lease=LEASE)
    put_back(sessions, first, "A", due_at=utcnow() + timedelta(seconds=30), count_attempt=False)
    with sessions() as session:
        due = next_due(session)
    assert due is not None and due > utcnow() + timedelta(seconds=20), "the first post's time, not the second's"

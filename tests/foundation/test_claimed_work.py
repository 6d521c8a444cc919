"""Claimed work: each due row runs in one place, a dead holder's row is taken over, pacing is shared."""

from datetime import timedelta

from sqlalchemy import func, select, update

from swarms.db import utcnow
from swarms.jobs.claimed_work import (
    ClaimedWork,
    WorkState,
    claim_due,
    claim_one,
    complete,
    enqueue,
    next_due,
    put_back,
    take_pace,
)

LEASE = timedelta(seconds=30)


def test_a_due_row_is_claimed_by_one_holder_only_and_a_key_is_queued_once(sessions):
    with sessions.begin() as session:
        first = enqueue(session, "slack.open_swarm", {"swarm_id": 1}, team_id="T0ONE0001", key="open_swarm:1")
        assert enqueue(session, "slack.open_swarm", {"swarm_id": 1}, team_id="T0ONE0001", key="open_swarm:1") is None
    taken_a = claim_due(sessions, holder="A", lease=LEASE)
    taken_b = claim_due(sessions, holder="B", lease=LEASE)
    assert [i.id for i in taken_a] == [first] and taken_b == []
    assert claim_one(sessions, first, holder="B", lease=LEASE) is None
    assert not complete(sessions, first, "B"), "only the holder completes it"
    assert complete(sessions, first, "A")


def test_a_holder_that_died_loses_its_row_when_the_lease_runs_out(sessions):
    with sessions.begin() as session:
        item = enqueue(session, "slack.post", {"channel": "C1", "text": "hi"}, team_id="T0ONE0001")
    assert claim_due(sessions, holder="A", lease=LEASE)
    with sessions.begin() as session:  # A was killed; its lease runs out
        session.execute(update(ClaimedWork).values(lease_until=utcnow() - timedelta(seconds=1)))
    taken = claim_due(sessions, holder="B", lease=LEASE)
    assert [i.id for i in taken] == [item] and taken[0].attempts == 2
    assert not complete(sessions, item, "A"), "the dead holder's late answer changes nothing"


def test_a_row_put_back_for_its_pace_waits_until_due_and_keeps_its_attempt_count(sessions):
    with sessions.begin() as session:
        item = enqueue(session, "slack.post", {"channel": "C1", "text": "hi"}, team_id="T0ONE0001")
    assert [i.id for i in claim_due(sessions, holder="A", lease=LEASE)] == [item]
    put_back(sessions, item, "A", due_at=utcnow() + timedelta(seconds=60), count_attempt=False)
    assert claim_due(sessions, holder="A", lease=LEASE) == []
    with sessions() as session:
        row = session.get(ClaimedWork, item)
        assert row.state == WorkState.QUEUED and row.attempts == 0


def test_the_work_of_a_workspace_the_app_lost_waits_while_another_workspaces_goes_on(sessions):
    with sessions.begin() as session:
        lost = enqueue(session, "slack.post", {"channel": "C1", "text": "hi"}, team_id="T0LOST0001")
        kept = enqueue(session, "slack.post", {"channel": "C2", "text": "hi"}, team_id="T0KEPT0001")
    assert claim_one(sessions, lost, holder="A", lease=LEASE, paused_teams={"T0LOST0001"}) is None
    taken = claim_due(sessions, holder="A", lease=LEASE, paused_teams={"T0LOST0001"})
    assert [(i.id, i.team_id) for i in taken] == [(kept, "T0KEPT0001")]
    with sessions() as session:
        assert next_due(session, {"T0LOST0001"}) is None, "the runner does not wake for work that waits"
    assert [i.id for i in claim_due(sessions, holder="A", lease=LEASE)] == [lost], "a reinstall lets it go"


def test_the_shared_pace_allows_the_burst_then_one_call_per_interval(sessions):
    now = 1_000_000.0
    waits = [take_pace(sessions, "conversations.create", interval=3.0, burst=10, now=now) for _ in range(11)]
    assert waits[:10] == [0.0] * 10 and waits[10] > 2.9
    assert take_pace(sessions, "conversations.create", interval=3.0, burst=10, now=now + 3.0) == 0.0
    assert take_pace(sessions, "chat.postMessage:C1", interval=1.0, burst=3, now=now) == 0.0, "buckets are apart"


def home(session, days: int, *, asked_at=None) -> int:
    return enqueue(session, "slack.publish_home", {"user": "U1", "days": days}, team_id="T0ONE0001", coalesce="home:U1",
                   asked_at=asked_at)


def state_of(sessions, item_id: int) -> str:
    with sessions() as session:
        return session.get(ClaimedWork, item_id).state


def test_a_newer_home_for_the_same_person_supersedes_the_one_still_waiting(sessions):
    with sessions.begin() as session:
        first, second = home(session, 7), home(session, 30)
        other = enqueue(session, "slack.publish_home", {"user": "U2", "days": 7}, team_id="T0ONE0001", coalesce="home:U2")
    taken = claim_due(sessions, holder="A", lease=LEASE)
    assert sorted(i.id for i in taken) == [second, other], "only what was asked last, for each person"
    with sessions() as session:
        assert session.get(ClaimedWork, first).state == WorkState.SUPERSEDED


def test_a_home_asked_while_another_is_being_published_waits_for_it_then_goes(sessions):
    with sessions.begin() as session:
        first = home(session, 7)
    assert [i.id for i in claim_due(sessions, holder="A", lease=LEASE)] == [first]
    with sessions.begin() as session:
        second = home(session, 30)  # the first is being published: it is not superseded, the second waits
    assert claim_due(sessions, holder="B", lease=LEASE) == [] and claim_one(sessions, second, holder="B",
                                                                           lease=LEASE) is None
    assert complete(sessions, first, "A")
    assert [i.payload["days"] for i in claim_due(sessions, holder="B", lease=LEASE)] == [30]


def test_a_home_put_back_for_its_pace_gives_way_to_a_newer_one(sessions):
    with sessions.begin() as session:
        first = home(session, 7)
    claim_due(sessions, holder="A", lease=LEASE)
    with sessions.begin() as session:
        second = home(session, 30)
    put_back(sessions, first, "A", due_at=utcnow(), count_attempt=False)  # views.publish was paced
    assert [i.id for i in claim_due(sessions, holder="B", lease=LEASE)] == [second]
    with sessions() as session:
        assert session.get(ClaimedWork, first).state == WorkState.SUPERSEDED


def test_a_home_whose_publisher_died_is_taken_over(sessions):
    with sessions.begin() as session:
        first = home(session, 7)
    claim_due(sessions, holder="A", lease=LEASE)
    with sessions.begin() as session:  # A was killed mid-publish; its lease runs out
        session.execute(update(ClaimedWork).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert [i.id for i in claim_due(sessions, holder="B", lease=LEASE)] == [first], "taken over"


CLICKED = utcnow()
SECOND = timedelta(seconds=1)


def test_a_click_whose_request_queued_after_a_later_click_is_superseded_by_it(sessions):
    """Two picks' lazy steps ran in the other order: what goes out is the pick made last."""
    with sessions.begin() as session:
        later = home(session, 30, asked_at=CLICKED)
        earlier = home(session, 7, asked_at=CLICKED - SECOND)
    assert [i.id for i in claim_due(sessions, holder="A", lease=LEASE)] == [later]
    assert state_of(sessions, earlier) == WorkState.SUPERSEDED


def test_a_click_queued_after_a_later_one_went_out_is_never_sent(sessions):
    with sessions.begin() as session:
        later = home(session, 30, asked_at=CLICKED)
    assert [i.id for i in claim_due(sessions, holder="A", lease=LEASE)] == [later]
    assert complete(sessions, later, "A")
    with sessions.begin() as session:
        earlier = home(session, 7, asked_at=CLICKED - SECOND)
    assert claim_one(sessions, earlier, holder="B", lease=LEASE) is None
    assert claim_due(sessions, holder="B", lease=LEASE) == []
    assert state_of(sessions, earlier) == WorkState.SUPERSEDED


def test_two_clicks_queued_at_once_unseen_by_each_other_still_send_only_the_later(sessions):
    """On PostgreSQL two requests' transactions can each commit without seeing the other's row: nothing
    superseded either at queueing. The claims tell them apart, and the runner clears the earlier one."""
    with sessions.begin() as session:
        later = home(session, 30, asked_at=CLICKED)
        session.add(ClaimedWork(kind="slack.publish_home", team_id="T0ONE0001", payload={"user": "U1", "days": 7},
                                coalesce_key="home:U1",
                                state=WorkState.QUEUED, due_at=utcnow(), created_at=CLICKED - SECOND))
        session.flush()
        earlier = session.scalar(select(func.max(ClaimedWork.id)))
    assert claim_one(sessions, earlier, holder="A", lease=LEASE) is None, "the request's own try"
    assert [i.id for i in claim_due(sessions, holder="B", lease=LEASE)] == [later]
    assert state_of(sessions, earlier) == WorkState.SUPERSEDED


def test_an_earlier_click_whose_publisher_died_is_not_taken_over_after_a_later_one(sessions):
    with sessions.begin() as session:
        earlier = home(session, 7, asked_at=CLICKED - SECOND)
    claim_due(sessions, holder="A", lease=LEASE)
    with sessions.begin() as session:
        later = home(session, 30, asked_at=CLICKED)
        session.execute(update(ClaimedWork).where(ClaimedWork.id == earlier)  # A died mid-publish
                        .values(lease_until=utcnow() - timedelta(seconds=1)))
    assert [i.id for i in claim_due(sessions, holder="B", lease=LEASE)] == [later]
    assert state_of(sessions, earlier) == WorkState.SUPERSEDED

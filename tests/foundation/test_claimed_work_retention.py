"""Claimed work's retention: finished rows go after CLAIMED_WORK_KEEP_DAYS, in batches; waiting and held rows never."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text, update

from bot.jobs.scheduled import FORGET_WORK_JOB, forget_finished_work, plan_retention_jobs
from swarms.db import utcnow
from swarms.jobs.claimed_work import (
    ClaimedWork,
    WorkState,
    claim_due,
    complete,
    enqueue,
    forget_finished,
)
from swarms.jobs.scheduling import make_scheduler
from swarms.settings import Settings

LEASE = timedelta(seconds=30)
TEAM = "T0ONE0001"


def _row(sessions, state: WorkState, *, finished_days_ago: float | None, key: str | None = None) -> int:
    with sessions.begin() as session:
        item_id = enqueue(session, "slack.post", {"channel": "C1", "text": state}, team_id=TEAM, key=key)
        done_at = utcnow() - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
        session.execute(update(ClaimedWork).where(ClaimedWork.id == item_id).values(
            state=state, done_at=done_at, lease_until=utcnow() - timedelta(days=30)
            if state == WorkState.CLAIMED else None, created_at=utcnow() - timedelta(days=30)))
    return item_id


def _states(sessions) -> dict[int, str]:
    with sessions() as session:
        return dict(session.execute(select(ClaimedWork.id, ClaimedWork.state)).all())


def test_finished_rows_older_than_the_retention_are_deleted_and_waiting_or_held_rows_never(sessions):
    old_done = _row(sessions, WorkState.DONE, finished_days_ago=8)
    old_failed = _row(sessions, WorkState.FAILED, finished_days_ago=30)
    old_superseded = _row(sessions, WorkState.SUPERSEDED, finished_days_ago=8)
    recent_done = _row(sessions, WorkState.DONE, finished_days_ago=6)
    # Queued and claimed rows a month old (even with a stray done_at): still to go, or going.
    waiting = _row(sessions, WorkState.QUEUED, finished_days_ago=30)
    held = _row(sessions, WorkState.CLAIMED, finished_days_ago=30)

    deleted = forget_finished(sessions, before=utcnow() - timedelta(days=7))

    assert deleted == 3
    assert _states(sessions) == {recent_done: "done", waiting: "queued", held: "claimed"}
    assert {old_done, old_failed, old_superseded}.isdisjoint(_states(sessions))


def test_the_retention_deletes_in_bounded_batches_and_leaves_the_rest_for_its_next_run(sessions):
    for _ in range(25):
        _row(sessions, WorkState.DONE, finished_days_ago=10)

    assert forget_finished(sessions, before=utcnow() - timedelta(days=7), batch=10, max_batches=2) == 20
    assert len(_states(sessions)) == 5
    assert forget_finished(sessions, before=utcnow() - timedelta(days=7), batch=10, max_batches=2) == 5
    assert _states(sessions) == {}


def test_work_queued_claimed_and_completed_today_is_kept(sessions):
    with sessions.begin() as session:
        item_id = enqueue(session, "slack.post", {"channel": "C1", "text": "hi"}, team_id=TEAM)
    assert [item.id for item in claim_due(sessions, holder="A", lease=LEASE)] == [item_id]
    assert complete(sessions, item_id, "A")

    assert forget_finished(sessions, before=utcnow() - timedelta(days=1)) == 0
    assert _states(sessions) == {item_id: "done"}


def test_the_job_keeps_finished_work_as_many_days_as_the_setting_says(sessions):
    nine_days = _row(sessions, WorkState.DONE, finished_days_ago=9)
    four_days = _row(sessions, WorkState.DONE, finished_days_ago=4)
    settings = Settings.from_env({"CLAIMED_WORK_KEEP_DAYS": "5"}, dotenv=False, needs_slack=False)
    services = SimpleNamespace(sessions=sessions, settings=settings)

    forget_finished_work(services)

    assert _states(sessions) == {four_days: "done"} and nine_days not in _states(sessions)
    assert Settings.from_env({}, dotenv=False, needs_slack=False).replicas.claimed_work_keep_days == 7


def test_the_leader_plans_the_retention_once_an_hour(sessions):
    scheduler = make_scheduler(sessions.kw["bind"])
    try:
        plan_retention_jobs(SimpleNamespace(sessions=sessions), scheduler)
        plan_retention_jobs(SimpleNamespace(sessions=sessions), scheduler)  # a second lead: one job still
        assert [job.id for job in scheduler.get_jobs()].count(FORGET_WORK_JOB) == 1
        assert str(scheduler.get_job(FORGET_WORK_JOB).trigger) == "interval[1:00:00]"
    finally:
        scheduler.shutdown(wait=False)


def _plan(session, query: str) -> str:
    """The database's plan for `query`, as text (PostgreSQL told to avoid a scan where an index serves)."""
    if session.get_bind().dialect.name == "sqlite":
        return " ".join(str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {query}")))
    session.execute(text("SET LOCAL enable_seqscan = off"))
    return " ".join(row[0] for row in session.execute(text(f"EXPLAIN {query}")))


@pytest.mark.parametrize(("index", "where"), [
    ("ix_claimed_work_done_at", "done_at < '2026-01-01'"),
    ("ix_claimed_work_coalesce_key_created_at", "coalesce_key = 'home:U1' AND created_at > '2026-01-01'"),
])
def test_the_retention_and_a_clicks_check_against_earlier_rows_read_by_index(sessions, index, where):
    with sessions.begin() as session:
        plan = _plan(session, f"SELECT count(*) FROM claimed_work WHERE {where}")
    assert index in plan, plan

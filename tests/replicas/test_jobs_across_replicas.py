"""Given several replicas sharing one job store, the scheduler survives their races and one of them leads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from swarms.db import utcnow
from swarms.jobs.leadership import SCHEDULER_LEASE, Leadership, SchedulerLease, current_holder
from swarms.jobs.scheduling import make_scheduler, plan_recurring, schedule_once
from tests.fakes import wait_until

RUNS: list[str] = []
_runs_lock = threading.Lock()


def record_run(name: str) -> None:
    with _runs_lock:
        RUNS.append(name)


def weekly_run() -> None:
    record_run("weekly")


def test_one_off_jobs_raced_by_three_schedulers_kill_none_of_them(engine):
    """APScheduler alone: the losers of each race hit JobLookupError and their scheduler thread died."""
    RUNS.clear()
    schedulers = [make_scheduler(engine) for _ in range(3)]
    try:
        due = utcnow() + timedelta(seconds=0.5)
        for n in range(6):
            schedule_once(schedulers[0], f"race-{n}", f"{__name__}:record_run", due, f"race-{n}")
        for scheduler in schedulers:
            scheduler.wakeup()
        assert wait_until(lambda: len(set(RUNS)) == 6, timeout=15), f"ran {sorted(set(RUNS))}"
        assert wait_until(lambda: not schedulers[0].get_jobs(), timeout=5)
        assert [s.alive() for s in schedulers] == [True, True, True]
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=False)


def test_a_new_leader_planning_the_recurring_jobs_keeps_a_run_that_fell_due_meanwhile(engine):
    """The weekly digest fell due while the leader was dying: the next leader plans every recurring job
    at takeover, which must not move that run to next week (it replaced the stored job before)."""
    scheduler = make_scheduler(engine, start=False)
    scheduler.start(paused=True)
    try:
        plan_recurring(scheduler, "digest", f"{__name__}:weekly_run", "cron", day_of_week="mon", hour=8)
        due = utcnow() - timedelta(seconds=30)
        scheduler.modify_job("digest", next_run_time=due)

        plan_recurring(scheduler, "digest", f"{__name__}:weekly_run", "cron", day_of_week="mon", hour=8)
        assert scheduler.get_job("digest").next_run_time == due, "still due: the new leader runs it"
        plan_recurring(scheduler, "digest", f"{__name__}:weekly_run", "cron", day_of_week="tue", hour=8)
        assert scheduler.get_job("digest").next_run_time > utcnow(), "planned differently: replaced"
    finally:
        scheduler.shutdown(wait=False)


def test_when_the_leader_dies_another_replica_takes_the_lease_over_once_it_ran_out(sessions):
    """Given a replica leading, when it dies without a word (kill -9) and another one starts competing,
    then that one takes the lease over, not before the dead one's lease ran out, and the dead one would run
    nothing. (How soon after: the replica drill's failover figure; the machine's load decides it here.)"""
    leads: list[str] = []
    first = Leadership(sessions, ttl=1.0, on_lead=lambda: leads.append("first"), on_follow=lambda: None)
    second = Leadership(sessions, ttl=1.0, on_lead=lambda: leads.append("second"), on_follow=lambda: None)
    first.start()  # its first round is done when start returns: nobody held the lease, so it leads
    try:
        assert first.role == "leader"
        first.stop(hand_over=False)  # as kill -9: nobody gives the lease back
        with sessions() as session:
            dead_holder, ran_out_at = current_holder(session)
        second.start()
        assert wait_until(lambda: second.is_leader, timeout=10)
        with sessions() as session:
            taken = session.get_one(SchedulerLease, SCHEDULER_LEASE)
        assert (dead_holder, taken.holder) == (first.holder, second.holder)
        assert taken.acquired_at >= ran_out_at, "taken over only once the dead one's lease ran out"
        assert not first.holds_lease() and first.role == "follower", "it would run nothing, and does not say leader"
        assert leads == ["first", "second"]
    finally:
        first.stop()
        second.stop()


def test_a_clean_stop_hands_the_lease_over_at_once(sessions):
    first = Leadership(sessions, ttl=30.0, on_lead=lambda: None, on_follow=lambda: None)
    second = Leadership(sessions, ttl=30.0, on_lead=lambda: None, on_follow=lambda: None)
    first.start()
    second.start()
    try:
        first.stop()
        second.round()
        assert second.is_leader, "no waiting 30 s for the lease to expire"
    finally:
        second.stop()


def test_three_replicas_claiming_one_due_archive_get_it_once(sessions):
    from swarms.jobs.claimed_work import claim_due, enqueue

    with sessions.begin() as session:
        enqueue(session, "knowledge.archive_channel", {"swarm_id": 1}, team_id="T0ONE0001", key="archive_swarm:1:20260101T000000",
                due_at=utcnow() - timedelta(minutes=1))
    start = threading.Barrier(3, timeout=10)

    def claim(replica: int) -> bool:
        start.wait()
        return bool(claim_due(sessions, holder=f"replica-{replica}", lease=timedelta(seconds=30)))

    with ThreadPoolExecutor(3) as pool:
        assert sorted(pool.map(claim, range(3))) == [False, False, True]


def test_a_failing_job_is_logged_and_counted_and_its_error_goes_no_further(caplog):
    from swarms.jobs.scheduling import job_run
    from swarms.metrics import JOB_FAILURES, JOB_RUNS

    runs, failures = JOB_RUNS.labels("drill-job")._value.get(), JOB_FAILURES.labels("drill-job")._value.get()
    with job_run("drill-job"):
        raise ConnectionError("the case system hung up")
    assert JOB_RUNS.labels("drill-job")._value.get() == runs + 1
    assert JOB_FAILURES.labels("drill-job")._value.get() == failures + 1
    assert "job drill-job failed" in caplog.text and "the case system hung up" in caplog.text

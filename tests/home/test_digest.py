"""The weekly digest: last week's figures, sent once even when several replicas run the job."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from bot.jobs.scheduled import DIGEST_JOB, ROLLUP_JOB, plan_home_jobs
from swarms.db import make_session_factory
from swarms.jobs.scheduling import make_scheduler
from swarms.stats.digest import last_week, run_weekly_digest
from tests.home.conftest import NOW, TEAM, World, ago


def seed(sessions) -> None:
    with sessions.begin() as session:
        world = World(session)
        world.person("UKIM", "Kim", tz="Asia/Seoul")
        last = world.swarm(opened=ago(days=6))  # Thursday of last week
        world.member(last, "UKIM", invited=ago(days=6), joined=ago(days=6))
        world.note(last, "UKIM", ago(days=5))
        world.swarm(opened=ago(days=1))  # this week: not in last week's digest


def test_last_week_is_the_iso_week_before_now():
    week, as_of = last_week(NOW)
    assert week == "2026-W10"
    assert as_of == NOW.replace(day=9, hour=0) - timedelta(microseconds=1)


def test_two_replicas_send_the_digest_once(engine):
    seed(make_session_factory(engine))
    replicas = [make_session_factory(engine), make_session_factory(engine)]
    sent: list[tuple[str, str, int, list[str]]] = []

    def send(user_id, digest):
        sent.append((user_id, digest.week, digest.figures.swarms_opened, [p.user_id for p in digest.top]))

    counts = [run_weekly_digest(sessions, TEAM, ["UMGR1", "UMGR2", "UMGR1"], send, now=NOW) for sessions in replicas]
    assert sorted(counts) == [0, 2]
    assert sent == [("UMGR1", "2026-W10", 1, ["UKIM", "UOWNER"]), ("UMGR2", "2026-W10", 1, ["UKIM", "UOWNER"])]
    assert run_weekly_digest(replicas[0], TEAM, ["UMGR1"], send, now=NOW + timedelta(days=7)) == 1  # next week is new


def test_one_failing_recipient_does_not_cost_the_others_their_digest(sessions):
    got = []

    def send(user_id, digest):
        if user_id == "UBROKEN":
            raise RuntimeError("channel_not_found")
        got.append(user_id)

    assert run_weekly_digest(sessions, TEAM, ["UBROKEN", "UOK"], send, now=NOW) == 1
    assert got == ["UOK"]


def test_the_jobs_are_registered_once_with_one_scheduler(sessions):
    services = SimpleNamespace(sessions=sessions)
    scheduler = make_scheduler(sessions.kw["bind"])
    try:
        plan_home_jobs(services, scheduler)
        plan_home_jobs(services, scheduler)  # a second lead in the same process: the jobs are replaced
        assert {job.id for job in scheduler.get_jobs()} >= {DIGEST_JOB, ROLLUP_JOB}
        assert [job.id for job in scheduler.get_jobs()].count(DIGEST_JOB) == 1
        trigger = str(scheduler.get_job(DIGEST_JOB).trigger)
        assert "day_of_week='mon'" in trigger and "hour='8'" in trigger
    finally:
        scheduler.shutdown(wait=False)

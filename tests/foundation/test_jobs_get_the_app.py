"""Jobs reach the running app through their argument, never a global: a scheduler made with a context calls
every stored job with it first, and the job store never holds it."""

from __future__ import annotations

import pickle
import threading
from datetime import timedelta

from sqlalchemy import text

from swarms.db import utcnow
from swarms.jobs.scheduling import context_job, is_planned, make_scheduler, schedule_once
from tests.fakes import wait_until

CALLS: list[tuple[object, int]] = []
_calls_lock = threading.Lock()


class App:
    """What a job needs of the running app; it cannot be pickled, as the real services cannot."""

    def __init__(self) -> None:
        self.lock = threading.Lock()


@context_job
def remember(app: App, swarm_id: int) -> None:
    with _calls_lock:
        CALLS.append((app, swarm_id))


def test_a_stored_job_is_called_with_the_app_first_and_the_store_keeps_only_its_ids(engine):
    CALLS.clear()
    app = App()
    scheduler = make_scheduler(engine, paused=True, context=app)
    try:
        schedule_once(scheduler, "remember:7", f"{__name__}:remember", utcnow() + timedelta(seconds=0.3), 7)
        with engine.connect() as connection:
            state = pickle.loads(connection.execute(text("SELECT job_state FROM apscheduler_jobs")).scalar_one())
        assert state["args"] == (7,), "only the ids are stored"
        scheduler.resume()
        assert wait_until(lambda: CALLS, timeout=10)
        assert [(app, 7)] == CALLS
    finally:
        scheduler.shutdown(wait=False)


def test_a_job_stored_under_a_function_an_upgrade_renamed_counts_as_not_planned(engine):
    scheduler = make_scheduler(engine, paused=True)
    try:
        schedule_once(scheduler, "renamed:1", f"{__name__}:remember", utcnow() + timedelta(hours=1), 1)
        assert is_planned(scheduler, "renamed:1")
        with engine.begin() as connection:  # as a release that moved the job's module would find it
            row = pickle.loads(connection.execute(text("SELECT job_state FROM apscheduler_jobs")).scalar_one())
            row["func"] = "swarms.gone_module:remember"
            connection.execute(text("UPDATE apscheduler_jobs SET job_state = :state"), {"state": pickle.dumps(row)})
        assert not is_planned(scheduler, "renamed:1")
        schedule_once(scheduler, "renamed:1", f"{__name__}:remember", utcnow() + timedelta(hours=1), 1)
        assert is_planned(scheduler, "renamed:1"), "planning it again replaces the stale row"
    finally:
        scheduler.shutdown(wait=False)

"""Scheduled and delayed jobs: APScheduler with its jobs in the app's database, so they survive a restart.

Jobs are module-level functions named by a stable id; they take ids, never ORM objects. A scheduler made
with a `context` (the app makes it with its services) calls each job with that context first, so a job
reaches what it needs through its argument, never through a global. Each runs inside `job_run(name)`,
which logs and counts a failure instead of letting it out.

With several replicas on one database every process starts a `SafeScheduler` *paused*: it can plan jobs
(they go to the shared job store) but only the process holding the scheduler lease (`swarms.jobs.leadership`)
resumes it and runs them. The scheduler's own loop survives anything a pass raises (another process
removed a job it was about to update, the database went away), and wakes at least every `max_wait`
seconds so jobs planned by other replicas are seen. A job that acts outside (archive, escalation)
still claims its step with a conditional UPDATE first; `claim_run` does that for a whole run (the digest).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from swarms.db import Base, UTCDateTime, hold_migration_lock, utcnow
from swarms.metrics import JOB_FAILURES, JOB_RUNS, JOB_SECONDS
from swarms.upsert import insert_or_skip

log = logging.getLogger(__name__)
JOBS_TABLE = "apscheduler_jobs"
JobFunction = TypeVar("JobFunction", bound=Callable[..., Any])
RECURRING = {"cron": CronTrigger, "interval": IntervalTrigger}


class JobRun(Base):
    """A job run claimed by one replica: (job, key) is unique, so a second claim fails."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "run_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    run_key: Mapped[str] = mapped_column(String(120))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def claim_run(session: Session, job: str, run_key: str) -> bool:
    """True for the one caller that gets to do this run; commit the session to make the claim stick."""
    claimed = insert_or_skip(session, JobRun.__table__, {"job": job, "run_key": run_key, "claimed_at": utcnow()})
    return claimed is not None


@contextlib.contextmanager
def job_run(job: str) -> Iterator[None]:
    """Count, time and contain one run: a failure is logged and counted, and the next run tries again."""
    JOB_RUNS.labels(job).inc()
    started = time.perf_counter()
    try:
        yield
    except Exception:
        JOB_FAILURES.labels(job).inc()
        log.exception("job %s failed; it runs again at its next time", job)
    finally:
        JOB_SECONDS.labels(job).observe(time.perf_counter() - started)


class SafeScheduler(BackgroundScheduler):
    """APScheduler whose main loop cannot die and which runs jobs only while `may_run()` says so.

    APScheduler 3 lets an exception from a pass (JobLookupError when another replica removed a one-off
    job first; a dropped database connection) end its thread silently: no job would run again.
    """

    def __init__(self, *args: Any, may_run: Callable[[], bool] = lambda: True, max_wait: float = 10.0,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.may_run = may_run
        self.max_wait = max_wait
        self.passes_failed = 0

    def _process_jobs(self):  # type: ignore[override]
        if not self.may_run():
            return self.max_wait
        try:
            wait = super()._process_jobs()
        except Exception:
            self.passes_failed += 1
            log.exception("scheduler pass failed; trying again in %ss", self.max_wait)
            return self.max_wait
        return self.max_wait if wait is None else min(wait, self.max_wait)

    def alive(self) -> bool:
        thread = getattr(self, "_thread", None)
        return self.running and thread is not None and thread.is_alive()


class _JobInContext:
    """A stored job as the executor runs it: its function called with the context first. The job itself
    (pickled back into the store after each run) never holds the context."""

    def __init__(self, job: Any, context: object) -> None:
        self._job = job
        self.func = functools.partial(job.func, context)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


def context_job(func: JobFunction) -> JobFunction:
    """Mark a job whose first parameter is the scheduler's context: it is planned with the other arguments
    only (APScheduler checks the planned arguments against the signature it sees), and called with all."""
    sig = inspect.signature(func)
    func.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])  # type: ignore[attr-defined]
    return func


class ContextExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, calling every job with `context` as its first argument."""

    def __init__(self, context: object, max_workers: int = 10) -> None:
        super().__init__(max_workers)
        self.context = context

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        super()._do_submit_job(_JobInContext(job, self.context), run_times)


def make_scheduler(engine: Engine, *, start: bool = True, paused: bool = False,
                   may_run: Callable[[], bool] = lambda: True, context: object | None = None) -> SafeScheduler:
    """A background scheduler whose jobs live in the app's database (table apscheduler_jobs); with a
    `context`, every job is called with it first."""
    store = SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)
    _create_job_table(engine, store)
    executors = {"default": ContextExecutor(context)} if context is not None else {}
    scheduler = SafeScheduler(
        jobstores={"default": store},
        executors=executors,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="UTC",
        may_run=may_run,
    )
    if start:
        scheduler.start(paused=paused)
    return scheduler


def _create_job_table(engine: Engine, store: SQLAlchemyJobStore) -> None:
    """APScheduler creates its table at start by check-then-create, which replicas starting together race
    on (UniqueViolation on pg_type): create it first under the migration lock, so its own check finds it."""
    with engine.begin() as connection:
        hold_migration_lock(connection)
        store.jobs_t.create(connection, checkfirst=True)


def schedule_once(scheduler: BackgroundScheduler, job_id: str, func: str, run_at: datetime, *args: Any) -> None:
    """Run `func` ("module:function") once at `run_at`; the same id replaces an earlier plan."""
    scheduler.add_job(func, "date", run_date=run_at, args=list(args), id=job_id, replace_existing=True)


def plan_recurring(scheduler: BackgroundScheduler, job_id: str, func: str, kind: str, **when: Any) -> None:
    """Plan a recurring job ("cron" or "interval" with APScheduler's fields, in UTC), keeping the stored one,
    and so its next run, when it is planned as before: each new leader plans every recurring job at takeover,
    and replacing it would move a run that fell due while nobody led (Monday's digest, as the leader died)
    to the next period."""
    trigger = RECURRING[kind](timezone=UTC, **when)
    try:
        stored = scheduler.get_job(job_id)
    except LookupError:  # stored under a function an upgrade renamed: replaced below
        stored = None
    if stored is not None and stored.func_ref == func and str(stored.trigger) == str(trigger) \
            and not stored.args and not stored.kwargs:
        return
    scheduler.add_job(func, trigger, id=job_id, replace_existing=True)


def is_planned(scheduler: BackgroundScheduler, job_id: str) -> bool:
    """Whether a job is stored under `job_id`; one stored under a function an upgrade renamed counts as not
    planned, so planning it again replaces it."""
    try:
        return scheduler.get_job(job_id) is not None
    except LookupError:  # APScheduler cannot resolve the stored "module:function" any more
        return False


def cancel(scheduler: BackgroundScheduler, job_id: str) -> bool:
    try:
        scheduler.remove_job(job_id)
        return True
    except JobLookupError:  # nothing planned under that id (or another replica ran it meanwhile)
        return False

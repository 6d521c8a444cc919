"""Scheduled and delayed jobs: APScheduler with its jobs in the app's database, so they survive a restart.

Jobs are module-level functions named by a stable id; they take ids, never ORM objects, and reach the
running app's services through `job_services()`, set once at start-up. Where several bot replicas share
the database, `claim_run` lets exactly one replica do a given run (the weekly digest, one archive).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from swarms.db import Base, UTCDateTime, utcnow
from swarms.upsert import insert_or_skip

log = logging.getLogger(__name__)
JOBS_TABLE = "apscheduler_jobs"

_services: Any = None


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


def set_job_services(services: Any) -> None:
    """Give jobs the running app's services (one process runs one app)."""
    global _services
    _services = services


def job_services() -> Any:
    if _services is None:
        raise RuntimeError("jobs ran before the app set their services")
    return _services


def make_scheduler(engine: Engine, *, start: bool = True) -> BackgroundScheduler:
    """A background scheduler whose jobs live in the app's database (table apscheduler_jobs)."""
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="UTC",
    )
    if start:
        scheduler.start()
    return scheduler


def schedule_once(scheduler: BackgroundScheduler, job_id: str, func: str, run_at: datetime, *args: Any) -> None:
    """Run `func` ("module:function") once at `run_at`; the same id replaces an earlier plan."""
    scheduler.add_job(func, "date", run_date=run_at, args=list(args), id=job_id, replace_existing=True)


def cancel(scheduler: BackgroundScheduler, job_id: str) -> bool:
    try:
        scheduler.remove_job(job_id)
        return True
    except Exception:  # JobLookupError: nothing planned under that id
        return False

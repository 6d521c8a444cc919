"""Scheduled jobs of the Slack edge: plain functions by stable name, services from the running app.

Each isolates its own failures (log, then wait for the next run); the work itself is in `swarms/`.
"""

from __future__ import annotations

import logging

from swarms.jobs.scheduling import job_run, job_services
from swarms.note_sync.delivery import deliver_due

log = logging.getLogger(__name__)


def sweep_outbox() -> None:
    """Send rows whose backoff has run out (the worker sends new notes at once by itself)."""
    services = job_services()
    worker = services.extras.get("delivery_worker")
    with job_run("note-sync-sweep"):
        if worker is not None:
            worker.deliver_now()
        else:
            deliver_due(services.sessions, services.cases)


def poll_case_changes() -> None:
    """Status, priority, owner and customer comments from the case system, to the swarm channels."""
    from bot.listeners.note_sync import poll_and_post

    services = job_services()
    with job_run("case-change-poll"):  # a failed poll: the next one looks back far enough to catch up
        poll_and_post(services)


def tune_experts() -> None:
    """Monthly: re-tune the finder's weights on the team's resolved swarms; one replica runs each month."""
    from swarms.db import utcnow
    from swarms.experts.tuning import tune_on_swarms
    from swarms.jobs.scheduling import claim_run

    services = job_services()
    now = utcnow()
    with job_run("experts-tune"):  # a failed tuning: next month tries again
        with services.sessions.begin() as session:
            if not claim_run(session, "experts-tune", now.strftime("%Y-%m")):
                return
        with services.sessions.begin() as session:
            result = tune_on_swarms(session, services.settings.experts, now=now, trigger="monthly")
        log.info("monthly expert tuning: %s (%d resolved swarms, version %d in use)", result.status,
                 result.resolved_swarms, result.version)

"""What runs beside the listeners: the persistent scheduler, the outbox worker and the feature jobs.

`start_background` is called once per process by `case-swarm serve`, the demo and the end-to-end
tests; it puts the scheduler under `services.extras["scheduler"]` and the worker under
`services.extras["delivery_worker"]`, then runs each feature's `on_start` hook. Jobs are plain
module functions that find the services through `swarms.scheduling.job_services()`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.app import BotApp
from swarms.delivery_worker import DeliveryWorker
from swarms.scheduling import make_scheduler, set_job_services

log = logging.getLogger(__name__)
SWEEP_JOB = "note-sync-sweep"
CASE_POLL_JOB = "case-change-poll"


@dataclass
class Background:
    scheduler: BackgroundScheduler
    worker: DeliveryWorker

    def stop(self) -> None:
        self.worker.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


def start_background(bot: BotApp, *, start_scheduler: bool = True, linger: float = 0.5) -> Background:
    services = bot.services
    engine = services.sessions.kw["bind"]
    scheduler = make_scheduler(engine, start=False)
    services.extras["scheduler"] = scheduler
    set_job_services(services)

    from bot.listeners.sync import announce_parked  # the worker tells the channel about parked notes

    worker = DeliveryWorker(services.sessions, services.cases, linger=linger,
                            lease=timedelta(seconds=services.settings.sync.lease_seconds),
                            on_parked=lambda swarm_id, count, error: announce_parked(services, swarm_id, count, error))
    services.extras["delivery_worker"] = worker
    worker.start()
    if start_scheduler:
        scheduler.start()
    scheduler.add_job("bot.jobs:sweep_outbox", "interval", seconds=services.settings.sync.sweep_seconds, id=SWEEP_JOB,
                      replace_existing=True)
    scheduler.add_job("bot.jobs:poll_case_changes", "interval", seconds=services.settings.sync.case_poll_seconds,
                      id=CASE_POLL_JOB, replace_existing=True)
    for hook in services.extras.get("on_start", []):
        try:
            hook(services)
        except Exception:
            log.exception("a feature's start-up hook failed: %s", getattr(hook, "__qualname__", hook))
    worker.nudge()  # whatever the last run left pending goes out now
    return Background(scheduler, worker)

"""What runs beside the listeners: the persistent scheduler, the outbox worker and the feature jobs.

`start_background` is called once per process by `case-swarm serve` / `case-swarm worker`, the demo
and the end-to-end tests. What a process runs is its `BackgroundRole`:

- `ALL` (the default `serve`): outbox delivery, and a candidate for running the scheduled jobs;
- `WORKER` (`case-swarm worker`): the same, without Slack's HTTP endpoint;
- `WEB` (`serve --web-only`): neither; its scheduler only *plans* jobs into the shared job store.

Of all candidates, the one holding the scheduler lease (`swarms.jobs.leadership`) runs the jobs (bot.jobs.scheduled) and
the features' `on_lead` hooks (queue missing archives, re-plan answer checks, finish interrupted drafts); another
takes over within the lease time when it dies. The `Background` is `services.background`: the app's
scheduler and worker are read from it.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.app import BotApp
from bot.jobs import scheduled as jobs
from bot.services import AppServices
from bot.slack.work_queue import SlackQueue
from swarms.jobs.leadership import Leadership
from swarms.jobs.scheduling import SafeScheduler, make_scheduler
from swarms.metrics import set_scheduler_role
from swarms.note_sync.delivery_worker import DeliveryWorker

log = logging.getLogger(__name__)


class BackgroundRole(enum.StrEnum):
    ALL = "all"
    WORKER = "worker"
    WEB = "web"


@dataclass
class Background:
    role: BackgroundRole
    scheduler: SafeScheduler
    worker: DeliveryWorker | None
    leadership: Leadership | None
    slack_queue: SlackQueue | None = None  # Slack work that can wait, run here (not in a web-only process)

    @property
    def scheduler_role(self) -> str:
        return self.leadership.role if self.leadership is not None else "none"

    def problems(self) -> list[str]:
        """Why this process's background is not healthy, for `/readyz` (empty: all well)."""
        problems = []
        if not self.scheduler.alive():
            problems.append("scheduler thread stopped")
        if self.leadership is not None and not self.leadership.alive():
            problems.append("scheduler lease not renewed (database unreachable?)")
        if self.worker is not None and not self.worker.alive():
            problems.append("delivery worker stopped")
        if self.slack_queue is not None and not self.slack_queue.alive():
            problems.append("Slack queue runner stopped")
        return problems

    def stop(self) -> None:
        if self.slack_queue is not None:
            self.slack_queue.stop()
        if self.leadership is not None:
            self.leadership.stop()
        if self.worker is not None:
            self.worker.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


def start_background(bot: BotApp, *, role: BackgroundRole = BackgroundRole.ALL, linger: float = 0.5) -> Background:
    services = bot.services
    engine = services.sessions.kw["bind"]
    runs_jobs = role != BackgroundRole.WEB
    leadership: Leadership | None = None
    # Every job is called with these services first (bot.jobs.scheduled). A job acting in Slack asks
    # services.slack_queue.access which workspaces it may act in: a lost workspace waits, the others go on.
    scheduler = make_scheduler(engine, start=False, may_run=lambda: leadership is not None and leadership.holds_lease(),
                               context=services)
    worker = _make_worker(services, linger) if runs_jobs else None
    background = Background(role, scheduler, worker, None)
    services.background = background
    scheduler.start()  # plans jobs from the first moment; runs them only while this process leads
    if worker is not None:
        worker.start()
    if runs_jobs:  # Slack work queued by any replica (or left by a restart) carries on here
        services.slack_queue.start()
        background.slack_queue = services.slack_queue
        leadership = Leadership(services.sessions, ttl=services.settings.replicas.scheduler_lease_seconds,
                                on_lead=lambda: _lead(services, scheduler), on_follow=_follow)
        background.leadership = leadership
        _follow()
        leadership.start()
    else:
        set_scheduler_role("none")
    if worker is not None:
        worker.nudge()  # whatever the last run left pending goes out now
    return background


def _make_worker(services: AppServices, linger: float) -> DeliveryWorker:
    from bot.listeners.note_sync import announce_parked  # the worker tells the channel about parked notes

    return DeliveryWorker(services.sessions, services.cases, linger=linger,
                          lease=timedelta(seconds=services.settings.sync.lease_seconds),
                          on_parked=lambda swarm_id, count, error: announce_parked(services, swarm_id, count, error))


def _lead(services: AppServices, scheduler: SafeScheduler) -> None:
    """This process now runs the jobs: make sure the recurring ones exist, let features heal, wake up."""
    set_scheduler_role("leader")
    jobs.plan_sync_jobs(services, scheduler)
    jobs.plan_retention_jobs(services, scheduler)
    for hook in services.hooks.on_lead:
        try:
            hook(services, scheduler)
        except Exception:
            log.exception("a feature's start-up hook failed: %s", getattr(hook, "__qualname__", hook))
    scheduler.wakeup()


def _follow() -> None:
    set_scheduler_role("follower")

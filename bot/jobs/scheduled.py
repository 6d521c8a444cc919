"""Every scheduled job of the app, in one place: the entry points the persistent scheduler calls, and how
each is planned.

The scheduler is made with the app's services as its context (bot.jobs.background), so each entry point gets
them as its first argument, then the ids it was planned with; it calls domain functions with the ports
they need. Each isolates its own failures (logged and counted, then the next run); a one-off job that fails
plans its own retry, or it would never run again. Job ids are stable: a restart finds them in the store.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from swarms import db  # the clock read at each call: tests set it
from swarms.experts.invites import ESCALATION_RETRY, escalate, escalation_job_id, team_of_outcome
from swarms.install.workspaces import team_of_swarm
from swarms.jobs.claimed_work import forget_finished
from swarms.jobs.scheduling import (
    SafeScheduler,
    cancel,
    claim_run,
    context_job,
    is_planned,
    job_run,
    plan_recurring,
    schedule_once,
)
from swarms.knowledge.flows import DRAFT_RETRY, poll_reopened
from swarms.note_sync.delivery import deliver_due

if TYPE_CHECKING:
    from bot.services import AppServices

log = logging.getLogger(__name__)
SWEEP_JOB = "note-sync-sweep"
CASE_POLL_JOB = "case-change-poll"
REFRESH_JOB = "experts-refresh"
TUNE_JOB = "experts-tune"
REOPEN_POLL_JOB = "knowledge-reopen-poll"
DIGEST_JOB = "weekly_digest"
ROLLUP_JOB = "home_note_rollup"
FORGET_WORK_JOB = "claimed-work-retention"
ACCESS_RECHECK = timedelta(minutes=10)  # a job of a workspace the app lost looks again this much later


def _ref(name: str) -> str:
    """How the job store names an entry point of this module."""
    return f"{__name__}:{name}"


def draft_job_id(swarm_id: int) -> str:
    return f"knowledge-draft:{swarm_id}"


# ---------------------------------------------------------------- note sync


@context_job
def sweep_outbox(services: AppServices) -> None:
    """Send rows whose backoff has run out (the worker sends new notes at once by itself)."""
    with job_run("note-sync-sweep"):
        if services.worker is not None:
            services.worker.deliver_now()
        else:
            deliver_due(services.sessions, services.cases)


@context_job
def poll_case_changes(services: AppServices) -> None:
    """Status, priority, owner and customer comments from the case system, to the swarm channels."""
    from bot.listeners.note_sync import poll_and_post  # the posting belongs to the note-sync listeners

    with job_run("case-change-poll"):  # a failed poll: the next one looks back far enough to catch up
        poll_and_post(services)


def plan_sync_jobs(services: AppServices, scheduler: SafeScheduler) -> None:
    plan_recurring(scheduler, SWEEP_JOB, _ref("sweep_outbox"), "interval", seconds=services.settings.sync.sweep_seconds)
    plan_recurring(scheduler, CASE_POLL_JOB, _ref("poll_case_changes"), "interval",
                   seconds=services.settings.sync.case_poll_seconds)


# ---------------------------------------------------------------- the queue's finished work


@context_job
def forget_finished_work(services: AppServices) -> None:
    """Finished queued work older than CLAIMED_WORK_KEEP_DAYS is deleted: the queue (and each click's check
    against the person's earlier rows) would otherwise grow for ever."""
    keep = timedelta(days=services.settings.replicas.claimed_work_keep_days)
    with job_run("claimed-work-retention"):
        deleted = forget_finished(services.sessions, before=db.utcnow() - keep)
        if deleted:
            log.info("deleted %d finished pieces of queued work older than %s", deleted, keep)


def plan_retention_jobs(services: AppServices, scheduler: SafeScheduler) -> None:
    plan_recurring(scheduler, FORGET_WORK_JOB, _ref("forget_finished_work"), "interval", hours=1)


# ---------------------------------------------------------------- experts


def _waits_for_access(services: AppServices, team_id: str | None) -> bool:
    """The work's workspace is one the app lost (uninstalled, token revoked): it waits for a reinstall."""
    return team_id is not None and not services.slack_queue.access.open_for(team_id)


@context_job
def check_expert_answer(services: AppServices, outcome_id: int) -> None:
    """An invitation's answer is due: escalate to the next expert unless the person joined or wrote."""
    with job_run("expert-answer-check"):
        with services.sessions() as session:
            team_id = team_of_outcome(session, outcome_id)
        if _waits_for_access(services, team_id):
            plan_answer_check(services.scheduler, outcome_id, db.utcnow() + ACCESS_RECHECK)
            return
        try:
            escalate(services.sessions, services.experts, outcome_id, now=db.utcnow(),
                     settings=services.settings.experts)
        except Exception:
            plan_answer_check(services.scheduler, outcome_id, db.utcnow() + ESCALATION_RETRY)
            raise


def plan_answer_check(scheduler: SafeScheduler | None, outcome_id: int, run_at: datetime, *,
                      unless_planned: bool = False) -> None:
    """Nothing to plan in before the scheduler exists: on_lead plans every pending check from the database."""
    if scheduler is None or (unless_planned and is_planned(scheduler, escalation_job_id(outcome_id))):
        return
    schedule_once(scheduler, escalation_job_id(outcome_id), _ref("check_expert_answer"), run_at, outcome_id)


def cancel_answer_check(scheduler: SafeScheduler | None, outcome_id: int) -> None:
    if scheduler is not None:
        cancel(scheduler, escalation_job_id(outcome_id))


@context_job
def refresh_expert_directory(services: AppServices) -> None:
    """Each workspace's directory re-read from its Slack; closed swarms' outcomes settled as contributed or
    credited."""
    from bot.experts.gateway import SlackProfileReader
    from swarms.experts.directory import directory_teams, refresh_directory
    from swarms.experts.finder import settle_outcomes

    now = db.utcnow()
    with job_run("expert-directory-refresh"):
        with services.sessions() as session:
            teams = directory_teams(session)
        failed = []
        for team_id in teams:
            if _waits_for_access(services, team_id):  # refreshed after a reinstall; the others go on
                continue
            try:  # one workspace failing as a whole (its Slack unreachable) leaves the others refreshed
                refresh_directory(services.sessions, SlackProfileReader(services.slack_for(team_id)),
                                  services.settings.experts, team_id=team_id, now=now)
            except Exception:
                log.exception("refreshing the expert directory of workspace %s failed", team_id)
                failed.append(team_id)
        with services.sessions.begin() as session:
            settle_outcomes(session, since=now - timedelta(days=30))
        _count_failures("expert directory refresh", failed)


@context_job
def tune_experts(services: AppServices) -> None:
    """Monthly: re-tune each workspace's finder weights on its resolved swarms; one replica runs each month's."""
    from swarms.experts.directory import directory_teams
    from swarms.experts.tuning import tune_on_swarms

    now = db.utcnow()
    with job_run("experts-tune"):  # a failed tuning: next month tries again
        with services.sessions() as session:
            teams = directory_teams(session)
        failed = []
        for team_id in teams:
            with services.sessions.begin() as session:
                if not claim_run(session, "experts-tune", f"{now:%Y-%m}:{team_id}"):
                    continue
            try:
                with services.sessions.begin() as session:
                    result = tune_on_swarms(session, team_id, services.settings.experts, now=now, trigger="monthly")
            except Exception:
                log.exception("monthly expert tuning of workspace %s failed", team_id)
                failed.append(team_id)
                continue
            log.info("monthly expert tuning of workspace %s: %s (%d resolved swarms, version %d in use)", team_id,
                     result.status, result.resolved_swarms, result.version)
        _count_failures("monthly expert tuning", failed)


class WorkspacesFailed(Exception):
    """Some workspaces' part of a job failed (each logged with its cause): the run counts as failed."""


def _count_failures(job: str, failed: list[str]) -> None:
    if failed:
        raise WorkspacesFailed(f"{job} failed for workspace(s) {', '.join(failed)}")


def plan_expert_jobs(services: AppServices, scheduler: SafeScheduler) -> None:
    """The directory refresh (EXPERTS_REFRESH_HOURS) and the monthly tuning (EXPERTS_TUNE_SCHEDULE)."""
    settings = services.settings.experts
    if settings.refresh_hours:
        plan_recurring(scheduler, REFRESH_JOB, _ref("refresh_expert_directory"), "interval",
                       hours=settings.refresh_hours)
    if settings.tune_schedule == "monthly":
        plan_recurring(scheduler, TUNE_JOB, _ref("tune_experts"), "cron", day=1, hour=3)
    elif scheduler.get_job(TUNE_JOB) is not None:
        scheduler.remove_job(TUNE_JOB)


# ---------------------------------------------------------------- closing and the knowledge draft


@context_job
def draft_article(services: AppServices, swarm_id: int) -> None:
    """The knowledge draft of a closed swarm, tried again after the case system could not be read."""
    from bot.knowledge.gateway import draft_now  # the flow with this app's exporter

    with job_run("knowledge-draft"):
        with services.sessions() as session:
            team_id = team_of_swarm(session, swarm_id)
        if _waits_for_access(services, team_id):
            plan_draft(services.scheduler, swarm_id, db.utcnow() + ACCESS_RECHECK)
            return
        try:
            draft_now(services, swarm_id)
        except Exception:
            plan_draft(services.scheduler, swarm_id, db.utcnow() + DRAFT_RETRY)
            raise


def plan_draft(scheduler: SafeScheduler | None, swarm_id: int, run_at: datetime) -> None:
    if scheduler is not None:
        schedule_once(scheduler, draft_job_id(swarm_id), _ref("draft_article"), run_at, swarm_id)


@context_job
def poll_reopened_cases(services: AppServices) -> None:
    """Closed swarms whose case the case system reopened get their channel back."""
    with job_run("knowledge-reopen-poll"):
        poll_reopened(services.sessions, services.cases, services.knowledge)


def plan_reopen_poll(services: AppServices, scheduler: SafeScheduler) -> None:
    plan_recurring(scheduler, REOPEN_POLL_JOB, _ref("poll_reopened_cases"), "interval",
                   seconds=services.settings.sync.case_poll_seconds)


# ---------------------------------------------------------------- Home


@context_job
def weekly_digest(services: AppServices) -> None:
    """Monday's digest, each workspace's own to its managers, sent once across replicas."""
    from bot.stats.reports import send_team_digest

    with job_run("weekly-digest"):
        failed = []
        for team_id in services.slack_queue.access.active_teams():
            try:  # one workspace's failure must not cost the others their digest
                send_team_digest(services, team_id)
            except Exception:
                log.exception("weekly digest of workspace %s failed", team_id)
                failed.append(team_id)
        _count_failures("weekly digest", failed)


@context_job
def note_rollup(services: AppServices) -> None:
    """Notes per person and day, for the Home's figures without a scan of every note."""
    from swarms.stats.contributions import WorkingHours
    from swarms.stats.rollup import refresh_note_days

    with job_run("note-rollup"), services.sessions.begin() as session:
        refresh_note_days(session, now=db.utcnow(), hours=WorkingHours())


def plan_home_jobs(services: AppServices, scheduler: SafeScheduler) -> None:
    """The weekly digest (Monday 08:00 UTC) and the notes rollup, in the persistent store."""
    plan_recurring(scheduler, DIGEST_JOB, _ref("weekly_digest"), "cron", day_of_week="mon", hour=8)
    plan_recurring(scheduler, ROLLUP_JOB, _ref("note_rollup"), "interval", minutes=10)

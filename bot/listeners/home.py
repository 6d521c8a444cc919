"""The Home tab, the stats export and the weekly digest.

Roles are checked here, on the server, for every request: a select or a Download button can be
forged, so a non-manager's request never computes team figures, whatever its payload says. Every figure
is of the workspace the request came from (the event's or the action's team), never another's.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_bolt import App

from bot.i18n.catalog import t
from bot.jobs import scheduled as jobs
from bot.listeners.commands import CommandContext
from bot.registration import Listeners, team_of
from bot.services import AppServices
from bot.slack.identity import workspace_url
from bot.slack.managers import is_manager
from bot.slack.markup import ts_to_datetime
from bot.stats.reports import export_stats, post_dm
from bot.views.home import DownloadRequest, HomeAction, HomeModel, build_home
from bot.views.roundtrip import action_value
from bot.views.workspace_settings import WorkspaceSettings
from swarms.install.workspaces import swarm_mode_of
from swarms.jobs.claimed_work import WorkItem
from swarms.models import SwarmMode
from swarms.stats.contributions import (
    DEFAULT_PERIOD_DAYS,
    Period,
    StallRule,
    manager_stats,
    my_swarms,
)
from swarms.stats.finder_stats import finder_figures
from swarms.stats.home_open import team_open_swarms

log = logging.getLogger(__name__)
PUBLISH_HOME = "slack.publish_home"
HOME_PRIORITY = 90  # someone is looking at the tab: before openings and posts that can wait


def register(app: App, services: AppServices) -> None:
    """Commands, actions, views and background hooks of this feature."""
    services.subcommands.add("stats", lambda ctx: stats_command(ctx))
    services.hooks.on_lead.append(jobs.plan_home_jobs)
    services.slack_queue.handle(PUBLISH_HOME, lambda item: _publish_home(services, item))

    def on_home_opened(body: dict, event: dict) -> None:
        if event.get("tab", "home") == "home":
            publish_home(services, team_of(body), event["user"], DEFAULT_PERIOD_DAYS,
                         asked_at=slack_time(event.get("event_ts")))

    # Lazy: Slack gets its 200 at once; the stats queries and views.publish run after it, at Slack's pace.
    listeners = Listeners(app, services)
    listeners.event("app_home_opened", lazy=[on_home_opened])

    def on_period(body: dict) -> None:
        try:
            days = Period.parse(action_value(body)).days
        except ValueError:
            log.warning("home period from %s refused: %r", body["user"]["id"], body.get("actions"))
            days = DEFAULT_PERIOD_DAYS
        publish_home(services, team_of(body), body["user"]["id"], days,
                     asked_at=slack_time(((body.get("actions") or [{}])[0]).get("action_ts")))

    def on_download(body: dict) -> None:
        try:
            days = DownloadRequest.loads(action_value(body)).days
        except ValueError:
            days = DEFAULT_PERIOD_DAYS
        user_id, team_id = body["user"]["id"], team_of(body)
        lang = services.people.language_of(team_id, user_id)
        if not is_manager(services, team_id, user_id):
            post_dm(services, team_id, user_id, text=t("home.export.refused", lang))
            return
        export_stats(services, team_id, user_id, days, lang)

    listeners.action(HomeAction.PERIOD, lazy=[on_period])
    listeners.action(HomeAction.DOWNLOAD, lazy=[on_download])


# ---------------------------------------------------------------- roles


# ---------------------------------------------------------------- Home tab


def stall_rule(services: AppServices) -> StallRule:
    home = services.settings.home
    return StallRule(no_expert_after=timedelta(hours=home.no_expert_hours), idle_after=timedelta(hours=home.idle_hours))


def home_model(services: AppServices, team_id: str, user_id: str, days: int) -> HomeModel:
    """Everyone's own part; the team's part, and the select that changes the workspace's settings, only when
    the server says this person is a manager. All of the workspace `team_id`, where the Home is looked at."""
    lang = services.people.language_of(team_id, user_id)
    manager = is_manager(services, team_id, user_id)
    period = Period(days)
    with services.sessions() as session:
        mine = my_swarms(session, team_id, user_id, period)
        team = manager_stats(session, team_id, period, rule=stall_rule(services)) if manager else None
        finder = finder_figures(session, team_id, period) if manager else None
        team_open = team_open_swarms(session, team_id) if manager else None
        app_default = services.settings.opening.mode
        settings = WorkspaceSettings(team_id, swarm_mode_of(session, team_id, app_default), SwarmMode(app_default),
                                     can_change=manager)
    outcomes = None
    if team is not None:
        outcomes = services.outcomes.compare(services.sessions, services.cases, team_id, team.figures.start,
                                             team.figures.end, days)
    return HomeModel(lang=lang, mine=mine, team=team, can_download=manager, outcomes=outcomes, finder=finder,
                     team_open=team_open, workspace_url=workspace_url(services, team_id), settings=settings)


def publish_home(services: AppServices, team_id: str, user_id: str, days: int, *,
                 asked_at: datetime | None = None) -> None:
    """Queue this person's Home, superseding one of theirs still waiting in this workspace (an Enterprise Grid
    person has one user id in several: each workspace's Home is its own), and publish it now if the pace allows.

    Opening the tab twice, or picking periods quickly, publishes what was asked last (by Slack's time of
    the click or the opening, `asked_at`: two clicks' requests can reach the queue in either order) and
    spends one `views.publish` (tier 4) per person rather than one per click; a burst waits in the queue,
    and another replica carries on if this one stops. Slack refusing it (not its pace) is told to the person."""
    queue = services.slack_queue
    item_id = queue.enqueue(PUBLISH_HOME, {"user": user_id, "days": days}, team_id=team_id, priority=HOME_PRIORITY,
                            coalesce=f"home:{team_id}:{user_id}", run_here=True, asked_at=asked_at)
    outcome = queue.run_now(item_id) if item_id is not None else None
    if outcome is not None and outcome.failure is not None:
        raise outcome.failure  # told in words by the lazy step's guard; the queue tries again by itself


def slack_time(ts: object) -> datetime | None:
    """Slack's `action_ts` / `event_ts` as a time (None when absent or not a timestamp)."""
    try:
        return ts_to_datetime(str(ts)) if ts else None
    except ValueError:
        return None


def _publish_home(services: AppServices, item: WorkItem) -> None:
    user_id, days, team_id = str(item.payload["user"]), int(item.payload["days"]), item.team_id
    client = services.slack_for(team_id)
    # The figures are read when the slot is ours, so what goes out is as fresh as it can be.
    services.slack_queue.paced_call(team_id, "views.publish", lambda: client.views_publish(
        user_id=user_id, view=build_home(home_model(services, team_id, user_id, days))))


# ---------------------------------------------------------------- export


def stats_command(ctx: CommandContext) -> None:
    """`/swarm stats export [7|30|90]`: managers get the files in their DM; others a clear no."""
    args = [a.lower() for a in ctx.command.args]
    if not args or args[0] != "export" or len(args) > 2:
        ctx.answer(t("home.export.bad_period", ctx.lang))
        return
    if not is_manager(ctx.services, ctx.team_id, ctx.user_id):
        ctx.answer(t("home.export.refused", ctx.lang))
        return
    try:
        days = Period.parse(args[1]).days if len(args) == 2 else DEFAULT_PERIOD_DAYS
    except ValueError:
        ctx.answer(t("home.export.bad_period", ctx.lang))
        return
    ctx.answer(t("home.export.started", ctx.lang))
    export_stats(ctx.services, ctx.team_id, ctx.user_id, days, ctx.lang)

"""The Home tab, the stats export and the weekly digest.

Roles are checked here, on the server, for every request: a select or a Download button can be
forged, so a non-manager's request never computes team figures, whatever its payload says. Every figure
is of the workspace the request came from (the event's or the action's team), never another's.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import sessionmaker

from bot.i18n.catalog import t
from bot.jobs import scheduled as jobs
from bot.listeners.commands import CommandContext
from bot.registration import Listeners, team_of
from bot.services import AppServices
from bot.slack.identity import workspace_url
from bot.slack.markup import ts_to_datetime
from bot.views.home import DownloadRequest, HomeAction, HomeModel, build_home, digest_message
from bot.views.roundtrip import action_value
from swarms.install.workspaces import all_workspaces
from swarms.jobs.claimed_work import WorkItem
from swarms.stats.contributions import (
    DEFAULT_PERIOD_DAYS,
    Period,
    StallRule,
    manager_stats,
    my_swarms,
    person_rows,
    weekly_series,
)
from swarms.stats.digest import WeeklyDigest, run_weekly_digest
from swarms.stats.export import charts_available, people_csv, weekly_chart_png, weekly_csv
from swarms.stats.finder_stats import finder_figures
from swarms.stats.home_open import team_open_swarms

log = logging.getLogger(__name__)
GROUP_CACHE_SECONDS = 300
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
            _dm(services, team_id, user_id, text=t("home.export.refused", lang))
            return
        export_stats(services, team_id, user_id, days, lang)

    listeners.action(HomeAction.PERIOD, lazy=[on_period])
    listeners.action(HomeAction.DOWNLOAD, lazy=[on_download])


# ---------------------------------------------------------------- roles


def is_manager(services: AppServices, team_id: str, user_id: str) -> bool:
    """Settings' managers and admins, or a member of MANAGER_USERGROUP_ID in their workspace (asked of Slack,
    cached briefly)."""
    return services.permissions.is_manager(user_id) or user_id in manager_group(services, team_id)


def manager_group(services: AppServices, team_id: str) -> frozenset[str]:
    """MANAGER_USERGROUP_ID's members in workspace `team_id` (a user group is a workspace's: elsewhere, none)."""
    group = services.settings.manager_usergroup_id
    if not group:
        return frozenset()
    cached = services.caches.manager_group.get(team_id)
    if cached and time.monotonic() - cached[0] < GROUP_CACHE_SECONDS:
        return cached[1]
    try:
        members = frozenset(services.slack_for(team_id).usergroups_users_list(usergroup=group).get("users") or [])
    except SlackApiError as exc:  # fail closed: nobody gets team figures through a group we cannot read
        log.warning("usergroups.users.list %s failed: %s", group, exc.response.get("error"))
        return frozenset()
    services.caches.manager_group[team_id] = (time.monotonic(), members)
    return members


def manager_ids(services: AppServices, team_id: str) -> set[str]:
    """Who gets the digest in workspace `team_id`: the managers in settings and the manager user group (not
    every admin)."""
    return set(services.settings.manager_user_ids) | set(manager_group(services, team_id))


# ---------------------------------------------------------------- Home tab


def stall_rule(services: AppServices) -> StallRule:
    home = services.settings.home
    return StallRule(no_expert_after=timedelta(hours=home.no_expert_hours), idle_after=timedelta(hours=home.idle_hours))


def home_model(services: AppServices, team_id: str, user_id: str, days: int) -> HomeModel:
    """Everyone's own part; the team's part only when the server says this person is a manager. Both are of
    the workspace `team_id`, where the Home is looked at."""
    lang = services.people.language_of(team_id, user_id)
    manager = is_manager(services, team_id, user_id)
    period = Period(days)
    with services.sessions() as session:
        mine = my_swarms(session, team_id, user_id, period)
        team = manager_stats(session, team_id, period, rule=stall_rule(services)) if manager else None
        finder = finder_figures(session, team_id, period) if manager else None
        team_open = team_open_swarms(session, team_id) if manager else None
    outcomes = None
    if team is not None:
        outcomes = services.outcomes.compare(services.sessions, services.cases, team_id, team.figures.start,
                                             team.figures.end, days)
    return HomeModel(lang=lang, mine=mine, team=team, can_download=manager, outcomes=outcomes, finder=finder,
                     team_open=team_open, workspace_url=workspace_url(services, team_id))


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


def export_files(sessions: sessionmaker, team_id: str, days: int, lang: str, *,
                 now: datetime | None = None) -> list[dict]:
    """The workspace's per-person CSV and weekly chart (PNG), or the weekly figures as CSV without the charts
    extra."""
    with sessions() as session:
        rows = person_rows(session, team_id, Period(days), now=now)
        weeks = weekly_series(session, team_id, weeks=max(4, days // 7), now=now)
    files = [{"content": people_csv(rows, t("home.csv.header", lang)),
              "filename": f"swarm-contributions-{days}d.csv", "title": f"contributions-{days}d.csv"}]
    if charts_available():
        chart = weekly_chart_png(weeks, title=t("home.export.chart_title", lang),
                                 swarms_label=t("home.export.chart_swarms", lang),
                                 rate_label=t("home.export.chart_rate", lang))
        files.append({"content": chart, "filename": f"swarm-weekly-{days}d.png", "title": f"weekly-{days}d.png"})
    else:
        files.append({"content": weekly_csv(weeks, t("home.csv.weekly_header", lang)),
                      "filename": f"swarm-weekly-{days}d.csv", "title": f"weekly-{days}d.csv"})
    return files


def export_stats(services: AppServices, team_id: str, user_id: str, days: int, lang: str) -> None:
    """Upload the workspace's tables (and the chart) to the manager's DM in one message (files upload v2)."""
    files = export_files(services.sessions, team_id, days, lang)
    comment = "home.export.comment" if files[-1]["filename"].endswith(".png") else "home.export.comment_csv_only"
    client = services.slack_for(team_id)
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(channel=dm, initial_comment=t(comment, lang, days=days), file_uploads=files)


def _dm(services: AppServices, team_id: str, user_id: str, **message) -> None:
    client = services.slack_for(team_id)
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=dm, **message)


# ---------------------------------------------------------------- jobs


def send_team_digest(services: AppServices, team_id: str) -> int:
    """The workspace's digest of last week, to its managers, in that workspace; returns how many got it."""
    recipients = team_manager_ids(services, team_id)
    return run_weekly_digest(services.sessions, team_id, recipients,
                             lambda user_id, digest: send_digest(services, team_id, user_id, digest))


def team_manager_ids(services: AppServices, team_id: str) -> set[str]:
    """The digest's recipients in `team_id`: the managers in settings who are people of that workspace (asked
    of Slack when the database serves more than one), and the manager user group."""
    managers = manager_ids(services, team_id)
    with services.sessions() as session:
        served = all_workspaces(session)
    if len(served) <= 1:
        return managers
    client = services.slack_for(team_id)
    return {user_id for user_id in managers if _in_workspace(client, user_id, team_id)}


def _in_workspace(client: WebClient, user_id: str, team_id: str) -> bool:
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError:  # user_not_found: someone of another workspace
        return False
    return user.get("team_id") == team_id or team_id in ((user.get("enterprise_user") or {}).get("teams") or [])


def send_digest(services: AppServices, team_id: str, user_id: str, digest: WeeklyDigest) -> None:
    lang = services.people.language_of(team_id, user_id)
    _dm(services, team_id, user_id, **digest_message(digest.figures, digest.top, digest.week, lang))

"""What leaves the App Home for a manager's DM: the export of the team's tables (and chart), and the weekly
digest, each in the workspace it is about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import sessionmaker

from bot.i18n.catalog import t
from bot.services import AppServices
from bot.slack.managers import team_manager_ids
from bot.views.home import digest_message
from swarms.stats.contributions import Period, person_rows, weekly_series
from swarms.stats.digest import WeeklyDigest, run_weekly_digest
from swarms.stats.export import charts_available, people_csv, weekly_chart_png, weekly_csv


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


def post_dm(services: AppServices, team_id: str, user_id: str, **message) -> None:
    client = services.slack_for(team_id)
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=dm, **message)


def send_team_digest(services: AppServices, team_id: str) -> int:
    """The workspace's digest of last week, to its managers, in that workspace; returns how many got it."""
    recipients = team_manager_ids(services, team_id)
    return run_weekly_digest(services.sessions, team_id, recipients,
                             lambda user_id, digest: send_digest(services, team_id, user_id, digest))


def send_digest(services: AppServices, team_id: str, user_id: str, digest: WeeklyDigest) -> None:
    lang = services.people.language_of(team_id, user_id)
    post_dm(services, team_id, user_id, **digest_message(digest.figures, digest.top, digest.week, lang))

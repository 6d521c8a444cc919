"""`case-swarm stats export`: a workspace's contribution table and weekly figures as files in a folder, the
same files a manager gets in Slack from `/swarm stats export`, for someone with the database and no Slack."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli import EXTENSIONS, _database_settings, database_sessions, workspace_named
from swarms.stats.contributions import DEFAULT_PERIOD_DAYS, PERIOD_DAYS

UNTIL_SERVED = ("a workspace's figures can be exported once the app has started with its token, or been installed "
                "by OAuth")


def cmd_stats_export(args: argparse.Namespace) -> int:
    from bot.stats.reports import export_files

    sessions = database_sessions(_database_settings())
    team_id = workspace_named(args, sessions, until_served=UNTIL_SERVED)
    if team_id is None:
        return 2
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    for file in export_files(sessions, team_id, args.days, args.lang):
        (folder / file["filename"]).write_bytes(file["content"])
        print(folder / file["filename"])
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    stats = sub.add_parser("stats", help="the Home stats").add_subparsers(dest="stats_command", required=True)
    export = stats.add_parser("export", help="a workspace's contribution table (CSV) and weekly figures (PNG chart, "
                                             "or CSV without the charts extra) written to a folder")
    export.add_argument("--days", type=int, choices=PERIOD_DAYS, default=DEFAULT_PERIOD_DAYS,
                        help="the period: today and the days before it")
    export.add_argument("--team", help="the workspace (team id, T…); without it, the only one served")
    export.add_argument("--out", default=".", help="the folder the files are written to (made if missing)")
    export.add_argument("--lang", choices=("en", "ko"), default="en", help="the language of the headers")
    export.set_defaults(func=cmd_stats_export)


if add_commands not in EXTENSIONS:
    EXTENSIONS.append(add_commands)

"""`case-swarm experts import FILE`, `experts refresh` and `experts tune`, added to the CLI through EXTENSIONS.

Import reads YAML or CSV with `expert_finder.directory_file.load_directory`, which checks every row
first: one bad row means nothing is imported, and each bad row is named. Rows are upserted by Slack id.
Each works on one workspace's directory: `--team`, else the only workspace the database serves (before
the first start, none: rows are kept under '' and the first workspace to start or install adopts them).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import EXTENSIONS, _database_settings, database_sessions, workspace_named

EXPERTS_FILE_FORMAT = """\
Load the expert directory from a CSV or YAML file: every row is checked first, and one bad row means
nothing is imported (each bad row is named by its line, or its item in YAML). Experts are matched by
Slack member id, so importing again updates them.

CSV: a header row, then one expert per row. Only slack_user and name are required:

  slack_user,name,skills,products,languages,timezone,hours,days,max_concurrent,opted_out
  U012AB3CD,Ana Lima,inverter firmware:4; modbus:3,Hybrid 5K,en; pt,Europe/Lisbon,09:00-18:00,mon-fri,3,no

  slack_user      the member id (Slack profile > ⋮ > Copy member ID), e.g. U012AB3CD, or <@U012AB3CD>
  skills          ';'-separated name:level, level 1-5 (3 when left out)
  products        ';'-separated;  languages: ';'-separated (en; ko)
  timezone        an IANA name such as Asia/Seoul (default UTC)
  hours, days     working hours HH:MM-HH:MM (default 09:00-18:00), days mon-fri or mon,wed,fri
  max_concurrent  swarms at once (default 3);  opted_out: yes/no

UTF-8, Korean Excel's CP949/EUC-KR and UTF-16 files are read, comma-, semicolon- or tab-separated.
YAML: a list of mappings with the same keys (skills may be a mapping {modbus: 3}).
An unknown column or key is refused by name, with the closest known one.
"""
# Before any workspace is served, rows are kept under '' for the first one to start or install (see the top).
UNTIL_SERVED = "leave out --team, and the directory is kept for the first workspace to start the app or install it"


def _of(team_id: str) -> str:
    return f" of workspace {team_id}" if team_id else ""


def cmd_experts_import(args: argparse.Namespace) -> int:
    from expert_finder.directory_file import DirectoryFileError, load_directory
    from swarms.db import utcnow
    from swarms.experts.directory import import_directory

    settings = _database_settings()
    path = Path(args.file)
    try:  # a missing file or a folder is refused by load_directory too, in the same words
        profiles = load_directory(path)
    except DirectoryFileError as exc:
        print(f"nothing imported from {path}:", file=sys.stderr)
        for row in exc.rows:
            print(f"  {row}", file=sys.stderr)
        return 2
    sessions = database_sessions(settings)
    team_id = workspace_named(args, sessions, until_served=UNTIL_SERVED)
    if team_id is None:
        return 2
    with sessions.begin() as session:
        result = import_directory(session, team_id, profiles, now=utcnow())
    print(f"imported {result.created} new and updated {result.updated} experts{_of(team_id)} from {path}")
    return 0


def cmd_experts_refresh(args: argparse.Namespace) -> int:
    from bot.experts.gateway import SlackProfileReader
    from bot.slack.clients import standalone_clients
    from swarms.db import ensure_reachable, utcnow
    from swarms.experts.directory import refresh_directory
    from swarms.settings import Settings

    settings = Settings.from_env()
    ensure_reachable(settings.database_url)
    sessions = database_sessions(settings)
    team_id = workspace_named(args, sessions, until_served=UNTIL_SERVED)
    if team_id is None:
        return 2
    slack = standalone_clients(settings, sessions).for_team(team_id)  # that workspace's token
    result = refresh_directory(sessions, SlackProfileReader(slack), settings.experts, team_id=team_id, now=utcnow())
    print(f"checked {result.checked} experts{_of(team_id)}: {result.updated} updated, {result.deactivated} marked "
          f"inactive, {result.failed} failed")
    return 0 if not result.failed else 1


def tune_report(result) -> list[str]:
    """`experts tune` in words: how many swarms, the figures before and after, what the app now uses."""
    if result.status == "too_few":
        return [f"only {result.resolved_swarms} resolved swarms with someone credited with the resolution; "
                f"tuning needs at least {result.needed}. Nothing changed."]
    lines = [f"resolved swarms: {result.resolved_swarms}; tuned on all but the last {result.measured_on}, "
             f"measured on those {result.measured_on}",
             f"{'':<8}{'top-1':>8}{'top-5':>8}{'MRR':>8}"]
    used = f"version {result.previous_version}" if result.previous_version else "the built-in defaults"
    for label, f in (("before", result.before), ("after", result.after)):
        lines.append(f"{label:<8}{f.top1:>8.3f}{f.top5:>8.3f}{f.mrr:>8.3f}")
    if result.status == "stored":
        lines.append(f"stored as version {result.version} (replacing {used}); suggestions use it from now on")
    else:
        lines.append(f"the new weights ranked those swarms worse: kept {used}")
    return lines


def cmd_experts_tune(args: argparse.Namespace) -> int:
    from swarms.db import utcnow
    from swarms.experts.tuning import tune_on_swarms

    settings = _database_settings()
    sessions = database_sessions(settings)
    team_id = workspace_named(args, sessions, until_served=UNTIL_SERVED)
    if team_id is None:
        return 2
    with sessions.begin() as session:
        result = tune_on_swarms(session, team_id, settings.experts, now=utcnow(), measure_last=args.last)
    if team_id:
        print(f"workspace {team_id}")
    for line in tune_report(result):
        print(line)
    return 1 if result.status == "too_few" else 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    experts = sub.add_parser("experts", help="the expert directory").add_subparsers(dest="experts_command",
                                                                                    required=True)
    imp = experts.add_parser("import", help="load experts from YAML or CSV (all or nothing, upsert by Slack id)",
                             description=EXPERTS_FILE_FORMAT, formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("file", help="a .csv, .yaml or .yml file")
    imp.set_defaults(func=cmd_experts_import)
    refresh = experts.add_parser("refresh", help="re-read directory members from Slack profiles now")
    refresh.set_defaults(func=cmd_experts_refresh)
    tune = experts.add_parser(
        "tune", help="re-tune the ranking weights on the team's own resolved swarms (stored with a version)"
    )
    tune.add_argument("--last", type=int, default=None,
                      help="measure before/after on the last N resolved swarms (EXPERTS_TUNE_MEASURE_LAST)")
    tune.set_defaults(func=cmd_experts_tune)
    for command in (imp, refresh, tune):
        command.add_argument("--team", metavar="T", default=None,
                             help="the Slack workspace (team id, T…) whose directory this is; default: the only "
                                  "workspace this database serves")


if add_commands not in EXTENSIONS:
    EXTENSIONS.append(add_commands)

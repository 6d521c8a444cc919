"""`case-swarm workspace mode [--team T] [thread|channel|default]`: where `/swarm <case>` opens a swarm in one
workspace, for someone with the database and no Slack (in Slack: `/swarm settings mode …`, managers)."""

from __future__ import annotations

import argparse

from bot.cli import EXTENSIONS, _database_settings, database_sessions, workspace_named

UNTIL_SERVED = "the mode can be set once the app has started with its token, or been installed by OAuth"
PLACES = {"thread": "in a thread of the channel where /swarm is typed", "channel": "in its own private channel"}


def cmd_workspace_mode(args: argparse.Namespace) -> int:
    from swarms.db import utcnow
    from swarms.install.workspaces import set_swarm_mode, swarm_mode_of
    from swarms.models import SwarmMode

    settings = _database_settings()
    sessions = database_sessions(settings)
    team_id = workspace_named(args, sessions, needs_one=True, until_served=UNTIL_SERVED)
    if team_id is None:
        return 2
    with sessions.begin() as session:
        if args.mode is not None:
            mode = None if args.mode == "default" else SwarmMode(args.mode)
            set_swarm_mode(session, team_id, mode, set_by="", now=utcnow())
        now = swarm_mode_of(session, team_id, settings.opening.mode)
    if now.chosen:
        source = "chosen for this workspace" + (f" by {now.set_by}" if now.set_by else "") + \
                 (f" on {now.set_at:%Y-%m-%d}" if now.set_at else "")
    else:
        source = f"the deployment's SWARM_MODE={settings.opening.mode}; the workspace has not chosen"
    print(f"workspace {team_id}: /swarm <case> opens a swarm {PLACES[now.mode]} ({source})")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    workspace = sub.add_parser("workspace", help="one workspace's own settings").add_subparsers(
        dest="workspace_command", required=True)
    mode = workspace.add_parser(
        "mode", help="where /swarm <case> opens a swarm in a workspace: thread, channel, or default (SWARM_MODE); "
                     "without a value, says where and why")
    mode.add_argument("mode", nargs="?", choices=("thread", "channel", "default"), default=None)
    mode.add_argument("--team", metavar="T", default=None,
                      help="the workspace (team id, T…); without it, the only one served")
    mode.set_defaults(func=cmd_workspace_mode)


if add_commands not in EXTENSIONS:
    EXTENSIONS.append(add_commands)

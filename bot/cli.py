"""`case-swarm`: serve, demo, check, database and import commands.

Every command fails with one readable line (exit 2) on a bad setting or a bad file, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.error import URLError

from alembic.util import CommandError as AlembicCommandError
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from korean_analysis import analyser as korean_analyser
from swarms.db import DatabaseUnreachable, SchemaAheadOfCode, describe_database_error
from swarms.opening import problem_meaning
from swarms.settings import Settings, SettingsError

log = logging.getLogger("case_swarm")


def _setup_logging(verbose: bool, settings: Settings | None = None) -> None:
    """Readable lines until the settings are read; then LOG_FORMAT's choice for the long-running commands."""
    from bot.serving.logs import setup_logging

    setup_logging(verbose=verbose, log_format=settings.replicas.log_format if settings else "text")
    # It logs every failed request at ERROR and then raises; whoever called reports it once, in words.
    logging.getLogger("slack_sdk.web.base_client").setLevel(logging.CRITICAL)


def _database_settings() -> Settings:
    """Commands that only touch the database need no Slack tokens; every other setting is checked, and the
    database must be reachable (one line saying why not)."""
    from swarms.db import ensure_reachable

    settings = Settings.from_env(needs_slack=False)
    ensure_reachable(settings.database_url)
    return settings


def database_sessions(settings: Settings) -> sessionmaker:
    """The database brought up to date, for a command that works on it."""
    from swarms.db import make_engine, make_session_factory, upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return make_session_factory(engine)


def workspace_named(args: argparse.Namespace, sessions: sessionmaker, *, until_served: str,
                    needs_one: bool = False) -> str | None:
    """The workspace `--team` names (one this database serves), else the only one served ("" before any is,
    unless the command `needs_one`); None, said in one line, when that is not clear (several served, or a team
    this database does not serve). `until_served`: what the command can do while no workspace is served, said
    after the refusal then."""
    from swarms.install.workspaces import WorkspaceNotChosen, chosen_workspace

    try:
        with sessions() as session:
            return chosen_workspace(session, args.team, needs_one=needs_one)
    except WorkspaceNotChosen as exc:
        print(f"case-swarm: {exc}" + ("" if exc.served else f": {until_served}"), file=sys.stderr)
        return None


def cmd_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()  # a bad setting stops start-up before the app's heavier imports
    from swarms.db import ensure_reachable, sqlite_file

    ensure_reachable(settings.database_url)
    from bot.app import create_app
    from bot.jobs.background import BackgroundRole, start_background
    from bot.opening.warm_up import start_warming
    from bot.serving.server import serve_http
    from bot.serving.socket_mode import serve_socket_mode

    _setup_logging(args.verbose, settings)
    new_file = sqlite_file(settings.database_url)
    new_file = new_file if new_file is not None and not new_file.exists() else None
    try:
        bot = create_app(settings)
        # Outbox worker and a candidate for the scheduled jobs, unless --web-only leaves both to `worker`s.
        background = start_background(bot, role=BackgroundRole.WEB if args.web_only else BackgroundRole.ALL)
        start_warming(bot.services)  # the offer's index, on a thread, once ready (not before the first ack)
    except BaseException:
        _remove_new_database(new_file)  # a start-up that failed leaves no stray database behind
        raise
    try:
        if settings.socket_mode:
            serve_socket_mode(bot)
        else:
            serve_http(bot, port=settings.port)
    finally:
        background.stop()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Jobs and outbox delivery without Slack's HTTP endpoint; PORT serves /healthz, /readyz, /metrics."""
    from bot.app import create_app
    from bot.jobs.background import BackgroundRole, start_background
    from bot.serving.server import serve_http

    settings = Settings.from_env()
    from swarms.db import ensure_reachable

    ensure_reachable(settings.database_url)
    _setup_logging(args.verbose, settings)
    bot = create_app(settings)
    background = start_background(bot, role=BackgroundRole.WORKER)
    try:
        serve_http(bot, port=settings.port, slack=False)
    finally:
        background.stop()
    return 0


def _remove_new_database(path: Path | None) -> None:
    if path is not None:
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from swarms.db import current_revision, make_engine, upgrade

    settings = _database_settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine, args.revision)
    except AlembicCommandError as exc:  # an unknown or ambiguous revision
        print(f"case-swarm: database not changed: {exc}", file=sys.stderr)
        return 2
    print(f"database at revision {current_revision(engine)}")
    return 0


def cmd_cases_import(args: argparse.Namespace) -> int:
    from swarms.case_systems.case_import import CaseImportError, import_cases, read_case_rows
    from swarms.db import make_engine, make_session_factory, upgrade

    settings = _database_settings()
    try:
        rows = read_case_rows(Path(args.file))  # a bad file is refused before the database is touched
        engine = make_engine(settings.database_url)
        upgrade(engine)
        with make_session_factory(engine).begin() as session:
            result = import_cases(session, rows)
    except CaseImportError as exc:
        print(f"nothing imported from {args.file}:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 2
    how = f" ({rows.how_read})" if rows.how_read else ""
    print(f"imported {result.created} new and updated {result.updated} cases from {args.file}{how}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from swarms.case_systems import make_case_system
    from swarms.case_systems.base import CheckLine
    from swarms.db import (
        DatabaseUnreachable,
        current_revision,
        ensure_reachable,
        make_engine,
        make_session_factory,
        upgrade,
    )

    settings, problems = Settings.read()
    lines = [CheckLine(False, f"setting {problem}", "") for problem in problems]
    named = {problem.name for problem in problems}
    if settings.install.oauth:
        pass  # each workspace's token is in the database: checked below, once it is open
    elif not named & {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL"}:
        lines.append(_slack_line(settings))
        if settings.socket_mode:
            lines.append(_app_token_line(settings))
    lines.append(CheckLine(True, "Korean analysis", korean_analyser.describe()))
    lines.append(CheckLine(True, "Offer compares", problem_meaning.describe(settings.opening.offer_meaning)))
    try:
        ensure_reachable(settings.database_url)
    except DatabaseUnreachable as exc:
        _print_lines([*lines, CheckLine(False, "Database", str(exc).removeprefix("cannot open the database "))])
        return 1
    engine = make_engine(settings.database_url)
    upgrade(engine)
    lines.append(CheckLine(True, f"Database {engine.url.render_as_string(hide_password=True)}",
                           f"schema at {current_revision(engine)}"))
    if settings.install.oauth and not named & {"SLACK_TOKEN_ENCRYPTION_KEY", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"}:
        lines += _installations_lines(settings, make_session_factory(engine))
    if any(name.startswith(f"{settings.case_system.upper()}_") for name in named):
        _print_lines(lines)  # the case system's own settings are wrong: reading a case would only fail again
        return 1
    cases = make_case_system(settings, make_session_factory(engine))
    lines += cases.check()
    if args.case is not None and not args.case.strip():
        lines.append(CheckLine(False, "No case read", "--case was given an empty number"))
    elif args.case:
        from swarms.case_systems.base import CaseSystemError

        try:
            case = cases.get_case(args.case)
            lines.append(CheckLine(True, f"Read case {case.number}", case.subject))
        except CaseSystemError as exc:
            lines.append(CheckLine(False, f"Could not read case {args.case}", str(exc)))
    _print_lines(lines)
    return 0 if all(line.ok for line in lines) else 1


def _print_lines(lines: list) -> None:
    for line in lines:
        print(f"{'ok ' if line.ok else 'NO '} {line.what}{': ' + line.detail if line.detail else ''}")


def _slack_line(settings: Settings):
    """auth.test with the configured token: which bot in which workspace, or Slack's word for what is wrong."""
    from slack_sdk import WebClient

    from swarms.case_systems.base import CheckLine

    base_url = settings.slack_api_url
    try:
        answer = WebClient(token=settings.slack_bot_token, base_url=base_url, timeout=10).auth_test()
    except SlackApiError as exc:
        return CheckLine(False, "Slack refused the bot token", str(exc.response.get("error", "unknown")))
    except (URLError, OSError) as exc:
        return CheckLine(False, f"Slack did not answer at {base_url}", str(getattr(exc, "reason", exc)))
    return CheckLine(True, f"Slack token works: @{answer.get('user', '?')} in {answer.get('team', '?')}",
                     answer.get("url", ""))


def _installations_lines(settings: Settings, sessions) -> list:
    """Installed by OAuth: do the stored tokens open with SLACK_TOKEN_ENCRYPTION_KEY, and work with Slack?"""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackTokenRotationError

    from bot.install.oauth import make_installation_store
    from bot.slack.clients import make_client
    from swarms.case_systems.base import CheckLine
    from swarms.install.token_cipher import WrongTokenKey
    from swarms.install.workspaces import all_workspaces

    store = make_installation_store(settings, sessions, make_client(settings))
    if store.unreadable_tokens():
        return [CheckLine(False, "setting SLACK_TOKEN_ENCRYPTION_KEY", str(WrongTokenKey("the stored Slack "
                                                                                         "installations")))]
    with sessions() as session:
        served = all_workspaces(session)
    if not served:
        return [CheckLine(True, "Installed by OAuth (SLACK_CLIENT_ID)", "no workspace yet: open /slack/install")]
    lines = []
    for team in served:
        name = team.team_name or team.team_id
        try:
            bot = store.find_bot(enterprise_id=None, team_id=team.team_id)  # rotates a token near its end
            if bot is None:
                lines.append(CheckLine(False, f"Slack workspace {name}", f"not installed ({team.access}): an admin "
                                       "can install it again at /slack/install"))
                continue
            answer = WebClient(token=bot.bot_token, base_url=settings.slack_api_url, timeout=10).auth_test()
        except (SlackApiError, SlackTokenRotationError) as exc:
            error = exc.response.get("error", "unknown") if isinstance(exc, SlackApiError) else str(exc)
            lines.append(CheckLine(False, f"Slack refused the token of {name}", str(error)))
            continue
        except (URLError, OSError) as exc:
            lines.append(CheckLine(False, f"Slack did not answer at {settings.slack_api_url}",
                                   str(getattr(exc, "reason", exc))))
            break
        lines.append(CheckLine(True, f"Slack token of {answer.get('team', name)} works: @{answer.get('user', '?')}",
                               answer.get("url", "")))
    return lines


def _app_token_line(settings: Settings):
    """Socket Mode: does the app-level token get a WebSocket URL from apps.connections.open?"""
    from slack_sdk import WebClient

    from swarms.case_systems.base import CheckLine

    try:
        WebClient(base_url=settings.slack_api_url, timeout=10).apps_connections_open(app_token=settings.slack_app_token)
    except SlackApiError as exc:
        return CheckLine(False, "Slack refused the app-level token (SLACK_APP_TOKEN)",
                         str(exc.response.get("error", "unknown")))
    except (URLError, OSError) as exc:
        return CheckLine(False, f"Slack did not answer at {settings.slack_api_url}", str(getattr(exc, "reason", exc)))
    return CheckLine(True, "Slack app-level token works", "Socket Mode can connect")


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo.walkthrough import run_demo

    return run_demo(keep=args.keep, database_url=args.database_url, socket_mode=args.socket_mode, lang=args.lang)


CASES_FILE_FORMAT = """\
Load cases into the local case store from CSV or JSON: every row is checked first, and one bad row means
nothing is imported (each bad row is named by its line, or its item in JSON). Cases are matched by
number, so importing again updates them.

CSV: a header row with at least number and subject; also description, status, priority, product,
account, contact_name, contact_email, owner, category, language, created_at (ISO 8601). Other columns
are kept with the case. A number is what /swarm opens: letters, digits, - and _, with a digit.
UTF-8, Korean Excel's CP949/EUC-KR and UTF-16 files are read, comma-, semicolon- or tab-separated.
JSON: a list of objects with the same keys.
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("case-swarm")
    except PackageNotFoundError:
        return "(not installed: run pip install -e .)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="case-swarm", description="Swarm customer cases in Slack.")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--version", action="version", version=f"case-swarm {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the bot (HTTP on PORT, or Socket Mode with SLACK_APP_TOKEN)")
    serve.add_argument("--web-only", action="store_true",
                       help="answer Slack only; leave scheduled jobs and note delivery to `case-swarm worker`")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run scheduled jobs and note delivery, no Slack endpoint (health and "
                                           "metrics on PORT)")
    worker.set_defaults(func=cmd_worker)

    demo = sub.add_parser("demo", help="play a whole swarm against a local Slack stand-in and print it")
    demo.add_argument("--keep", action="store_true", help="keep the demo database file afterwards")
    demo.add_argument("--lang", choices=("en", "ko"), default="en",
                      help="the team's language: ko plays the story in Korean (DEFAULT_LANGUAGE=ko)")
    demo.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    demo.add_argument("--socket-mode", action="store_true",
                      help="the bot connects over Socket Mode (as with SLACK_APP_TOKEN) instead of HTTP")
    demo.set_defaults(func=cmd_demo)

    check = sub.add_parser("check", help="say in words what works and what is misconfigured")
    check.add_argument("--case", help="also read this case")
    check.set_defaults(func=cmd_check)

    db = sub.add_parser("db", help="database commands").add_subparsers(dest="db_command", required=True)
    up = db.add_parser("upgrade", help="bring the schema up to date")
    up.add_argument("revision", nargs="?", default="heads")
    up.set_defaults(func=cmd_db_upgrade)

    cases = sub.add_parser("cases", help="the local case store").add_subparsers(dest="cases_command", required=True)
    imp = cases.add_parser("import", help="load cases from CSV or JSON (all or nothing)",
                           description=CASES_FILE_FORMAT, formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("file", help="a .csv or .json file")
    imp.set_defaults(func=cmd_cases_import)

    for extend in EXTENSIONS:
        extend(sub)
    return parser


# Features add their commands here (experts import, stats, ...), keeping main() unchanged.
EXTENSIONS: list[Callable[[argparse._SubParsersAction], None]] = []


def main(argv: list[str] | None = None) -> int:
    _load_extensions()
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.func(args)
    except (SettingsError, DatabaseUnreachable) as exc:
        print(f"case-swarm: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:  # reachable, but it refused what start-up asked (rights, a broken file)
        print(f"case-swarm: the database refused: {describe_database_error(exc)}. Check DATABASE_URL.",
              file=sys.stderr)
        return 2
    except SchemaAheadOfCode as exc:  # a rolling release met a database a newer replica already upgraded
        print(f"case-swarm: not starting: {exc}", file=sys.stderr)
        return 2
    except (URLError, OSError) as exc:  # Slack, the database or the case system cannot be reached at start-up
        reason = getattr(exc, "reason", None) or exc
        print(f"case-swarm: could not reach a service at start-up: {reason}. Check SLACK_API_URL, DATABASE_URL "
              "and the network.", file=sys.stderr)
        return 2
    except SlackApiError as exc:
        print(f"case-swarm: Slack refused the bot token at start-up: {exc.response.get('error', 'unknown')}. "
              "Check SLACK_BOT_TOKEN.", file=sys.stderr)
        return 2
    except BoltError as exc:  # auth.test at start-up failed: Bolt says why
        print(f"case-swarm: Slack refused start-up: {exc}. Check SLACK_BOT_TOKEN.", file=sys.stderr)
        return 2
    except Exception as exc:  # Slack's named start-up problems; anything else is a bug and raises
        line = _slack_start_problem(exc)
        if line is None:
            raise
        print(f"case-swarm: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _slack_start_problem(exc: Exception) -> str | None:
    """One line for a Slack problem at start-up, naming the setting to fix; None for anything else."""
    from bot.app import SlackUnreachable
    from bot.serving.socket_mode import AppTokenRefused, SocketModeUnreachable

    if isinstance(exc, SlackUnreachable):
        return f"{exc}. Check SLACK_API_URL and the network."
    if isinstance(exc, AppTokenRefused):
        return (f"Slack refused the app-level token at start-up: {exc.error}. Check SLACK_APP_TOKEN "
                "(xapp-…, with the connections:write scope, from the app's Basic Information page).")
    if isinstance(exc, SocketModeUnreachable):
        return f"could not open the Socket Mode connection at {exc}. Check the network and proxy settings."
    from swarms.install.token_cipher import WrongTokenKey
    from swarms.install.workspaces import WorkspaceNotServed

    if isinstance(exc, WrongTokenKey):
        return f"not starting: {exc}."
    if isinstance(exc, WorkspaceNotServed):
        return f"not starting: {exc}. Use the database of that workspace (DATABASE_URL), or its bot token."
    return None


def _load_extensions() -> None:
    """The experts, stats and workspace subcommands register themselves on import; imported late because they
    import this module."""
    import bot.experts.cli
    import bot.install.cli
    import bot.stats.cli  # noqa: F401


if __name__ == "__main__":  # `python -m bot.cli`: run the imported module, where the extensions register
    from bot.cli import main as installed_main

    sys.exit(installed_main())

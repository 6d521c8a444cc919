"""`/swarm settings` and the Home's "Workspace settings": what this workspace has chosen, and managers choosing
it (today: where swarms open).

Anyone may read the settings; changing them is for managers (MANAGER_USER_IDS, the manager user group, the
admins), as the team's stats are, checked on the server for every request: the Home's select can be forged.
The command and the select change the mode through one function, `change_swarm_mode`, which logs the change.
Every answer is in the person's language: the command's ephemeral, a refused Home choice by DM (as the Home's
refused download is).
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from slack_bolt import App

from bot.i18n.catalog import t
from bot.listeners.commands import CommandContext
from bot.listeners.home import publish_home, slack_time
from bot.registration import Listeners, team_of
from bot.services import AppServices
from bot.slack.managers import is_manager
from bot.stats.reports import post_dm
from bot.views.roundtrip import action_value
from bot.views.workspace_settings import DEFAULT, ModeChoice, SettingsAction, mode_text, place_text
from swarms.db import utcnow
from swarms.install.workspaces import WorkspaceSwarmMode, set_swarm_mode, swarm_mode_of
from swarms.models import SwarmMode
from swarms.stats.contributions import DEFAULT_PERIOD_DAYS

log = logging.getLogger(__name__)
SETTINGS_WORDS = ("settings", "설정")
MODE_WORDS = frozenset({"mode", "모드"})
# The values of `/swarm settings mode <value>`; Korean words (and the place flags' spellings) too.
MODE_VALUES: dict[str, str] = {
    "thread": SwarmMode.THREAD, "스레드": SwarmMode.THREAD, "쓰레드": SwarmMode.THREAD,
    "channel": SwarmMode.CHANNEL, "채널": SwarmMode.CHANNEL,
    "default": DEFAULT, "기본": DEFAULT, "기본값": DEFAULT,
}


@dataclass(frozen=True, slots=True)
class SettingsRequest:
    """A parsed `/swarm settings …`: "show", "set" (`value`: a SwarmMode or DEFAULT) or "bad" (`value`: the
    words at fault)."""

    action: str
    value: str = ""


def parse_settings(args: tuple[str, ...]) -> SettingsRequest:
    words = [unicodedata.normalize("NFKC", w).lower() for w in args]
    if not words or (len(words) == 1 and words[0] in MODE_WORDS):
        return SettingsRequest("show")
    if len(words) == 2 and words[0] in MODE_WORDS:
        value = MODE_VALUES.get(words[1].lstrip("-\u2014\u2013"))  # `--thread`, as a phone types it too
        if value is not None:
            return SettingsRequest("set", value)
    return SettingsRequest("bad", " ".join(args)[:60])


def register(app: App, services: AppServices) -> None:
    for word in SETTINGS_WORDS:
        services.subcommands.add(word, settings_command)

    def on_mode_picked(body: dict) -> None:
        home_mode_picked(services, body)

    # Lazy: whether the clicker is a manager may ask Slack (the manager user group); the Home then republishes.
    Listeners(app, services).action(SettingsAction.SWARM_MODE, lazy=[on_mode_picked])


def change_swarm_mode(services: AppServices, team_id: str, user_id: str, mode: SwarmMode | None, *,
                      via: str) -> WorkspaceSwarmMode:
    """Where swarms open in `team_id` from now on (None: the deployment's SWARM_MODE), chosen by `user_id`, a
    manager (the caller checked): the one way `/swarm settings mode` and the Home change it. Logged."""
    with services.sessions.begin() as session:
        set_swarm_mode(session, team_id, mode, set_by=user_id, now=utcnow())
        now = swarm_mode_of(session, team_id, services.settings.opening.mode)
    log.info("workspace %s: %s set where swarms open to %s (%s), from %s", team_id, user_id, mode or DEFAULT,
             now.mode, via)
    return now


def settings_command(ctx: CommandContext) -> None:
    """`/swarm settings [mode thread|channel|default]`."""
    request = parse_settings(ctx.command.args)
    services = ctx.services
    if request.action == "show":
        with services.sessions() as session:
            now = swarm_mode_of(session, ctx.team_id, services.settings.opening.mode)
        ctx.answer(mode_text(now, ctx.lang) + "\n" + t("settings.mode_how", ctx.lang))
        return
    if request.action == "bad":
        ctx.answer(t("settings.mode_bad", ctx.lang, value=request.value))
        return
    if not is_manager(services, ctx.team_id, ctx.user_id):
        ctx.answer(t("settings.mode_refused", ctx.lang))
        return
    mode = None if request.value == DEFAULT else SwarmMode(request.value)
    now = change_swarm_mode(services, ctx.team_id, ctx.user_id, mode, via="/swarm settings")
    key = "settings.mode_reset" if mode is None else "settings.mode_set"
    ctx.answer(t(key, ctx.lang, place=place_text(now.mode, ctx.lang)))


def home_mode_picked(services: AppServices, body: dict) -> None:
    """A pick in the Home's select: a manager of the payload's workspace, choosing for that same workspace,
    changes the mode; anyone else is told why not by DM and nothing changes. Their Home is published again
    either way, so it shows what is true."""
    user_id, team_id = body["user"]["id"], team_of(body)
    try:
        choice: ModeChoice | None = ModeChoice.loads(action_value(body))
    except ValueError:
        choice = None
    refusal = home_refusal(services, team_id, user_id, choice)
    if choice is not None and not refusal:
        change_swarm_mode(services, team_id, user_id, choice.swarm_mode, via="the Home")
    else:
        log.warning("Home swarm mode from %s in %s refused (%s): %r", user_id, team_id, refusal,
                    body.get("actions"))
        post_dm(services, team_id, user_id, text=t(refusal, services.people.language_of(team_id, user_id)))
    publish_home(services, team_id, user_id, choice.days if choice is not None else DEFAULT_PERIOD_DAYS,
                 asked_at=slack_time(((body.get("actions") or [{}])[0]).get("action_ts")))


def home_refusal(services: AppServices, team_id: str, user_id: str, choice: ModeChoice | None) -> str:
    """Why this pick changes nothing (a catalog key), or "" when it may: not a manager of the payload's
    workspace, a value we did not write, or a choice made on another workspace's Home."""
    if not is_manager(services, team_id, user_id):
        return "settings.home.refused"
    if choice is None:
        return "settings.home.bad_choice"
    if choice.team_id != team_id:
        return "settings.home.other_workspace"
    return ""

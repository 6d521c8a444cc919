"""`/swarm settings`: what this workspace has chosen, and managers choosing it (today: where swarms open).

Anyone may read the settings; changing them is for managers (MANAGER_USER_IDS, the manager user group, the
admins), as the team's stats are. Every answer is ephemeral and in the person's language.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from slack_bolt import App

from bot.i18n.catalog import t
from bot.listeners.commands import CommandContext
from bot.services import AppServices
from bot.slack.managers import is_manager
from bot.views.knowledge import slack_date
from swarms.db import utcnow
from swarms.install.workspaces import WorkspaceSwarmMode, set_swarm_mode, swarm_mode_of
from swarms.models import SwarmMode

SETTINGS_WORDS = ("settings", "설정")
MODE_WORDS = frozenset({"mode", "모드"})
DEFAULT = "default"  # the workspace follows the deployment's SWARM_MODE again
# The values of `/swarm settings mode <value>`; Korean words (and the place flags' spellings) too.
MODE_VALUES: dict[str, str] = {
    "thread": SwarmMode.THREAD, "스레드": SwarmMode.THREAD, "쓰레드": SwarmMode.THREAD,
    "channel": SwarmMode.CHANNEL, "채널": SwarmMode.CHANNEL,
    "default": DEFAULT, "기본": DEFAULT, "기본값": DEFAULT,
}
PLACE_KEYS = {SwarmMode.THREAD: "settings.place.thread", SwarmMode.CHANNEL: "settings.place.channel"}


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
    with services.sessions.begin() as session:
        set_swarm_mode(session, ctx.team_id, mode, set_by=ctx.user_id, now=utcnow())
        now = swarm_mode_of(session, ctx.team_id, services.settings.opening.mode)
    key = "settings.mode_reset" if mode is None else "settings.mode_set"
    ctx.answer(t(key, ctx.lang, place=t(PLACE_KEYS[now.mode], ctx.lang)))


def mode_text(now: WorkspaceSwarmMode, lang: str) -> str:
    """Where swarms open in the workspace, and where that comes from."""
    place = t(PLACE_KEYS[now.mode], lang)
    if not now.chosen:
        return t("settings.mode_deployment", lang, place=place)
    date = slack_date(now.set_at) if now.set_at else ""
    if now.set_by:
        return t("settings.mode_chosen_by", lang, place=place, who=f"<@{now.set_by}>", date=date)
    return t("settings.mode_chosen_cli", lang, place=place, date=date)

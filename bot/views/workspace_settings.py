"""The Home's "Workspace settings" section: where new swarms open, where that comes from, and for managers a
select to change it. A pure builder, beside the other Home sections.

Everyone reads the section, only managers get the select: whoever types `/swarm <case>` is helped by knowing
whether it opens a thread (the bot must then be in that channel) or a channel, and `/swarm settings` already
tells anyone; nothing is shown that a non-manager could not read already.

The select's option values cross a round trip and may be forged: each names the choice, the workspace the Home
was built for and the Home's period (so the refreshed Home keeps it), and is read back through `ModeChoice`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from bot.i18n.catalog import t
from bot.views.blocks import MAX_BUTTON_TEXT, MAX_OPTION_VALUE, context, divider, header, plain, section
from bot.views.knowledge import slack_date
from bot.views.roundtrip import OneOf, RoundTrip, Text, slot
from swarms.install.workspaces import WorkspaceSwarmMode
from swarms.models import SwarmMode
from swarms.stats.contributions import PERIOD_DAYS

DEFAULT = "default"  # the workspace follows the deployment's SWARM_MODE again
CHOICES = (SwarmMode.THREAD.value, SwarmMode.CHANNEL.value, DEFAULT)
TEAM_PATTERN = r"[TE][A-Z0-9]{2,31}"


class SettingsAction(enum.StrEnum):
    SWARM_MODE = "settings.swarm_mode"


class SettingsBlock(enum.StrEnum):
    HEADER = "settings.header"
    SWARM_MODE = "settings.mode"
    NOTE = "settings.note"


@dataclass(frozen=True, slots=True)
class ModeChoice(RoundTrip):
    """One option of the select: the mode picked (or DEFAULT), the workspace it is for, the Home's period."""

    LIMIT: ClassVar[int] = MAX_OPTION_VALUE
    mode: str = slot("m", OneOf(CHOICES))
    team_id: str = slot("t", Text(32, pattern=TEAM_PATTERN, required=True))
    days: int = slot("d", OneOf(PERIOD_DAYS))

    @property
    def swarm_mode(self) -> SwarmMode | None:
        """The mode to set; None: the deployment's default again."""
        return None if self.mode == DEFAULT else SwarmMode(self.mode)


@dataclass(frozen=True, slots=True)
class WorkspaceSettings:
    """What the section shows: the workspace's mode and its source, the deployment's default, and whether
    this person may change it (decided on the server, from `is_manager`)."""

    team_id: str
    mode: WorkspaceSwarmMode
    app_default: SwarmMode
    can_change: bool = False


def settings_blocks(settings: WorkspaceSettings, days: int, lang: str) -> list[dict]:
    """The section; managers get the select, everyone else reads the same line with who may change it."""
    text = t("settings.home.mode", lang, place=t(f"settings.home.place.{settings.mode.mode}", lang),
             source=source_text(settings.mode, lang))
    if settings.can_change:
        mode = section(text, block_id=SettingsBlock.SWARM_MODE, accessory=mode_select(settings, days, lang))
        note = t("settings.home.how", lang)
    else:
        mode = section(text, block_id=SettingsBlock.SWARM_MODE)
        note = t("settings.home.read_only", lang)
    return [divider(), header(t("settings.home.header", lang), block_id=SettingsBlock.HEADER), mode,
            context(note, block_id=SettingsBlock.NOTE)]


def source_text(mode: WorkspaceSwarmMode, lang: str) -> str:
    """Where the mode comes from: chosen for this workspace (by whom, when), or the app's default."""
    origin, fields = _origin(mode)
    return t(f"settings.home.source.{origin}", lang, **fields)


def mode_text(mode: WorkspaceSwarmMode, lang: str) -> str:
    """`/swarm settings`'s line: where swarms open in the workspace, and where that comes from."""
    origin, fields = _origin(mode)
    key = {"app_default": "settings.mode_deployment", "chosen_by": "settings.mode_chosen_by",
           "chosen_cli": "settings.mode_chosen_cli"}[origin]
    return t(key, lang, place=place_text(mode.mode, lang), **fields)


def place_text(mode: SwarmMode, lang: str) -> str:
    """Where a swarm opens, as the command's answers say it."""
    return t(f"settings.place.{mode.value}", lang)


def _origin(mode: WorkspaceSwarmMode) -> tuple[str, dict[str, str]]:
    """How the workspace came to its mode: the app's default, chosen by someone (who, when) or by the CLI."""
    if not mode.chosen:
        return "app_default", {}
    date = slack_date(mode.set_at) if mode.set_at else ""
    if mode.set_by:
        return "chosen_by", {"who": f"<@{mode.set_by}>", "date": date}
    return "chosen_cli", {"date": date}


def mode_select(settings: WorkspaceSettings, days: int, lang: str) -> dict:
    """Thread, channel, or the app's default (naming what that is); the current choice shown as selected."""
    labels = {SwarmMode.THREAD: t("settings.home.option.thread", lang),
              SwarmMode.CHANNEL: t("settings.home.option.channel", lang),
              DEFAULT: t(f"settings.home.option.default_{settings.app_default}", lang)}
    options = [{"text": plain(labels[choice], MAX_BUTTON_TEXT),
                "value": ModeChoice(choice, settings.team_id, days).dumps()} for choice in CHOICES]
    current = settings.mode.mode.value if settings.mode.chosen else DEFAULT
    return {"type": "static_select", "action_id": SettingsAction.SWARM_MODE,
            "placeholder": plain(t("settings.home.placeholder", lang), MAX_BUTTON_TEXT), "options": options,
            "initial_option": options[CHOICES.index(current)]}

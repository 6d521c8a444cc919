"""The Home's "Workspace settings" section as plain functions: what it says, who gets the select, what its
options carry, and that it stays on a Home cut to Slack's 100 blocks."""

from __future__ import annotations

import json

import pytest

from bot.views.home import HomeBlock, HomeModel, build_home
from bot.views.roundtrip import RoundTripRefused
from bot.views.workspace_settings import (
    ModeChoice,
    SettingsAction,
    SettingsBlock,
    WorkspaceSettings,
    settings_blocks,
)
from swarms.install.workspaces import WorkspaceSwarmMode
from swarms.models import SwarmMode
from tests.home.conftest import NOW
from tests.home.test_builders import mine, team

TEAM = "T0HOME0001"
APP_DEFAULT = WorkspaceSwarmMode(SwarmMode.CHANNEL, chosen=False)
CHOSEN_THREAD = WorkspaceSwarmMode(SwarmMode.THREAD, chosen=True, set_by="U0MIRA0001", set_at=NOW)


def mode_block(blocks: list[dict]) -> dict:
    return next(b for b in blocks if b.get("block_id") == SettingsBlock.SWARM_MODE)


def test_a_manager_reads_where_new_swarms_open_and_that_it_is_the_apps_default():
    blocks = settings_blocks(WorkspaceSettings(TEAM, APP_DEFAULT, SwarmMode.CHANNEL, can_change=True), 30, "en")

    assert blocks[1]["text"]["text"] == "Workspace settings"
    text = mode_block(blocks)["text"]["text"]
    assert text == ("*Where new swarms open*\nIn a new private channel for each case\n"
                    "_The app's default (`SWARM_MODE`): this workspace has not chosen its own._")


def test_a_managers_select_offers_thread_channel_and_the_apps_default_naming_what_that_is():
    select = mode_block(settings_blocks(WorkspaceSettings(TEAM, APP_DEFAULT, SwarmMode.CHANNEL, can_change=True),
                                        30, "en"))["accessory"]

    assert select["type"] == "static_select" and select["action_id"] == SettingsAction.SWARM_MODE
    assert [o["text"]["text"] for o in select["options"]] == [
        "A thread of the current channel", "A new private channel", "The app's default (a private channel)"]
    assert [ModeChoice.loads(o["value"]) for o in select["options"]] == [
        ModeChoice("thread", TEAM, 30), ModeChoice("channel", TEAM, 30), ModeChoice("default", TEAM, 30)]
    assert select["initial_option"] == select["options"][2]  # following the default, not "channel"
    assert all(len(o["value"]) <= 150 and len(o["text"]["text"]) <= 75 for o in select["options"])


def test_a_chosen_mode_says_who_chose_it_and_when_and_is_the_selected_option():
    blocks = settings_blocks(WorkspaceSettings(TEAM, CHOSEN_THREAD, SwarmMode.CHANNEL, can_change=True), 7, "en")

    block = mode_block(blocks)
    assert block["text"]["text"].startswith("*Where new swarms open*\nIn a thread of the channel where `/swarm` is "
                                            "typed, under the case card\n_Chosen for this workspace by <@U0MIRA0001> "
                                            "on <!date^")
    assert ModeChoice.loads(block["accessory"]["initial_option"]["value"]) == ModeChoice("thread", TEAM, 7)


def test_a_mode_chosen_from_the_command_line_says_so():
    cli = WorkspaceSwarmMode(SwarmMode.CHANNEL, chosen=True, set_by="", set_at=NOW)

    text = mode_block(settings_blocks(WorkspaceSettings(TEAM, cli, SwarmMode.THREAD), 30, "en"))["text"]["text"]

    assert "_Chosen for this workspace with `case-swarm workspace mode` on <!date^" in text


def test_someone_who_is_no_manager_reads_the_same_line_without_the_select():
    blocks = settings_blocks(WorkspaceSettings(TEAM, CHOSEN_THREAD, SwarmMode.CHANNEL, can_change=False), 30, "en")

    assert "accessory" not in mode_block(blocks)
    assert "Chosen for this workspace by <@U0MIRA0001>" in mode_block(blocks)["text"]["text"]
    assert SettingsAction.SWARM_MODE not in json.dumps(blocks)
    assert blocks[-1]["elements"][0]["text"].endswith("The workspace's managers change this setting.")


def test_a_korean_manager_reads_the_section_and_the_options_in_korean():
    blocks = settings_blocks(WorkspaceSettings(TEAM, CHOSEN_THREAD, SwarmMode.THREAD, can_change=True), 30, "ko")

    assert blocks[1]["text"]["text"] == "워크스페이스 설정"
    block = mode_block(blocks)
    assert block["text"]["text"].startswith("*새 스웜을 여는 위치*\n`/swarm`을 입력한 채널의 스레드(케이스 카드 아래)\n"
                                            "_<@U0MIRA0001>님이 <!date^")
    assert [o["text"]["text"] for o in block["accessory"]["options"]] == ["현재 채널의 스레드", "새 비공개 채널",
                                                                         "앱 기본값 (스레드)"]


@pytest.mark.parametrize("value", ['{"m":"threads","t":"T0HOME0001","d":30}', '{"m":"thread","t":"","d":30}',
                                   '{"m":"thread","t":"T0HOME0001","d":31}', '{"m":"thread","t":"<@U1>","d":30}',
                                   '{"m":"thread","d":30}', '{"m":"thread","t":"T0HOME0001","d":30,"x":' + "1" * 200
                                   + "}", "thread", ""])
def test_forged_option_values_are_refused(value):
    with pytest.raises(RoundTripRefused):
        ModeChoice.loads(value)


def test_the_home_ends_with_the_settings_and_keeps_them_when_the_team_part_is_cut_to_100_blocks():
    settings = WorkspaceSettings(TEAM, APP_DEFAULT, SwarmMode.CHANNEL, can_change=True)

    view = build_home(HomeModel("en", mine(50), team(people=300), can_download=True, settings=settings))

    assert len(view["blocks"]) == 100
    assert view["blocks"][-4:] == settings_blocks(settings, 30, "en")
    assert view["blocks"][-5]["block_id"] == HomeBlock.OVERFLOW  # the cut says so, before the settings


def test_the_settings_options_keep_the_period_the_home_shows():
    settings = WorkspaceSettings(TEAM, APP_DEFAULT, SwarmMode.CHANNEL, can_change=True)

    view = build_home(HomeModel("en", mine(days=90), team(), can_download=True, settings=settings))

    select = mode_block(view["blocks"])["accessory"]
    assert {ModeChoice.loads(o["value"]).days for o in select["options"]} == {90}

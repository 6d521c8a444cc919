"""Each workspace chooses where `/swarm <case>` opens a swarm (`/swarm settings mode …`, managers only): set to
thread in one, swarms open there in a thread of the channel while the other workspace still opens channels; the
per-command flag still decides for one swarm. Through the stand-in, both workspaces installed by OAuth."""

from __future__ import annotations

import pytest

from swarms.install.workspaces import swarm_mode_of
from swarms.models import SwarmMode
from tests.teams.two_workspaces import (
    ACME,
    ACME_AGENT,
    ACME_MANAGER,
    CASE,
    GLOBEX,
    GLX_AGENT,
    GLX_MANAGER,
    OTHER_CASE,
    swarm_of,
    type_swarm,
)


def test_given_acme_set_to_thread_when_each_workspace_swarms_then_acme_opens_a_thread_and_globex_a_channel(
        two_workspaces, sessions):
    run, acme, globex, support = two_workspaces

    said = type_swarm(run, acme, ACME_MANAGER, support[ACME], "settings mode thread")
    assert said.startswith(":white_check_mark: From now on `/swarm <case>` opens a swarm in a thread"), said

    type_swarm(run, acme, ACME_AGENT, support[ACME], CASE)
    type_swarm(run, globex, GLX_AGENT, support[GLOBEX], CASE)
    in_acme, in_globex = swarm_of(sessions, ACME, CASE), swarm_of(sessions, GLOBEX, CASE)
    assert (in_acme.mode, in_acme.channel_id) == (SwarmMode.THREAD, support[ACME])
    assert in_acme.thread_ts == in_acme.card_ts is not None
    assert in_globex.mode == SwarmMode.CHANNEL and in_globex.channel_id != support[GLOBEX]
    assert globex.channel(in_globex.channel_id).name.startswith("swarm-")
    assert not [c for c in acme.channels() if c.name.startswith("swarm-")]  # Acme made no channel


def test_given_acme_set_to_thread_when_the_agent_asks_for_a_channel_then_the_flag_decides(two_workspaces, sessions):
    run, acme, _, support = two_workspaces
    type_swarm(run, acme, ACME_MANAGER, support[ACME], "settings mode thread")

    type_swarm(run, acme, ACME_AGENT, support[ACME], f"{OTHER_CASE} --channel")

    swarm = swarm_of(sessions, ACME, OTHER_CASE)
    assert swarm.mode == SwarmMode.CHANNEL and acme.channel(swarm.channel_id).name.startswith("swarm-")


def test_given_globex_in_channel_mode_when_its_manager_sets_it_in_korean_then_a_plain_swarm_opens_a_thread(
        two_workspaces, sessions):
    run, _, globex, support = two_workspaces

    said = type_swarm(run, globex, GLX_MANAGER, support[GLOBEX], "설정 모드 스레드")
    assert said.startswith(":white_check_mark: 이제부터 이 워크스페이스에서"), said
    type_swarm(run, globex, GLX_AGENT, support[GLOBEX], CASE)

    assert swarm_of(sessions, GLOBEX, CASE).mode == SwarmMode.THREAD


def test_given_a_manager_set_the_mode_when_anyone_asks_for_the_settings_then_they_read_it_and_who_chose_it(
        two_workspaces):
    run, acme, _, support = two_workspaces
    before = type_swarm(run, acme, ACME_AGENT, support[ACME], "settings")
    assert before.startswith("In this workspace `/swarm <case>` opens a swarm in its own private channel: the "
                             "app's default (`SWARM_MODE`)"), before
    assert "/swarm settings mode thread" in before

    type_swarm(run, acme, ACME_MANAGER, support[ACME], "settings mode thread")
    after = type_swarm(run, acme, ACME_AGENT, support[ACME], "settings")

    assert after.startswith("In this workspace `/swarm <case>` opens a swarm in a thread of the channel"), after
    assert f"chosen for this workspace by <@{ACME_MANAGER}> on <!date^" in after


def test_given_a_chosen_mode_when_the_manager_sets_default_then_the_workspace_follows_swarm_mode_again(
        two_workspaces, sessions):
    run, acme, _, support = two_workspaces
    type_swarm(run, acme, ACME_MANAGER, support[ACME], "settings mode thread")

    said = type_swarm(run, acme, ACME_MANAGER, support[ACME], "settings mode default")

    assert said == (":white_check_mark: This workspace follows the app's default (`SWARM_MODE`) again: "
                    "`/swarm <case>` opens a swarm in its own private channel.")
    with sessions() as session:
        assert swarm_mode_of(session, ACME, "channel").chosen is False


def test_given_an_agent_who_is_no_manager_when_they_set_the_mode_then_they_are_refused_and_nothing_changes(
        two_workspaces, sessions):
    run, acme, globex, support = two_workspaces

    said = type_swarm(run, acme, ACME_AGENT, support[ACME], "settings mode thread")
    korean = type_swarm(run, globex, GLX_AGENT, support[GLOBEX], "settings mode thread")

    assert said == ("Only managers can change where swarms open in this workspace. `/swarm settings` shows the "
                    "current choice.")
    assert korean.startswith("스웜을 여는 위치는 관리자만 바꿀 수 있습니다.")
    with sessions() as session:
        assert not swarm_mode_of(session, ACME, "channel").chosen and not swarm_mode_of(session, GLOBEX, "channel").chosen


@pytest.mark.parametrize("text", ["settings mode threads", "settings mode", "settings colour blue",
                                  "settings mode thread now"])
def test_given_a_bad_value_when_a_manager_sets_it_then_one_line_lists_the_choices_and_nothing_changes(
        two_workspaces, sessions, text):
    run, acme, _, support = two_workspaces

    said = type_swarm(run, acme, ACME_MANAGER, support[ACME], text)

    if text == "settings mode":  # no value: it shows the setting
        assert said.startswith("In this workspace `/swarm <case>` opens a swarm"), said
    else:
        assert "\n" not in said and said.endswith("Try `/swarm settings mode thread`, `channel` or `default`."), said
        assert said.startswith(f"`{text.removeprefix('settings ')}` is not a setting I know."), said
    with sessions() as session:
        assert swarm_mode_of(session, ACME, "channel").chosen is False


def test_the_help_names_the_settings_and_who_may_change_them(two_workspaces):
    run, acme, _, support = two_workspaces

    result = run.standin.driver(run.server.events_url, workspace=acme).command("/swarm", "help", user=ACME_AGENT,
                                                                               channel=support[ACME])

    assert "/swarm settings" in result.body and "managers: `/swarm settings mode thread|channel|default`" in result.body

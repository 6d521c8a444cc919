"""A workspace's managers see where new swarms open on the App Home and change it there, as `/swarm settings
mode …` does; everyone else reads it, and a forged pick changes nothing. Through the stand-in, with two
workspaces installed by OAuth: Acme (English) and Globex (Korean), the deployment's SWARM_MODE channel."""

from __future__ import annotations

import json
import logging

from bot.views.workspace_settings import ModeChoice, SettingsAction, SettingsBlock
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
    swarm_of,
    type_swarm,
)


def open_home(run, workspace, user: str) -> dict:
    """`user` opens the app's Home tab in `workspace`; the view they see."""
    run.standin.driver(run.server.events_url, workspace=workspace).user_opens_home(user)
    run.settle()
    view = workspace.home_view(user)
    assert view is not None, f"no Home published for {user}"
    return view


def settings_section(view: dict) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == SettingsBlock.SWARM_MODE)


def pick(run, workspace, user: str, view: dict, label: str) -> None:
    """`user` picks the option labelled `label` in the Home's "Workspace settings" select."""
    option = next(o for o in settings_section(view)["accessory"]["options"] if o["text"]["text"] == label)
    send_pick(run, workspace, user, view, option["value"])


def send_pick(run, workspace, user: str, view: dict, value: str) -> None:
    """A pick whose option value is `value`: what a forged request carries, signed like any other."""
    run.standin.driver(run.server.events_url, workspace=workspace).block_action(
        SettingsAction.SWARM_MODE, user=user, view_id=view["id"],
        action={"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"},
                                                             "value": value}})
    run.settle()


def mode_of(sessions, team_id: str):
    with sessions() as session:
        return swarm_mode_of(session, team_id, "channel")


def test_given_a_manager_when_they_open_the_home_then_it_shows_where_new_swarms_open_and_why(two_workspaces):
    run, acme, _, _ = two_workspaces

    view = open_home(run, acme, ACME_MANAGER)

    section = settings_section(view)
    assert section["text"]["text"] == ("*Where new swarms open*\nIn a new private channel for each case\n"
                                       "_The app's default (`SWARM_MODE`): this workspace has not chosen its own._")
    select = section["accessory"]
    assert [o["text"]["text"] for o in select["options"]] == [
        "A thread of the current channel", "A new private channel", "The app's default (a private channel)"]
    assert select["initial_option"]["text"]["text"] == "The app's default (a private channel)"
    assert len(view["blocks"]) <= 100


def test_given_a_manager_when_they_pick_thread_then_swarm_case_opens_a_thread_and_the_home_says_who_chose_it(
        two_workspaces, sessions, caplog):
    run, acme, _, support = two_workspaces
    view = open_home(run, acme, ACME_MANAGER)

    with caplog.at_level(logging.INFO, logger="bot.listeners.workspace_settings"):
        pick(run, acme, ACME_MANAGER, view, "A thread of the current channel")

    refreshed = settings_section(acme.home_view(ACME_MANAGER))
    assert refreshed["text"]["text"].startswith("*Where new swarms open*\nIn a thread of the channel where `/swarm` "
                                                f"is typed, under the case card\n_Chosen for this workspace by "
                                                f"<@{ACME_MANAGER}> on <!date^")
    assert refreshed["accessory"]["initial_option"]["text"]["text"] == "A thread of the current channel"
    assert [r.getMessage() for r in caplog.records] == [
        f"workspace {ACME}: {ACME_MANAGER} set where swarms open to thread (thread), from the Home"]
    assert acme.dms(ACME_MANAGER) == []  # the refreshed Home is the answer: no DM

    type_swarm(run, acme, ACME_AGENT, support[ACME], CASE)
    swarm = swarm_of(sessions, ACME, CASE)
    assert (swarm.mode, swarm.channel_id) == (SwarmMode.THREAD, support[ACME])
    assert not [c for c in acme.channels() if c.name.startswith("swarm-")]
    assert f"chosen for this workspace by <@{ACME_MANAGER}>" in type_swarm(run, acme, ACME_AGENT, support[ACME],
                                                                       "settings")


def test_given_a_chosen_mode_when_the_manager_picks_the_apps_default_then_the_workspace_follows_swarm_mode_again(
        two_workspaces, sessions):
    run, acme, _, support = two_workspaces
    type_swarm(run, acme, ACME_MANAGER, support[ACME], "settings mode thread")  # the command and the Home: one setting
    view = open_home(run, acme, ACME_MANAGER)
    assert settings_section(view)["accessory"]["initial_option"]["text"]["text"] == "A thread of the current channel"

    pick(run, acme, ACME_MANAGER, view, "The app's default (a private channel)")

    assert mode_of(sessions, ACME).chosen is False
    assert "_The app's default (`SWARM_MODE`)" in settings_section(acme.home_view(ACME_MANAGER))["text"]["text"]


def test_given_a_period_picked_when_the_manager_changes_the_mode_then_the_home_keeps_that_period(two_workspaces):
    run, acme, _, _ = two_workspaces
    view = open_home(run, acme, ACME_MANAGER)
    run.standin.driver(run.server.events_url, workspace=acme).block_action(
        "home.period", user=ACME_MANAGER, view_id=view["id"],
        action={"type": "static_select", "selected_option": {"value": "7"}})
    run.settle()

    pick(run, acme, ACME_MANAGER, acme.home_view(ACME_MANAGER), "A new private channel")

    assert "Your contributions, last 7 days" in json.dumps(acme.home_view(ACME_MANAGER)["blocks"])


def test_given_an_agent_when_they_open_the_home_then_they_read_the_mode_but_get_no_select(two_workspaces):
    run, acme, _, support = two_workspaces
    type_swarm(run, acme, ACME_MANAGER, support[ACME], "settings mode thread")

    view = open_home(run, acme, ACME_AGENT)

    section = settings_section(view)
    assert "accessory" not in section and SettingsAction.SWARM_MODE not in json.dumps(view)
    assert f"In a thread of the channel where `/swarm` is typed, under the case card\n_Chosen for this workspace by " \
           f"<@{ACME_MANAGER}>" in section["text"]["text"]


def test_given_agents_who_are_no_managers_when_they_forge_a_pick_then_they_are_refused_in_their_language(
        two_workspaces, sessions, caplog):
    run, acme, globex, _ = two_workspaces
    acme_view, globex_view = open_home(run, acme, ACME_AGENT), open_home(run, globex, GLX_AGENT)

    send_pick(run, acme, ACME_AGENT, acme_view, ModeChoice("thread", ACME, 30).dumps())
    send_pick(run, globex, GLX_AGENT, globex_view, ModeChoice("thread", GLOBEX, 30).dumps())

    assert [m["text"] for m in acme.dms(ACME_AGENT)] == [
        "Only managers can change where swarms open in this workspace, so nothing was changed."]
    assert [m["text"] for m in globex.dms(GLX_AGENT)] == [
        "스웜을 여는 위치는 이 워크스페이스의 관리자만 바꿀 수 있어 아무것도 바뀌지 않았습니다."]
    assert not mode_of(sessions, ACME).chosen and not mode_of(sessions, GLOBEX).chosen
    assert "accessory" not in settings_section(acme.home_view(ACME_AGENT))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_given_an_acme_manager_when_a_pick_names_globex_then_it_is_refused_and_neither_workspace_changes(
        two_workspaces, sessions):
    run, acme, _, _ = two_workspaces
    view = open_home(run, acme, ACME_MANAGER)

    send_pick(run, acme, ACME_MANAGER, view, ModeChoice("thread", GLOBEX, 30).dumps())

    assert [m["text"] for m in acme.dms(ACME_MANAGER)] == [
        "That choice was for another workspace's settings, so nothing was changed. Change it from the Home of the "
        "workspace you mean."]
    assert not mode_of(sessions, ACME).chosen and not mode_of(sessions, GLOBEX).chosen


def test_given_a_manager_when_a_pick_carries_a_value_we_did_not_write_then_it_is_refused_in_words(
        two_workspaces, sessions):
    run, acme, _, _ = two_workspaces
    view = open_home(run, acme, ACME_MANAGER)

    send_pick(run, acme, ACME_MANAGER, view, '{"m":"everywhere","t":"' + ACME + '","d":30}')

    refusal = next(m["text"] for m in acme.dms(ACME_MANAGER))
    assert refusal.startswith("That is not a choice I know, so nothing was changed."), refusal
    assert not mode_of(sessions, ACME).chosen
    assert settings_section(acme.home_view(ACME_MANAGER))["accessory"]["initial_option"]["text"]["text"] == \
        "The app's default (a private channel)"


def test_given_a_korean_manager_when_they_pick_thread_on_the_home_then_it_reads_korean_and_globex_swarms_in_a_thread(
        two_workspaces, sessions):
    run, _, globex, support = two_workspaces
    view = open_home(run, globex, GLX_MANAGER)
    assert "워크스페이스 설정" in json.dumps(view["blocks"], ensure_ascii=False)

    pick(run, globex, GLX_MANAGER, view, "현재 채널의 스레드")

    refreshed = settings_section(globex.home_view(GLX_MANAGER))
    assert refreshed["text"]["text"].startswith("*새 스웜을 여는 위치*\n`/swarm`을 입력한 채널의 스레드(케이스 카드 아래)\n"
                                                f"_<@{GLX_MANAGER}>님이 <!date^")
    type_swarm(run, globex, GLX_AGENT, support[GLOBEX], CASE)
    assert swarm_of(sessions, GLOBEX, CASE).mode == SwarmMode.THREAD
    assert mode_of(sessions, ACME).chosen is False  # Acme keeps the deployment's channel

"""The Home tab and the export through the real Bolt app and the local Slack stand-in (signed requests)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from bot.views.home import HomeAction
from swarms.db import utcnow
from swarms.models import SwarmStatus
from tests.e2e.conftest import swarm_app  # noqa: F401  (the end-to-end harness's fixture)
from tests.home.conftest import World

DAY = 86400


def seed_activity(app, sessions) -> None:
    """A week of one workspace's swarming (the stand-in's): an open swarm, a closed one, their members and notes."""
    from datetime import timedelta

    now, people = utcnow(), app.people
    with sessions.begin() as session:
        world = World(session, app.workspace.team_id)
        world.person(people.expert, "김지우", tz="Asia/Seoul", locale="ko-KR")
        world.person("U0GONE0001", "Gone Person", deleted=True)
        swarm = world.swarm(opened=now - timedelta(days=2), owner=people.agent, last_activity=now - timedelta(hours=1))
        world.member(swarm, people.expert, invited=now - timedelta(days=2), joined=now - timedelta(days=2),
                     replied=now - timedelta(days=2) + timedelta(minutes=12))
        world.member(swarm, "U0GONE0001", invited=now - timedelta(days=2), joined=now - timedelta(days=2))
        world.note(swarm, people.expert, now - timedelta(hours=3))
        world.note(swarm, "U0GONE0001", now - timedelta(hours=2))
        closed = world.swarm(opened=now - timedelta(days=3), owner=people.agent, status=SwarmStatus.CLOSED,
                             closed=now - timedelta(days=2), case_closed=now - timedelta(days=2, hours=20))
        world.member(closed, people.expert, invited=now - timedelta(days=3), joined=now - timedelta(days=3),
                     credited=True)


def home_text(app, user: str) -> str:
    view = app.workspace.home_view(user)
    assert view is not None, f"no Home tab published for {user}"
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_a_manager_opening_home_sees_team_figures_and_an_agent_only_their_own(swarm_app, sessions):  # noqa: F811
    people = swarm_app.people
    seed_activity(swarm_app, sessions)
    swarm_app.driver.user_opens_home(people.manager)
    swarm_app.driver.user_opens_home(people.agent)
    swarm_app.settle()
    manager = home_text(swarm_app, people.manager)
    assert "Team, last 30 days" in manager and HomeAction.DOWNLOAD in manager
    assert f"<@{people.expert}>" in manager and "Gone Person (left Slack)" in manager
    agent = home_text(swarm_app, people.agent)
    assert "Your swarms" in agent and "Open swarms (1)" in agent
    assert "Team" not in agent and HomeAction.DOWNLOAD not in agent
    assert len(swarm_app.workspace.home_view(people.manager)["blocks"]) <= 100


def test_a_korean_expert_reads_home_in_korean(swarm_app, sessions):  # noqa: F811
    seed_activity(swarm_app, sessions)
    swarm_app.driver.user_opens_home(swarm_app.people.expert)
    swarm_app.settle()
    assert "내 스웜" in home_text(swarm_app, swarm_app.people.expert)


def test_a_non_manager_never_gets_team_figures_even_with_forged_actions(swarm_app, sessions):  # noqa: F811
    people = swarm_app.people
    seed_activity(swarm_app, sessions)
    swarm_app.driver.user_opens_home(people.outsider)
    swarm_app.settle()
    view_id = swarm_app.workspace.home_view(people.outsider)["id"]
    swarm_app.driver.block_action(HomeAction.PERIOD, user=people.outsider, view_id=view_id,
                                  action={"type": "static_select", "selected_option": {"value": "90"}})
    swarm_app.driver.block_action(HomeAction.DOWNLOAD, user=people.outsider, view_id=view_id,
                                  value=json.dumps({"days": 90}))
    swarm_app.settle()
    text = home_text(swarm_app, people.outsider)
    assert "Your contributions, last 90 days" in text and "Team" not in text
    assert swarm_app.workspace.files() == []
    refusals = [m["text"] for m in swarm_app.workspace.dms(people.outsider)]
    assert any("Only managers" in r for r in refusals), refusals


def test_a_forged_period_falls_back_to_the_default(swarm_app):  # noqa: F811
    manager = swarm_app.people.manager
    swarm_app.driver.user_opens_home(manager)
    swarm_app.settle()
    view_id = swarm_app.workspace.home_view(manager)["id"]
    swarm_app.driver.block_action(HomeAction.PERIOD, user=manager, view_id=view_id,
                                  action={"type": "static_select", "selected_option": {"value": "100000"}})
    swarm_app.settle()
    assert "Team, last 30 days" in home_text(swarm_app, manager)


def test_download_sends_the_csv_and_the_chart_to_the_managers_dm(swarm_app, sessions):  # noqa: F811
    people = swarm_app.people
    seed_activity(swarm_app, sessions)
    swarm_app.driver.user_opens_home(people.manager)
    swarm_app.settle()
    view_id = swarm_app.workspace.home_view(people.manager)["id"]
    swarm_app.driver.block_action(HomeAction.DOWNLOAD, user=people.manager, view_id=view_id)
    swarm_app.settle()
    dm = swarm_app.workspace.im_channel(people.manager)
    files = {f.name: f for f in swarm_app.workspace.files(dm)}
    assert set(files) == {"swarm-contributions-30d.csv", "swarm-weekly-30d.png"}
    table = list(csv.DictReader(io.StringIO(files["swarm-contributions-30d.csv"].content.decode("utf-8-sig"))))
    expert = next(row for row in table if row["user_id"] == people.expert)
    assert (expert["name"], expert["notes"], expert["resolutions_credited"]) == ("김지우", "1", "1")
    assert expert["median_first_reply_minutes"] == "12.0"
    assert next(row for row in table if row["user_id"] == "U0GONE0001")["left_slack"] == "yes"
    assert files["swarm-weekly-30d.png"].content.startswith(b"\x89PNG")


def test_swarm_stats_export_is_for_managers_only(swarm_app, sessions):  # noqa: F811
    people = swarm_app.people
    seed_activity(swarm_app, sessions)
    result = swarm_app.swarm("stats export", user=people.outsider)
    assert result.acked_in_time
    assert any("Only managers" in text for text in swarm_app.answers(people.outsider))
    assert swarm_app.workspace.files() == []
    swarm_app.swarm("stats export 7", user=people.manager)
    assert {f.name for f in swarm_app.workspace.files()} == {"swarm-contributions-7d.csv", "swarm-weekly-7d.png"}
    swarm_app.swarm("stats export 14", user=people.manager)
    assert any("/swarm stats export [7|30|90]" in text for text in swarm_app.answers(people.manager))


def test_members_of_the_manager_user_group_are_managers(swarm_app):  # noqa: F811
    people = swarm_app.people
    group = swarm_app.workspace.add_usergroup("support-leads", [people.outsider])
    swarm_app.services.settings = replace(swarm_app.services.settings, manager_usergroup_id=group)
    swarm_app.driver.user_opens_home(people.outsider)
    swarm_app.settle()
    assert "Team, last 30 days" in home_text(swarm_app, people.outsider)


def test_a_thread_swarm_on_home_links_to_its_thread(swarm_app, sessions):  # noqa: F811
    """Given the agent's swarm running in a thread of a team channel, their Home's line opens that thread."""
    now = utcnow()
    with sessions.begin() as session:
        thread = World(session, swarm_app.workspace.team_id).swarm(opened=now, owner=swarm_app.people.agent,
                                                                   thread_ts="1700000000.000100")
        channel = thread.channel_id
    swarm_app.driver.user_opens_home(swarm_app.people.agent)
    swarm_app.settle()
    link = f"https://{swarm_app.workspace.domain}.slack.com/archives/{channel}/p1700000000000100"
    assert f"<{link}|a thread> in <#{channel}>" in home_text(swarm_app, swarm_app.people.agent)

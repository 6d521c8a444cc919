"""The expert finder through real HTTP: signed commands and clicks → Bolt → the Slack stand-in."""

from __future__ import annotations

import threading
from wsgiref.simple_server import make_server

import pytest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.app import create_app
from bot.views.experts import ExpertsAction, InviteValue
from slack_standin import SlackStandIn
from swarms.case_systems.local import LocalCaseSystem
from swarms.experts.directory import import_directory
from swarms.models import Case
from swarms.settings import Settings
from tests.experts.conftest import DIRECTORY, NOW
from tests.standin.conftest import _QuietHandler, _ThreadingWSGIServer

SECRET, TOKEN = "experts-secret", "xoxb-experts"


@pytest.fixture
def slack():
    with SlackStandIn(signing_secret=SECRET, bot_token=TOKEN, team_name="Acme") as standin:
        ws = standin.workspace
        ws.add_user("agent", id="U0AGENT", locale="en-US")
        for p in DIRECTORY:
            ws.add_user(p.name.split()[0].lower(), id=p.user_id, real_name=p.name, locale="en-US")
        ws.add_user("outsider", id="U0OUTSIDER", locale="en-US")
        yield standin


def _bot(slack, sessions, **env):
    settings = Settings.from_env({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                                  "SLACK_API_URL": slack.api_url, "EXPERTS_SUGGESTIONS": "2", **env})
    bot = create_app(settings, client=WebClient(token=TOKEN, base_url=slack.api_url), sessions=sessions,
                     case_system=LocalCaseSystem(sessions))
    server = make_server("127.0.0.1", 0, SlackRequestHandler(bot.bolt), server_class=_ThreadingWSGIServer,
                         handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return bot, slack.driver(f"http://127.0.0.1:{server.server_address[1]}/slack/events"), server


@pytest.fixture
def seeded(sessions):
    with sessions.begin() as session:
        session.add(Case(number="00001001", subject="Inverter shows E-21 after firmware update", status="New",
                         product="SolarMax 5000"))
        # Before the first start: no workspace yet; the token's workspace adopts the directory when it starts.
        import_directory(session, "", DIRECTORY, now=NOW)
    return sessions


def _open_swarm(bot, driver, slack):
    general = slack.workspace.general_id
    driver.command("/swarm", "00001001", user="U0AGENT", channel=general)
    assert bot.services.executor.wait_idle(20)
    channel = next(c for c in slack.workspace.channels() if c.name.startswith("swarm-00001001"))
    suggestions = next(m for m in slack.workspace.messages(channel.id)
                       if any(b.get("block_id") == "experts.header" for b in m.get("blocks", [])))
    return channel, suggestions


def test_a_new_swarm_gets_suggestions_and_invite_asks_by_dm_then_join_adds(slack, seeded):
    bot, driver, server = _bot(slack, seeded)
    try:
        channel, suggestions = _open_swarm(bot, driver, slack)
        first = next(b["accessory"] for b in suggestions["blocks"] if b.get("accessory"))
        expert = InviteValue.loads(first["value"]).user_ids[0]
        driver.block_action(ExpertsAction.INVITE, user="U0AGENT", channel=channel.id, message_ts=suggestions["ts"],
                            value=first["value"])
        assert bot.services.executor.wait_idle(20)
        dm = slack.workspace.im_channel(expert)
        assert dm and expert not in slack.workspace.members(channel.id), "ask mode: a DM, not yet a member"
        request = slack.workspace.messages(dm)[-1]
        driver.block_action(ExpertsAction.JOIN, user=expert, channel=dm, message_ts=request["ts"])
        assert bot.services.executor.wait_idle(20)
        assert expert in slack.workspace.members(channel.id)
        assert any("joined the swarm" in m.get("text", "") for m in slack.workspace.messages(channel.id))
    finally:
        server.shutdown()


def test_a_forged_invite_from_someone_outside_the_swarm_is_refused(slack, seeded):
    bot, driver, server = _bot(slack, seeded)
    try:
        channel, suggestions = _open_swarm(bot, driver, slack)
        value = InviteValue(1, ("U0UI",)).dumps()
        driver.block_action(ExpertsAction.INVITE, user="U0OUTSIDER", channel=channel.id,
                            message_ts=suggestions["ts"], value=value)
        assert bot.services.executor.wait_idle(20)
        assert slack.workspace.im_channel("U0UI") is None, "nobody was asked"
        assert any("right" in r["payload"].get("text", "") for r in slack.responses("U0OUTSIDER"))
    finally:
        server.shutdown()


def test_add_mode_and_a_hand_invite_with_a_deactivated_user(slack, seeded):
    slack.workspace.deactivate_user("U0BAT")
    bot, driver, server = _bot(slack, seeded, EXPERTS_INVITE_MODE="add")
    try:
        channel, _ = _open_swarm(bot, driver, slack)
        driver.command("/swarm", "invite <@U0NET|sara> <@U0BAT|joon>", user="U0AGENT", channel=channel.id)
        assert bot.services.executor.wait_idle(20)
        assert "U0NET" in slack.workspace.members(channel.id)
        assert "U0BAT" not in slack.workspace.members(channel.id)
        answers = " ".join(r["payload"].get("text", "") for r in slack.responses("U0AGENT"))
        assert "account deactivated" in answers
    finally:
        server.shutdown()

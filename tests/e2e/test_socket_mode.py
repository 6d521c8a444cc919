"""The real bot over Socket Mode: Bolt's SocketModeHandler connected to the stand-in, no signing secret."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import start_swarm_app
from tests.e2e.test_note_sync import case_notes


@pytest.fixture
def socket_app(sessions):
    app = start_swarm_app(sessions, {}, socket_mode=True)
    yield app
    app.run.stop()


def open_swarm_over_socket_mode(app, number: str = "00001026") -> tuple[str, str]:
    result = app.swarm(number)
    assert result.status == 200 and result.acked_in_time
    channel = next(c for c in app.workspace.channels() if c.name.startswith(f"swarm-{number}"))
    app.workspace.join(channel.id, app.people.expert)
    app.settle()
    return channel.id, app.workspace.messages(channel.id)[0]["ts"]


def test_given_socket_mode_when_the_agent_runs_swarm_then_the_channel_and_card_exist(socket_app, sessions):
    assert socket_app.services.settings.slack_signing_secret == ""

    channel, card_ts = open_swarm_over_socket_mode(socket_app)
    socket_app.driver.user_posts(socket_app.people.expert, channel, "E-21은 DC 절연 저항 경고입니다", thread_ts=card_ts)
    socket_app.settle()

    assert socket_app.standin.socket_mode.deliveries[0].type == "slash_commands"
    assert "00001026" in socket_app.standin.socket_mode.deliveries[0].ack_payload["text"]
    assert "Inverter shows E-21" in str(socket_app.workspace.messages(channel)[0]["blocks"])
    assert [n.body.splitlines()[0] for n in case_notes(sessions)] == ["E-21은 DC 절연 저항 경고입니다"]


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
def test_when_slack_asks_for_a_new_connection_the_bot_reconnects_and_keeps_working(socket_app, sessions, reason):
    channel, card_ts = open_swarm_over_socket_mode(socket_app)

    socket_app.standin.socket_mode.disconnect(reason, close_after=0.5)
    socket_app.standin.socket_mode.wait_for(hellos=2, open_connections=1, timeout=60)
    socket_app.driver.user_posts(socket_app.people.expert, channel, "after the refresh", thread_ts=card_ts)
    socket_app.settle()

    assert len(socket_app.standin.calls("apps.connections.open")) == 2
    assert [n.body.splitlines()[0] for n in case_notes(sessions)] == ["after the refresh"]
    assert socket_app.swarm("status", channel=channel).status == 200


def test_an_event_not_acked_in_time_is_redelivered_and_captured_once(socket_app, sessions):
    channel, card_ts = open_swarm_over_socket_mode(socket_app)
    socket_app.standin.socket_mode.lose_next_acks(1)
    socket_app.standin.socket_mode.ack_timeout = 1.0  # Slack waits 3 s; a lost ack needs not cost the test that

    socket_app.driver.user_posts(socket_app.people.expert, channel, "Check the DC isolation", thread_ts=card_ts)
    socket_app.standin.socket_mode.ack_timeout = 3.0
    socket_app.settle()

    events = [d for d in socket_app.standin.socket_mode.deliveries if d.type == "events_api"
              and d.payload["event"].get("text") == "Check the DC isolation"]
    assert (events[0].retry_attempt, events[0].acked, events[-1].acked) == (0, False, True)
    assert [d.retry_attempt for d in events] == list(range(len(events)))  # 1 retry; more on a starved machine
    assert {d.payload["event_id"] for d in events} == {events[0].payload["event_id"]}
    assert [n.body.splitlines()[0] for n in case_notes(sessions)] == ["Check the DC isolation"]


def test_a_bot_too_slow_to_ack_gets_every_retry_and_still_captures_the_note_once(socket_app, sessions):
    channel, card_ts = open_swarm_over_socket_mode(socket_app)
    slack = socket_app.standin.socket_mode
    slack.ack_timeout = 0.001  # every attempt counts as late: retries arrive while the first is still handled

    socket_app.driver.user_posts(socket_app.people.expert, channel, "Swap the string fuse", thread_ts=card_ts)
    slack.wait_for(late_acks=4, timeout=60)  # the bot answered all four attempts, each after Slack had given up
    slack.ack_timeout = 3.0
    socket_app.settle()

    events = [d for d in slack.deliveries if d.type == "events_api" and d.payload["event"].get("text") == "Swap the string fuse"]
    assert [(d.retry_attempt, d.acked) for d in events] == [(0, False), (1, False), (2, False), (3, False)]
    assert [n.body.splitlines()[0] for n in case_notes(sessions)] == ["Swap the string fuse"]

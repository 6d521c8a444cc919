"""The stand-in's Socket Mode against Bolt's own, unchanged SocketModeHandler (slack_sdk's built-in client)."""

from __future__ import annotations

import json

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_standin import SlackStandIn
from tests.standin.conftest import TOKEN

APP_TOKEN = "xapp-1-A0STANDAPP-1-test"


@pytest.fixture
def socket_standin():
    with SlackStandIn(bot_token=TOKEN, app_token=APP_TOKEN, team_name="Acme") as slack:
        yield slack


@pytest.fixture
def socket_bot(socket_standin):
    """A tiny Bolt app connected over Socket Mode; no signing secret anywhere."""
    app = App(client=WebClient(token=TOKEN, base_url=socket_standin.api_url), signing_secret="",
              process_before_response=True)
    heard: list[dict] = []

    @app.command("/swarm")
    def swarm(ack, command):
        heard.append(command)
        ack(response_type="ephemeral", text=f"Opening a swarm for {command['text']}")

    @app.action("join")
    def join(ack, body):
        heard.append(body)
        ack()

    @app.view("open")
    def submitted(ack, view):
        heard.append(view)
        ack(response_action="errors", errors={"case": "No such case"})

    @app.event("message")
    def message(event):
        heard.append(event)

    @app.event("member_joined_channel")
    def joined():
        pass  # handled, so acked: Bolt leaves an unhandled event unacked and Slack would redeliver it

    handler = SocketModeHandler(app, APP_TOKEN, ping_interval=60)
    handler.connect()
    socket_standin.socket_mode.wait_for(hellos=1, open_connections=1)
    socket_standin.deliver_events_over_socket_mode()
    yield handler, heard
    handler.client.auto_reconnect_enabled = False
    socket_standin.socket_mode.stop()  # Slack closes the connection: the client's blocking read ends at once
    handler.client.closed = True
    handler.client.message_queue.put(None)  # and its message loop stops polling its queue (1 s) at once
    handler.close()


def test_the_app_token_opens_a_connection_and_slack_says_hello(socket_standin):
    client = WebClient(token=TOKEN, base_url=socket_standin.api_url)
    url = client.apps_connections_open(app_token=APP_TOKEN)["url"]
    assert url.startswith("ws://127.0.0.1:") and "/link/?ticket=" in url and "app_id=A0STANDAPP" in url

    for token, error in [("xapp-1-wrong", "invalid_auth"), (TOKEN, "not_allowed_token_type")]:
        with pytest.raises(SlackApiError) as refused:
            client.apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    with pytest.raises(SlackApiError) as wrong_side:
        WebClient(token=APP_TOKEN, base_url=socket_standin.api_url).chat_postMessage(channel="C1", text="hi")
    assert wrong_side.value.response["error"] == "not_allowed_token_type"


def test_a_hello_comes_first_and_a_ticket_is_good_for_one_connection(socket_standin):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url = WebClient(token=TOKEN, base_url=socket_standin.api_url).apps_connections_open(app_token=APP_TOKEN)["url"]
    with connect(url) as websocket:
        hello = json.loads(websocket.recv(timeout=5))
        with pytest.raises(InvalidStatus) as reused:
            connect(url)
    assert hello["type"] == "hello" and hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": "A0STANDAPP"}
    assert hello["debug_info"]["approximate_connection_time"] > 0
    assert reused.value.response.status_code == 401


def test_a_slash_command_is_answered_by_the_ack_payload(socket_standin, socket_bot):
    _, heard = socket_bot
    dana = socket_standin.workspace.add_user("dana")

    result = socket_standin.socket_driver().command("/swarm", "00001026", user=dana,
                                                    channel=socket_standin.workspace.general_id)

    assert result.status == 200 and result.acked_in_time
    assert result.json() == {"response_type": "ephemeral", "text": "Opening a swarm for 00001026"}
    assert heard[0]["text"] == "00001026" and heard[0]["response_url"].startswith(socket_standin.url)
    delivery = socket_standin.socket_mode.deliveries[-1]
    assert (delivery.type, delivery.acked) == ("slash_commands", True)


def test_clicks_and_modal_answers_travel_as_interactive_envelopes(socket_standin, socket_bot):
    _, heard = socket_bot
    ws = socket_standin.workspace
    client = WebClient(token=TOKEN, base_url=socket_standin.api_url)
    dana = ws.add_user("dana")
    client.conversations_join(channel=ws.general_id)
    button = {"type": "button", "action_id": "join", "text": {"type": "plain_text", "text": "Join"}, "value": "5"}
    posted = client.chat_postMessage(channel=ws.general_id, text="Swarm", blocks=[{"type": "actions",
                                                                                   "elements": [button]}])
    driver = socket_standin.socket_driver()

    clicked = driver.block_action("join", user=dana, channel=ws.general_id, message_ts=posted["ts"])
    view = ws.open_view(ws.new_trigger(dana), {"type": "modal", "callback_id": "open", "blocks": [],
                                               "title": {"type": "plain_text", "text": "Open"}})
    submitted = driver.view_submission(view["id"], user=dana)

    assert clicked.status == 200 and heard[0]["actions"][0]["value"] == "5"
    assert submitted.json() == {"response_action": "errors", "errors": {"case": "No such case"}}
    assert [d.acked for d in socket_standin.socket_mode.deliveries if d.type == "interactive"] == [True, True]
    assert ws.modal_stack(dana)[0]["id"] == view["id"]  # `errors` keeps the modal open


def test_refresh_requested_makes_the_app_reconnect_and_nothing_is_lost(socket_standin, socket_bot):
    _, heard = socket_bot
    ws = socket_standin.workspace
    dana = ws.add_user("dana")
    ws.join(ws.general_id, ws.bot_user_id)

    socket_standin.socket_mode.disconnect("refresh_requested", close_after=0.5)
    socket_standin.socket_mode.wait_for(hellos=2, open_connections=1)
    socket_standin.socket_driver().user_posts(dana, ws.general_id, "after the refresh")

    assert len(socket_standin.calls("apps.connections.open")) == 2
    assert [e["text"] for e in heard if "subtype" not in e] == ["after the refresh"]
    assert {r.status for r in socket_standin.deliveries()} == {200}


def test_an_event_whose_ack_is_lost_is_redelivered_with_its_retry_attempt(socket_standin, socket_bot):
    _, heard = socket_bot
    ws = socket_standin.workspace
    dana = ws.add_user("dana")
    ws.join(ws.general_id, ws.bot_user_id)
    socket_standin.drain_events()
    socket_standin.socket_mode.lose_next_acks(1)
    socket_standin.socket_mode.ack_timeout = 0.5  # Slack waits 3 s

    socket_standin.socket_driver().user_posts(dana, ws.general_id, "hello")

    first, *retries = [d for d in socket_standin.socket_mode.deliveries if d.payload["event"].get("text") == "hello"]
    assert (first.retry_attempt, first.acked, first.error) == (0, False, "ack_timeout")
    assert [d.retry_attempt for d in retries] == list(range(1, len(retries) + 1)) and retries[-1].acked
    assert {d.payload["event_id"] for d in retries} == {first.payload["event_id"]}
    assert first.envelope_id not in {d.envelope_id for d in retries}
    assert [e["text"] for e in heard if "subtype" not in e] == ["hello"] * (1 + len(retries))  # Bolt never dedupes

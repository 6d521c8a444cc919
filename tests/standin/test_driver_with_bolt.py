"""The driver against a real Bolt app: signed commands, events with retries, interactions, response URLs."""

from __future__ import annotations

import json

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from tests.standin.conftest import SECRET, TOKEN


@pytest.fixture
def bot(standin, serve):
    """A tiny Bolt app that records what it heard and answers through the stand-in."""
    client = WebClient(token=TOKEN, base_url=standin.api_url)
    app = App(signing_secret=SECRET, client=client, process_before_response=True)
    heard: list[dict] = []

    @app.command("/swarm")
    def swarm(ack, command, respond, client):
        ack()
        heard.append(command)
        client.views_open(trigger_id=command["trigger_id"], view={
            "type": "modal", "callback_id": "open", "title": {"type": "plain_text", "text": "Open swarm"},
            "submit": {"type": "plain_text", "text": "Open"},
            "blocks": [{"type": "input", "block_id": "case", "label": {"type": "plain_text", "text": "Case"},
                        "element": {"type": "plain_text_input", "action_id": "number"}}]})
        respond("Working on it")

    @app.view("open")
    def submitted(ack, view):
        heard.append(view)
        ack()

    @app.action("join")
    def join(ack, body, respond):
        ack()
        heard.append(body)
        respond(replace_original=True, text="Joined")

    @app.shortcut("note")
    def note(ack, shortcut):
        ack()
        heard.append(shortcut)

    @app.event("message")
    def message(event):
        heard.append(event)

    @app.event("reaction_added")
    def reaction(event):
        heard.append(event)

    @app.event("app_home_opened")
    def home(event, client):
        heard.append(event)
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    handler = SlackRequestHandler(app)
    url = serve(handler)
    return url, heard


def test_slash_command_is_signed_acked_and_carries_a_live_trigger_and_response_url(standin, bot):
    url, heard = bot
    dana = standin.workspace.add_user("dana")
    result = standin.driver(url).command("/swarm", "00001026", user=dana, channel=standin.workspace.general_id)

    assert result.status == 200 and result.acked_in_time
    assert heard[0]["text"] == "00001026" and heard[0]["user_name"] == "dana" and heard[0]["channel_name"] == "general"
    assert [v["callback_id"] for v in standin.workspace.modal_stack(dana)] == ["open"]
    assert standin.responses(dana)[0]["payload"]["text"] == "Working on it"
    assert standin.workspace.ephemerals(dana)[0]["text"] == "Working on it"


def test_unsigned_and_stale_requests_are_refused(standin, bot):
    url, heard = bot
    driver = standin.driver(url)
    assert driver.command("/swarm", user="U1", channel="C1", sign=False).status == 401
    assert driver.command("/swarm", user="U1", channel="C1", timestamp_offset=-600).status == 401
    assert heard == []


def test_view_submission_closes_the_modal(standin, bot):
    url, heard = bot
    dana = standin.workspace.add_user("dana")
    driver = standin.driver(url)
    driver.command("/swarm", user=dana, channel=standin.workspace.general_id)
    view_id = standin.workspace.modal_stack(dana)[0]["id"]

    result = driver.view_submission(view_id, user=dana, values={"case": {"number": {"type": "plain_text_input", "value": "42"}}})

    assert result.status == 200
    assert heard[-1]["state"]["values"]["case"]["number"]["value"] == "42"
    assert standin.workspace.modal_stack(dana) == []


def test_block_action_from_a_message_can_replace_it_through_the_response_url(standin, bot, client):
    url, heard = bot
    ws = standin.workspace
    dana = ws.add_user("dana")
    client.conversations_join(channel=ws.general_id)
    button = {"type": "button", "action_id": "join", "text": {"type": "plain_text", "text": "Join"}, "value": "5005"}
    posted = client.chat_postMessage(channel=ws.general_id, text="Swarm opened",
                                     blocks=[{"type": "actions", "block_id": "swarm", "elements": [button]}])

    result = standin.driver(url).block_action("join", user=dana, channel=ws.general_id, message_ts=posted["ts"])

    assert result.status == 200
    action = heard[-1]["actions"][0]
    assert (action["block_id"], action["value"], heard[-1]["container"]["type"]) == ("swarm", "5005", "message")
    assert ws.message(ws.general_id, posted["ts"])["text"] == "Joined"
    assert standin.responses(dana)[0]["action"] == "replace_original"


def test_message_shortcut_carries_the_message(standin, bot):
    url, heard = bot
    ws = standin.workspace
    dana = ws.add_user("dana")
    driver = standin.driver(url)
    message = ws.post_message(ws.general_id, user=dana, text="the DB is down")
    assert driver.message_shortcut("note", user=dana, channel=ws.general_id, message_ts=message["ts"]).status == 200
    assert heard[-1]["type"] == "message_action" and heard[-1]["message"]["text"] == "the DB is down"
    assert driver.global_shortcut("note", user=dana).status == 200
    assert heard[-1]["type"] == "shortcut"


def test_people_posting_deliver_events_and_bot_messages_carry_bot_id(standin, bot, client):
    url, heard = bot
    ws = standin.workspace
    dana = ws.add_user("dana")
    channel = client.conversations_create(name="swarm-1", is_private=True)["channel"]["id"]
    client.conversations_invite(channel=channel, users=dana)
    standin.deliver_events_to(url)
    driver = standin.driver(url)

    parent = client.chat_postMessage(channel=channel, text="Swarm opened")
    standin.drain_events()
    reply = driver.user_posts(dana, channel, "I can take the DB side", thread_ts=parent["ts"])
    driver.user_reacts(dana, channel, parent["ts"], "eyes")
    driver.user_edits(dana, channel, reply["ts"], "I take the DB side")
    driver.user_deletes(dana, channel, reply["ts"])

    # Bolt drops the bot's own message (it carries bot_id, as in Slack); the people's events all arrive
    kinds = [(e["type"], e.get("subtype")) for e in heard]
    assert kinds == [("message", None), ("reaction_added", None), ("message", "message_changed"),
                     ("message", "message_deleted")]
    assert heard[0]["thread_ts"] == parent["ts"] and heard[0]["parent_user_id"] == ws.bot_user_id
    own = standin.events()[-5]
    assert (own["text"], own["bot_id"], own["user"]) == ("Swarm opened", ws.bot_id, ws.bot_user_id)
    assert [r.status for r in standin.deliveries()] == [200] * 5


def test_app_home_opened_lets_the_bot_publish(standin, bot):
    url, heard = bot
    dana = standin.workspace.add_user("dana")
    assert standin.driver(url).user_opens_home(dana).status == 200
    assert heard[-1]["type"] == "app_home_opened"
    assert standin.workspace.home_view(dana)["type"] == "home"


def test_url_verification_echoes_the_challenge(standin, bot):
    url, _ = bot
    result = standin.driver(url).url_verification("abc")
    assert result.status == 200 and result.json() == {"challenge": "abc"}


def test_a_failed_delivery_is_retried_with_the_same_event_id(standin, serve):
    seen = []

    def flaky(environ, start_response):
        seen.append((environ.get("HTTP_X_SLACK_RETRY_NUM"), environ.get("HTTP_X_SLACK_RETRY_REASON")))
        start_response("500 Internal Server Error" if len(seen) == 1 else "200 OK", [("Content-Type", "text/plain")])
        return [b""]

    url = serve(flaky)
    ws = standin.workspace
    dana = ws.add_user("dana")
    ws.join(ws.general_id, ws.bot_user_id)
    standin.deliver_events_to(url)
    standin.driver(url).user_posts(dana, ws.general_id, "hello")
    assert seen == [(None, None), ("1", "http_error")]
    assert standin.deliveries()[-1].status == 200


def dana_posts_asynchronously(standin, url: str, count: int) -> None:
    """Dana posts m0, m1, … in #general while the stand-in delivers events on its own thread; then drain."""
    ws = standin.workspace
    dana = ws.add_user("dana")
    ws.join(ws.general_id, ws.bot_user_id)
    standin.deliver_events_to(url, asynchronous=True)
    for n in range(count):
        ws.post_message(ws.general_id, user=dana, text=f"m{n}")
    standin.drain_events()


def test_asynchronous_delivery_catches_up_on_drain(standin, bot):
    url, heard = bot
    dana_posts_asynchronously(standin, url, 5)
    assert [e["text"] for e in heard if e["type"] == "message"] == [f"m{n}" for n in range(5)]


def test_a_cut_answer_is_a_failed_delivery_and_later_events_still_arrive(standin, serve):
    """Given a bot whose first answer is cut short, the asynchronous deliverer retries and goes on."""
    seen = []

    def cut_once(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        seen.append(json.loads(body)["event"]["text"])
        # The first answer promises 100 bytes and sends none: the driver reads an incomplete response.
        length = "100" if len(seen) == 1 else "0"
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", length)])
        return [b""]

    dana_posts_asynchronously(standin, serve(cut_once), 3)
    assert seen == ["m0", "m0", "m1", "m2"]  # the cut answer counted as a failure, so m0 was retried
    assert [d.status for d in standin.deliveries()] == [200, 200, 200]

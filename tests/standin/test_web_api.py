"""The stand-in's Web API through the real slack_sdk WebClient: answers, error codes, cursors, faults."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from slack_standin import SlackStandIn
from slack_standin.signing import signed_headers
from tests.standin.conftest import SECRET, TOKEN


def error_of(call, *args, **kwargs) -> dict:
    with pytest.raises(SlackApiError) as caught:
        call(*args, **kwargs)
    return caught.value.response.data


def test_auth_is_checked(standin):
    assert error_of(WebClient(token="xoxb-wrong", base_url=standin.api_url).auth_test)["error"] == "invalid_auth"
    assert error_of(WebClient(base_url=standin.api_url).auth_test)["error"] == "not_authed"


def test_channel_names_and_creation_errors(client):
    created = client.conversations_create(name="swarm-00001026", is_private=True)["channel"]
    assert (created["is_private"], created["is_member"], created["name"]) == (True, True, "swarm-00001026")
    assert error_of(client.conversations_create, name="swarm-00001026")["error"] == "name_taken"
    assert error_of(client.conversations_create, name="Swarm 1!")["error"] == "invalid_name_specials"


def test_invite_errors_one_by_one_and_per_user_with_force(standin, client):
    ws = standin.workspace
    dana, lee = ws.add_user("dana"), ws.add_user("lee")
    channel = client.conversations_create(name="swarm-1")["channel"]["id"]
    assert error_of(client.conversations_invite, channel="CNOPE", users=dana)["error"] == "channel_not_found"
    assert error_of(client.conversations_invite, channel=channel, users=ws.bot_user_id)["error"] == "cant_invite_self"
    assert error_of(client.conversations_invite, channel=channel, users="UNOPE")["error"] == "user_not_found"
    client.conversations_invite(channel=channel, users=dana)
    assert error_of(client.conversations_invite, channel=channel, users=dana)["error"] == "already_in_channel"

    answer = error_of(client.conversations_invite, channel=channel, users=[dana, lee, "UNOPE"], force=True)
    assert answer["errors"] == [{"user": dana, "ok": False, "error": "already_in_channel"},
                                {"user": "UNOPE", "ok": False, "error": "user_not_found"}]
    assert lee in ws.members(channel)


def test_a_private_channel_the_bot_is_not_in_does_not_exist_for_it(standin, client):
    ws = standin.workspace
    hidden = ws.add_channel("secret", is_private=True, members=[ws.add_user("dana")])
    assert error_of(client.conversations_info, channel=hidden)["error"] == "channel_not_found"
    public = ws.add_channel("support")
    assert error_of(client.chat_postMessage, channel=public, text="hi")["error"] == "not_in_channel"


def test_archived_channels_refuse_posts(client):
    channel = client.conversations_create(name="swarm-2")["channel"]["id"]
    client.conversations_archive(channel=channel)
    assert error_of(client.chat_postMessage, channel=channel, text="hi")["error"] == "is_archived"
    client.conversations_unarchive(channel=channel)
    assert client.chat_postMessage(channel=channel, text="hi")["ok"]


def test_message_limits(client):
    channel = client.conversations_create(name="swarm-3")["channel"]["id"]
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    assert error_of(client.chat_postMessage, channel=channel, text="x", blocks=[section] * 51)["error"] == "invalid_blocks"
    assert error_of(client.chat_postMessage, channel=channel, text="x" * 40_001)["error"] == "msg_too_long"
    with pytest.warns(UserWarning, match="text"):
        assert error_of(client.chat_postMessage, channel=channel)["error"] == "no_text"


def test_update_delete_and_permalink(standin, client):
    ws = standin.workspace
    dana = ws.add_user("dana")
    channel = client.conversations_create(name="swarm-4")["channel"]["id"]
    ts = client.chat_postMessage(channel=channel, text="v1")["ts"]
    assert client.chat_update(channel=channel, ts=ts, text="v2")["message"]["text"] == "v2"
    theirs = ws.post_message(channel, user=dana, text="mine")["ts"]
    assert error_of(client.chat_update, channel=channel, ts=theirs, text="x")["error"] == "cant_update_message"
    assert error_of(client.chat_update, channel=channel, ts="1.000001", text="x")["error"] == "message_not_found"
    assert client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"].endswith(ts.replace(".", ""))
    client.chat_delete(channel=channel, ts=ts)
    assert [m["text"] for m in ws.messages(channel)] == ["mine"]


def test_threads_history_and_cursors(standin, client):
    ws = standin.workspace
    dana = ws.add_user("dana")
    channel = client.conversations_create(name="swarm-5")["channel"]["id"]
    parent = client.chat_postMessage(channel=channel, text="parent")["ts"]
    for n in range(3):
        ws.post_message(channel, user=dana, text=f"reply {n}", thread_ts=parent)
    first = client.conversations_replies(channel=channel, ts=parent, limit=2)
    second = client.conversations_replies(channel=channel, ts=parent, limit=2, cursor=first["response_metadata"]["next_cursor"])
    assert [m["text"] for m in first["messages"] + second["messages"]] == ["parent", "reply 0", "reply 1", "reply 2"]
    assert second["response_metadata"]["next_cursor"] == "" and not second["has_more"]
    assert first["messages"][0]["reply_count"] == 3
    assert error_of(client.conversations_history, channel=channel, cursor="garbage!")["error"] == "invalid_cursor"


def test_users_list_pages_through_every_user(standin, client):
    for n in range(5):
        standin.workspace.add_user(f"user{n}")
    names, cursor = [], None
    while cursor != "":
        page = client.users_list(limit=2, cursor=cursor)
        names += [m["name"] for m in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
    assert len(names) == 6 and len(set(names)) == 6


def test_users_and_usergroups(standin, client):
    ws = standin.workspace
    dana = ws.add_user("dana", email="dana@acme.test", locale="ko-KR", profile_fields={"Xf01": "DB"})
    assert client.users_info(user=dana, include_locale=True)["user"]["locale"] == "ko-KR"
    assert "locale" not in client.users_info(user=dana)["user"]
    assert client.users_lookupByEmail(email="DANA@acme.test")["user"]["id"] == dana
    assert error_of(client.users_lookupByEmail, email="nobody@acme.test")["error"] == "users_not_found"
    assert error_of(client.users_info, user="UNOPE")["error"] == "user_not_found"
    assert client.users_profile_get(user=dana)["profile"]["fields"]["Xf01"]["value"] == "DB"
    group = ws.add_usergroup("db-oncall", [dana])
    assert client.usergroups_users_list(usergroup=group)["users"] == [dana]


def test_reactions_pins_bookmarks(standin, client):
    ws = standin.workspace
    channel = client.conversations_create(name="swarm-6")["channel"]["id"]
    ts = client.chat_postMessage(channel=channel, text="summary")["ts"]
    client.reactions_add(channel=channel, timestamp=ts, name="eyes")
    assert client.reactions_get(channel=channel, timestamp=ts)["message"]["reactions"][0]["name"] == "eyes"
    assert error_of(client.reactions_add, channel=channel, timestamp=ts, name="eyes")["error"] == "already_reacted"
    client.pins_add(channel=channel, timestamp=ts)
    assert ws.pins(channel) == [ts]
    client.bookmarks_add(channel_id=channel, title="Case 00001026", type="link", link="https://crm.example/5005")
    assert [b["title"] for b in client.bookmarks_list(channel_id=channel)["bookmarks"]] == ["Case 00001026"]


def test_dms_open_once(standin, client):
    dana = standin.workspace.add_user("dana")
    first = client.conversations_open(users=dana)
    again = client.conversations_open(users=dana)
    assert first["channel"]["id"] == again["channel"]["id"] and again["already_open"]
    client.chat_postMessage(channel=dana, text="hello in DM")
    assert [m["text"] for m in standin.workspace.dms(dana)] == ["hello in DM"]


def test_views_need_a_fresh_unused_trigger(standin, client):
    ws = standin.workspace
    dana = ws.add_user("dana")
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Swarm"}, "blocks": []}
    trigger = ws.new_trigger(dana)
    opened = client.views_open(trigger_id=trigger, view=modal)["view"]
    assert error_of(client.views_open, trigger_id=trigger, view=modal)["error"] == "exchanged_trigger_id"
    late = ws.new_trigger(dana)
    ws.clock.advance(3.5)
    assert error_of(client.views_open, trigger_id=late, view=modal)["error"] == "expired_trigger_id"
    assert error_of(client.views_open, trigger_id="1.2.nope", view=modal)["error"] == "invalid_trigger_id"
    updated = client.views_update(view_id=opened["id"], view={**modal, "title": {"type": "plain_text", "text": "New"}})
    assert updated["view"]["title"]["text"] == "New"


def test_views_with_too_many_blocks_are_invalid_arguments(standin, client):
    dana = standin.workspace.add_user("dana")
    home = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    answer = error_of(client.views_publish, user_id=dana, view=home)
    assert answer["error"] == "invalid_arguments" and "100" in answer["response_metadata"]["messages"][0]


def test_files_upload_v2_shares_into_the_channel_with_the_comment(standin, client):
    ws = standin.workspace
    channel = client.conversations_create(name="swarm-7")["channel"]["id"]
    uploaded = client.files_upload_v2(channel=channel, content="a,b\n1,2\n", filename="experts.csv",
                                      title="Experts", initial_comment="Who knows what")
    stored = ws.files(channel)[0]
    assert (stored.id, stored.title, stored.content) == (uploaded["file"]["id"], "Experts", b"a,b\n1,2\n")
    message = ws.messages(channel)[-1]
    assert message["text"] == "Who knows what" and message["files"][0]["id"] == stored.id


def test_missing_scope_names_what_is_needed():
    with SlackStandIn(bot_token=TOKEN, scopes={"chat:write"}) as slack:
        client = WebClient(token=TOKEN, base_url=slack.api_url)
        answer = error_of(client.conversations_create, name="x")
        assert (answer["error"], answer["needed"]) == ("missing_scope", "channels:manage")


def test_fail_next_and_the_call_log(standin, client):
    standin.fail_next("chat.postMessage", error="fatal_error", times=2)
    channel = client.conversations_create(name="swarm-8")["channel"]["id"]
    assert error_of(client.chat_postMessage, channel=channel, text="a")["error"] == "fatal_error"
    assert error_of(client.chat_postMessage, channel=channel, text="a")["error"] == "fatal_error"
    assert client.chat_postMessage(channel=channel, text="a")["ok"]
    assert [args["text"] for _, args in standin.calls("chat.postMessage")] == ["a", "a", "a"]


def test_rate_limit_is_a_429_that_slack_sdk_waits_out(standin):
    client = WebClient(token=TOKEN, base_url=standin.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    standin.rate_limit("auth.test", retry_after=1)
    started = time.monotonic()
    assert client.auth_test()["ok"]
    assert time.monotonic() - started >= 1.0
    assert len(standin.calls("auth.test")) == 2
    bare = WebClient(token=TOKEN, base_url=standin.api_url)
    standin.fail_next("auth.test", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        bare.auth_test()
    assert caught.value.response.status_code == 429 and caught.value.response.headers["Retry-After"] in ("7", ["7"])


def test_signed_headers_pass_slack_sdks_verifier():
    body = b"token=x&command=%2Fswarm"
    headers = signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded")
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    wrong = signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded", sign=False)
    assert not verifier.is_valid_request(body, wrong)
    stale = signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded", timestamp_offset=-301)
    assert not verifier.is_valid_request(body, stale)


def test_response_urls_record_and_expire(standin):
    ws = standin.workspace
    dana = ws.add_user("dana")
    token = ws.new_response_url(dana, ws.general_id)

    def post(payload):
        request = urllib.request.Request(f"{standin.url}/respond/{token}", data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            return urllib.request.urlopen(request).status
        except urllib.error.HTTPError as error:
            return error.code

    assert post({"text": "only you", "response_type": "ephemeral"}) == 200
    assert post({"text": "everyone", "response_type": "in_channel"}) == 200
    assert [r["action"] for r in standin.responses(dana)] == ["ephemeral", "in_channel"]
    assert ws.messages(ws.general_id)[-1]["text"] == "everyone"
    ws.clock.advance(31 * 60)
    assert post({"text": "late"}) == 404

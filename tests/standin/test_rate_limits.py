"""The stand-in's rate tiers: a token bucket per method per workspace, posts per channel, 429 with Retry-After."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_standin import RateLimits, SlackStandIn
from slack_standin.rate_limits import TIERS, Limit, seconds_for

TOKEN = "xoxb-limits"


@pytest.fixture
def slack():
    standin = SlackStandIn(bot_token=TOKEN, rate_limits=RateLimits()).start()
    yield standin
    standin.stop()


def client(slack) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack.api_url)  # no retry handler: the 429 reaches us


def test_a_tier_2_method_allows_its_burst_then_answers_429_with_retry_after(slack):
    web = client(slack)
    for n in range(10):
        web.conversations_create(name=f"burst-{n}", is_private=True)
    with pytest.raises(SlackApiError) as refused:
        web.conversations_create(name="one-too-many", is_private=True)
    assert refused.value.response.status_code == 429
    assert refused.value.response["error"] == "ratelimited"
    assert int(refused.value.response.headers["Retry-After"]) == 3  # 20 a minute: one every 3 s
    assert [(r.method, r.retry_after) for r in slack.rate_limited()] == [("conversations.create", 3)]
    assert slack.workspace.channel_by_name("one-too-many") is None, "a refused call changes nothing"


def test_each_method_has_its_own_bucket_and_time_refills_it(slack):
    web = client(slack)
    for n in range(10):
        web.conversations_create(name=f"c-{n}", is_private=True)
    channel = slack.workspace.channel_by_name("c-0").id
    web.pins_add(channel=channel, timestamp=web.chat_postMessage(channel=channel, text="x")["ts"])  # pins: own bucket
    slack.workspace.clock.advance(3)
    web.conversations_create(name="after-three-seconds", is_private=True)
    assert slack.rate_limited() == []


def test_posts_are_paced_per_channel_not_per_workspace(slack):
    web = client(slack)
    general = slack.workspace.add_channel("escalations", members=[slack.workspace.bot_user_id])
    other = slack.workspace.add_channel("other", members=[slack.workspace.bot_user_id])
    for n in range(3):
        web.chat_postMessage(channel=general, text=f"burst {n}")
    with pytest.raises(SlackApiError):
        web.chat_postMessage(channel=general, text="fourth within a second")
    web.chat_postMessage(channel=other, text="another channel is not held back")
    assert [r.bucket for r in slack.rate_limited()] == [f"chat.postMessage:{general}"]


def test_history_limits_are_a_switch_one_call_a_minute_fifteen_messages(slack):
    slack.api.rate_limits.history_limited = True
    web = client(slack)
    general = slack.workspace.add_channel("busy", members=[slack.workspace.bot_user_id])
    for n in range(20):
        slack.workspace.clock.advance(1)
        web.chat_postMessage(channel=general, text=f"m{n}")
    assert len(web.conversations_history(channel=general, limit=100)["messages"]) == 15
    with pytest.raises(SlackApiError) as refused:
        web.conversations_history(channel=general)
    assert int(refused.value.response.headers["Retry-After"]) == 60


def test_without_rate_limits_nothing_is_refused():
    with SlackStandIn(bot_token=TOKEN) as standin:
        web = client(standin)
        for n in range(25):
            web.conversations_create(name=f"free-{n}", is_private=True)
        assert standin.rate_limited() == []


def test_what_a_tier_allows_counts_the_burst_then_the_rate():
    assert seconds_for(60, TIERS[2]) == pytest.approx(150.0)
    assert seconds_for(5, TIERS[2]) == 0.0
    assert seconds_for(100, Limit(60, 3)) == pytest.approx(97.0)

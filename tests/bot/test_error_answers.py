"""What a person reads when Slack asks the app to slow down: in their language, with Slack's wait or none."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.errors import error_text


def too_many_requests(headers: dict) -> SlackApiError:
    response = SlackResponse(client=None, http_verb="POST", api_url="https://slack.com/api/chat.postMessage",
                             req_args={}, data={"ok": False, "error": "ratelimited"}, headers=headers,
                             status_code=429)
    return SlackApiError("ratelimited", response)


@pytest.mark.parametrize(("lang", "said"), [("en", "about 30 s"), ("ko", "약 30초")])
def test_a_429_with_retry_after_says_how_long_slack_asked_to_wait(lang, said):
    assert said in error_text(too_many_requests({"Retry-After": "30"}), lang)


@pytest.mark.parametrize(("lang", "said"), [("en", "wait a little"), ("ko", "잠시 기다려")])
def test_a_429_without_retry_after_says_a_little_in_the_persons_language_with_no_english_left_in(lang, said):
    text = error_text(too_many_requests({}), lang)
    assert said in text
    assert "a few" not in text

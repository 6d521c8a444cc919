"""The stand-in's OAuth v2: codes work once, the client secret is checked, refresh tokens work once, tokens
act in their own workspace, and uninstalling revokes them: as Slack documents it."""

from __future__ import annotations

import urllib.parse

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_standin import OAuthApp, SlackStandIn

REDIRECT = "http://127.0.0.1:9/slack/oauth_redirect"  # never opened: the browser stops before it


@pytest.fixture
def slack():
    with SlackStandIn(oauth=OAuthApp(redirect_url=REDIRECT, token_rotation=True)) as standin:
        standin.acme = standin.add_workspace("T0ACME0001", "Acme")
        yield standin


def code_for(slack, workspace, user="U0ANA00001") -> str:
    query = urllib.parse.urlencode({"client_id": slack.oauth_app.client_id, "scope": "commands,chat:write",
                                    "state": "s1"})
    page = slack.browser().sign_in(workspace, user).open(f"{slack.url}/oauth/v2/authorize?{query}", follow=False)
    assert page.status == 302
    location = urllib.parse.urlsplit(page.headers["location"])
    assert location.path == "/slack/oauth_redirect"
    answer = dict(urllib.parse.parse_qsl(location.query))
    assert answer["state"] == "s1"
    return answer["code"]


def error_of(call) -> str:
    try:
        call()
    except SlackApiError as exc:
        return exc.response["error"]
    return "ok"


def test_a_code_gives_an_expiring_bot_token_for_its_workspace_once(slack):
    client = WebClient(base_url=slack.api_url)
    code = code_for(slack, slack.acme)
    answer = client.oauth_v2_access(client_id=slack.oauth_app.client_id, client_secret="standin-client-secret",
                                    code=code)
    assert answer["team"] == {"id": "T0ACME0001", "name": "Acme"} and answer["token_type"] == "bot"
    assert answer["access_token"].startswith("xoxe.xoxb-") and answer["refresh_token"].startswith("xoxe-1-")
    assert answer["expires_in"] == 43_200
    assert WebClient(token=answer["access_token"], base_url=slack.api_url).auth_test()["team_id"] == "T0ACME0001"
    assert error_of(lambda: client.oauth_v2_access(client_id=slack.oauth_app.client_id,
                                                   client_secret="standin-client-secret", code=code)) == "invalid_code"


def test_a_wrong_client_secret_is_refused(slack):
    code = code_for(slack, slack.acme)
    assert error_of(lambda: WebClient(base_url=slack.api_url).oauth_v2_access(
        client_id=slack.oauth_app.client_id, client_secret="guess", code=code)) == "bad_client_secret"


def test_a_refresh_token_works_once_and_the_new_token_expires_on_slacks_clock(slack):
    client = WebClient(base_url=slack.api_url)
    creds = {"client_id": slack.oauth_app.client_id, "client_secret": "standin-client-secret"}
    first = client.oauth_v2_access(**creds, code=code_for(slack, slack.acme))
    second = client.oauth_v2_access(**creds, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second["access_token"] != first["access_token"]
    assert error_of(lambda: client.oauth_v2_access(**creds, grant_type="refresh_token",
                                                   refresh_token=first["refresh_token"])) == "invalid_refresh_token"
    slack.acme.clock.advance(43_201)
    assert error_of(WebClient(token=second["access_token"], base_url=slack.api_url).auth_test) == "token_expired"


def test_each_token_acts_in_its_own_workspace_and_an_uninstall_revokes_them(slack):
    globex = slack.add_workspace("T0GLOBEX01", "Globex")
    client = WebClient(base_url=slack.api_url)
    creds = {"client_id": slack.oauth_app.client_id, "client_secret": "standin-client-secret"}
    acme_token = client.oauth_v2_access(**creds, code=code_for(slack, slack.acme))["access_token"]
    globex_token = client.oauth_v2_access(**creds, code=code_for(slack, globex))["access_token"]
    WebClient(token=acme_token, base_url=slack.api_url).conversations_create(name="acme-only", is_private=True)

    assert "acme-only" in {c.name for c in slack.acme.channels()}
    assert "acme-only" not in {c.name for c in globex.channels()}
    slack.uninstall(slack.acme)
    assert error_of(WebClient(token=acme_token, base_url=slack.api_url).auth_test) == "token_revoked"
    assert WebClient(token=globex_token, base_url=slack.api_url).auth_test()["team"] == "Globex"
    assert [e["type"] for e in slack.events()][-2:] == ["app_uninstalled", "tokens_revoked"]


def test_a_person_who_cancels_is_sent_back_with_access_denied(slack):
    query = urllib.parse.urlencode({"client_id": slack.oauth_app.client_id, "scope": "commands", "state": "s2"})
    page = slack.browser().sign_in(slack.acme, "U0ANA00001").consent(allow=False) \
        .open(f"{slack.url}/oauth/v2/authorize?{query}", follow=False)
    assert dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.headers["location"]).query)) == \
        {"error": "access_denied", "state": "s2"}

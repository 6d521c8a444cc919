"""Each workspace's client: the one SLACK_BOT_TOKEN for every team, or each installation's own token; and Bolt's
per-request client counted like ours."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.clients import MeteredWebClient, SlackClients, metered_request_client
from swarms.settings import Settings


@dataclass
class FoundBot:
    bot_token: str


class Installations:
    """The installation store as the clients read it: each team's bot token, rotated by swapping it here."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens
        self.reads = 0

    def find_bot(self, *, enterprise_id, team_id):
        self.reads += 1
        token = self.tokens.get(team_id)
        return FoundBot(token) if token else None


def settings(**values) -> Settings:
    return Settings.from_env({"DATABASE_URL": "sqlite://", **values}, needs_slack=False)


def test_on_one_bot_token_every_team_gets_the_one_client():
    clients = SlackClients(settings(SLACK_BOT_TOKEN="xoxb-one"))
    assert clients.for_team("T0ACME0001") is clients.for_team("T0GLOBEX01") is clients.app_client
    assert clients.app_client.token == "xoxb-one"


def test_installed_by_oauth_each_team_calls_with_its_own_token_read_again_after_it_is_forgotten():
    store = Installations({"T0ACME0001": "xoxb-acme", "T0GLOBEX01": "xoxb-globex"})
    clients = SlackClients(settings(), store=store)
    acme, globex = clients.for_team("T0ACME0001"), clients.for_team("T0GLOBEX01")
    assert acme is clients.for_team("T0ACME0001") and acme is not globex
    assert (acme.token, globex.token) == ("xoxb-acme", "xoxb-globex")
    reads = store.reads
    assert acme.token == "xoxb-acme" and store.reads == reads, "kept a while, not read at every call"
    store.tokens["T0ACME0001"] = "xoxb-acme-rotated"
    clients.forget("T0ACME0001")
    assert acme.token == "xoxb-acme-rotated"
    del store.tokens["T0GLOBEX01"]  # uninstalled
    clients.forget("T0GLOBEX01")
    assert globex.token is None


def test_bolts_per_request_client_is_counted_with_the_requests_token_and_team():
    context = BoltContext({"team_id": "T0ACME0001",
                           "client": WebClient(token="xoxb-acme", base_url="http://127.0.0.1:9/api/")})
    called = []
    metered_request_client(context, lambda: called.append(True))
    assert called == [True]
    assert isinstance(context.client, MeteredWebClient)
    assert context.client.token == "xoxb-acme" and context.client.base_url == "http://127.0.0.1:9/api/"


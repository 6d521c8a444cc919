"""Installing in a workspace by OAuth v2, end to end: the browser, Slack's consent page (the stand-in), the
app's redirect, the encrypted installation, token rotation, uninstall; then /swarm works with that token."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from swarms.install.tables import slack_bots, slack_installations, slack_oauth_states
from swarms.install.workspaces import WorkspaceAccess, all_workspaces, workspace
from swarms.models import Case, Swarm
from tests.install.conftest import AGENT, stored_rows


def test_installing_in_a_workspace_stores_its_token_encrypted_and_says_so_in_both_languages(oauth_run, sessions):
    page = oauth_run.install_in(oauth_run.acme, AGENT)

    assert page.status == 200, page.body
    assert "case-swarm is installed in Acme Support" in page.body
    assert "Acme Support에 case-swarm이 설치되었습니다" in page.body
    assert [hop.split("?")[0].rsplit("/", 3)[-3:] for hop in page.hops][1] == ["oauth", "v2", "authorize"]
    [row] = stored_rows(sessions, slack_installations)
    assert row["team_id"] == "T0ACME0001" and row["bot_user_id"] == "UB0ACME0001"
    assert not row["bot_token"].startswith("xox") and "xoxb" not in row["bot_token"]
    [bot] = stored_rows(sessions, slack_bots)
    assert not bot["bot_token"].startswith("xox")
    # the token in the store opens to the one Slack issued, and it works
    token = oauth_run.services.installation_store.find_bot(enterprise_id=None, team_id="T0ACME0001").bot_token
    assert token.startswith("xoxb-T0ACME0001-")
    assert oauth_run.services.slack_for("T0ACME0001").auth_test()["team_id"] == "T0ACME0001"
    assert stored_rows(sessions, slack_oauth_states) == []  # the state was used up
    with sessions() as session:
        assert workspace(session, "T0ACME0001").access is WorkspaceAccess.ACTIVE


def test_after_installing_swarm_works_in_that_workspace(oauth_run, sessions):
    with sessions.begin() as session:
        session.add(Case(number="00002001", subject="Printer offline", status="New", priority="High"))
    oauth_run.install_in(oauth_run.acme, AGENT)

    driver = oauth_run.standin.driver(oauth_run.server.events_url, workspace=oauth_run.acme)
    driver.command("/swarm", "00002001", user=AGENT, channel=oauth_run.acme.general_id)
    oauth_run.settle()

    with sessions() as session:
        swarm = session.scalars(select(Swarm)).one()
    assert swarm.status == "open"
    assert "00002001" in oauth_run.acme.channel(swarm.channel_id).name
    assert AGENT in oauth_run.acme.channel(swarm.channel_id).members


def test_a_forged_state_is_refused_and_nothing_is_installed(oauth_run, sessions):
    browser = oauth_run.standin.browser().sign_in(oauth_run.acme, AGENT)
    to_slack = browser.open(oauth_run.install_url, follow=False)
    consent_url = to_slack.headers["location"].replace("state=", "state=forged-")
    page = browser.open(consent_url)

    assert page.status == 400
    assert "This install link is not valid" in page.body and "유효하지 않은 설치 링크입니다" in page.body
    assert stored_rows(sessions, slack_installations) == []


def test_a_state_from_another_browser_is_refused(oauth_run, sessions):
    first = oauth_run.standin.browser().sign_in(oauth_run.acme, AGENT)
    consent_url = first.open(oauth_run.install_url, follow=False).headers["location"]
    stranger = oauth_run.standin.browser().sign_in(oauth_run.acme, AGENT)  # no state cookie of this app

    page = stranger.open(consent_url)

    assert page.status == 400 and "install link is not valid" in page.body
    assert stored_rows(sessions, slack_installations) == []


def test_a_used_install_link_cannot_install_twice(oauth_run, sessions):
    browser = oauth_run.standin.browser().sign_in(oauth_run.acme, AGENT)
    consent_url = browser.open(oauth_run.install_url, follow=False).headers["location"]
    state_cookie = dict(browser.cookies)
    assert browser.open(consent_url).status == 200

    browser.cookies = state_cookie
    again = browser.open(consent_url)

    assert again.status == 400 and "install link is not valid" in again.body
    assert len(stored_rows(sessions, slack_installations)) == 1


def test_cancelling_on_slacks_page_installs_nothing(oauth_run, sessions):
    page = oauth_run.standin.browser().sign_in(oauth_run.acme, AGENT).consent(allow=False) \
        .install(oauth_run.install_url)

    assert page.status == 200 and "Installation cancelled" in page.body and "설치가 취소되었습니다" in page.body
    assert stored_rows(sessions, slack_installations) == []


@pytest.mark.parametrize("oauth_run", [{"token_rotation": True, "token_lifetime": 3600}], indirect=True)
def test_an_expiring_token_is_rotated_before_it_ends_and_the_used_refresh_token_is_not_reused(oauth_run, sessions):
    oauth_run.install_in(oauth_run.acme, AGENT)
    store = oauth_run.services.installation_store
    [first] = stored_rows(sessions, slack_bots)
    assert first["bot_refresh_token"] and not first["bot_refresh_token"].startswith("xoxe")

    # The token lasts an hour, inside the two hours before expiry when it is rotated: the next read rotates.
    bot = store.find_bot(enterprise_id=None, team_id="T0ACME0001")

    assert bot.bot_token.startswith("xoxe.xoxb-1-T0ACME0001-")
    assert oauth_run.standin.oauth.exchanges == [("authorization_code", "T0ACME0001"),
                                                 ("refresh_token", "T0ACME0001")]
    assert WebClientFor(oauth_run, bot.bot_token).auth_test()["team_id"] == "T0ACME0001"
    [installation] = stored_rows(sessions, slack_installations)
    assert store.cipher.open(installation["bot_token"]) == bot.bot_token  # both tables hold the new token


@pytest.mark.parametrize("oauth_run", [{"token_rotation": True, "token_lifetime": 7000}], indirect=True)
def test_a_token_slack_has_expired_is_never_used_the_app_rotates_first(oauth_run, sessions):
    # Tokens of 7000 s are always within the two hours before their end: each read of the store rotates.
    oauth_run.install_in(oauth_run.acme, AGENT)
    assert oauth_run.services.slack_for("T0ACME0001").auth_test()["team_id"] == "T0ACME0001"
    spent = oauth_run.services.installation_store.find_bot(enterprise_id=None, team_id="T0ACME0001").bot_token
    oauth_run.acme.clock.advance(7001)  # Slack's clock: every token issued so far has expired

    assert error_of(lambda: WebClientFor(oauth_run, spent).auth_test()) == "token_expired"
    oauth_run.services.slack.forget("T0ACME0001")
    assert oauth_run.services.slack_for("T0ACME0001").auth_test()["team_id"] == "T0ACME0001"
    assert [kind for kind, _ in oauth_run.standin.oauth.exchanges] == ["authorization_code"] + ["refresh_token"] * 3


def test_uninstalling_deletes_the_workspaces_tokens_and_pauses_it_for_every_replica(oauth_run, sessions):
    oauth_run.install_in(oauth_run.acme, AGENT)

    oauth_run.standin.uninstall(oauth_run.acme)
    oauth_run.settle()

    assert stored_rows(sessions, slack_installations) == [] and stored_rows(sessions, slack_bots) == []
    with sessions() as session:
        assert workspace(session, "T0ACME0001").access in (WorkspaceAccess.UNINSTALLED,
                                                          WorkspaceAccess.TOKENS_REVOKED)
    # reinstalling makes it active again
    assert oauth_run.install_in(oauth_run.acme, AGENT).status == 200
    with sessions() as session:
        assert workspace(session, "T0ACME0001").access is WorkspaceAccess.ACTIVE


def test_a_second_workspace_installs_beside_the_first_and_each_is_called_with_its_own_token(oauth_run, sessions):
    oauth_run.install_in(oauth_run.acme, AGENT)
    globex = oauth_run.standin.add_workspace("T0GLOBEX01", "Globex")
    globex.add_user("gus", id="U0GLOBEX01", real_name="Gus", email="gus@globex.example", locale="ko-KR")

    page = oauth_run.install_in(globex, "U0GLOBEX01")

    assert page.status == 200 and "case-swarm is installed in Globex" in page.body
    assert {row["team_id"] for row in stored_rows(sessions, slack_installations)} == {"T0ACME0001", "T0GLOBEX01"}
    assert oauth_run.services.slack_for("T0GLOBEX01").auth_test()["team_id"] == "T0GLOBEX01"
    assert oauth_run.services.slack_for("T0ACME0001").auth_test()["team_id"] == "T0ACME0001"
    with sessions() as session:
        assert {w.team_id: w.access for w in all_workspaces(session)} == {
            "T0ACME0001": WorkspaceAccess.ACTIVE, "T0GLOBEX01": WorkspaceAccess.ACTIVE}


def test_uninstalling_one_workspace_leaves_the_other_served_and_reachable(oauth_run, sessions):
    oauth_run.install_in(oauth_run.acme, AGENT)
    globex = oauth_run.standin.add_workspace("T0GLOBEX01", "Globex")
    globex.add_user("gus", id="U0GLOBEX01", real_name="Gus", email="gus@globex.example", locale="ko-KR")
    oauth_run.install_in(globex, "U0GLOBEX01")

    oauth_run.standin.uninstall(globex)
    oauth_run.settle()

    assert {row["team_id"] for row in stored_rows(sessions, slack_installations)} == {"T0ACME0001"}
    with sessions() as session:
        assert workspace(session, "T0GLOBEX01").access is not WorkspaceAccess.ACTIVE
        assert workspace(session, "T0ACME0001").access is WorkspaceAccess.ACTIVE
    access = oauth_run.services.slack_queue.access
    assert access.paused() == {"T0GLOBEX01"} and access.active_teams() == ("T0ACME0001",)
    assert oauth_run.services.slack_for("T0ACME0001").auth_test()["team_id"] == "T0ACME0001"


def WebClientFor(run, token):
    from slack_sdk import WebClient

    return WebClient(token=token, base_url=run.standin.api_url)


def error_of(call) -> str:
    from slack_sdk.errors import SlackApiError

    try:
        call()
    except SlackApiError as exc:
        return exc.response["error"]
    return "ok"


def test_lost_access_to_a_workspace_this_database_never_served_changes_nothing(oauth_run, sessions):
    oauth_run.install_in(oauth_run.acme, AGENT)
    globex = oauth_run.standin.add_workspace("T0GLOBEX01", "Globex")  # the app was never installed there

    oauth_run.standin.uninstall(globex)
    oauth_run.settle()

    with sessions() as session:
        assert workspace(session, "T0GLOBEX01") is None
        assert workspace(session, "T0ACME0001").access is WorkspaceAccess.ACTIVE
    assert len(stored_rows(sessions, slack_installations)) == 1


def test_install_links_nobody_finished_do_not_pile_up(oauth_run, sessions):
    browser = oauth_run.standin.browser().sign_in(oauth_run.acme, AGENT)
    browser.open(oauth_run.install_url, follow=False)
    with sessions.begin() as session:  # that link is now older than its ten minutes
        session.execute(slack_oauth_states.update().values(expire_at=datetime(2020, 1, 1)))

    browser.open(oauth_run.install_url, follow=False)

    assert len(stored_rows(sessions, slack_oauth_states)) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("oauth_run", [{"token_rotation": True, "token_lifetime": 7000}], indirect=True)
def test_replicas_rotating_at_once_never_spend_a_refresh_token_twice(oauth_run, sessions, database_url):
    from concurrent.futures import ThreadPoolExecutor

    from bot.install.oauth import make_installation_store
    from swarms.db import make_engine, make_session_factory

    if not database_url.startswith("postgresql"):
        pytest.skip("the rotation lock across processes is PostgreSQL's advisory lock")
    oauth_run.install_in(oauth_run.acme, AGENT)
    settings = oauth_run.services.settings
    replicas = []
    for _ in range(4):  # four stores on four engines: four replicas' worth of connections
        engine = make_engine(database_url)
        replicas.append(make_installation_store(settings, make_session_factory(engine),
                                                WebClientFor(oauth_run, None)))

    with ThreadPoolExecutor(4) as pool:
        tokens = list(pool.map(lambda store: store.find_bot(enterprise_id=None, team_id="T0ACME0001").bot_token,
                               replicas))

    assert ("oauth.v2.access", "invalid_refresh_token") not in oauth_run.standin.api.errors_answered()
    assert all(WebClientFor(oauth_run, token).auth_test()["ok"] for token in tokens)
    for store in replicas:
        store.engine.dispose()


def test_a_command_from_a_workspace_without_the_app_is_told_so_in_both_languages(oauth_run, sessions):
    oauth_run.install_in(oauth_run.acme, AGENT)
    globex = oauth_run.standin.add_workspace("T0GLOBEX01", "Globex")
    globex.add_user("gus", id="U0GLOBEX01", real_name="Gus", email="gus@globex.example", locale="ko-KR")

    answer = oauth_run.standin.driver(oauth_run.server.events_url, workspace=globex) \
        .command("/swarm", "00002001", user="U0GLOBEX01", channel=globex.general_id)
    oauth_run.settle()

    assert answer.status == 200
    [told] = [r["payload"]["text"] for r in globex.responses("U0GLOBEX01")]
    assert "case-swarm is not installed in this workspace" in told
    assert "이 워크스페이스에는 case-swarm이 설치되어 있지 않습니다" in told
    with sessions() as session:
        assert session.scalars(select(Swarm)).all() == []

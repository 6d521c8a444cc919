"""Settings of a multi-workspace install, and what start-up and `case-swarm check` say about the token key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.cli import main
from bot.demo.standin_run import TOKEN_KEY
from swarms.settings import Settings, SettingsError
from tests.install.conftest import AGENT

OAUTH = {"SLACK_CLIENT_ID": "4242424242.1717171717", "SLACK_CLIENT_SECRET": "standin-client-secret",
         "SLACK_SIGNING_SECRET": "s3cr3t", "SLACK_TOKEN_ENCRYPTION_KEY": TOKEN_KEY}


def test_single_workspace_token_mode_stays_the_default():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    assert not settings.install.oauth and settings.slack_bot_token == "xoxb-1"


def test_client_id_and_secret_switch_to_installing_by_oauth_without_a_bot_token():
    settings = Settings.from_env(OAUTH)
    assert settings.install.oauth and settings.slack_bot_token == ""
    assert settings.install.token_keys == (TOKEN_KEY,)
    assert TOKEN_KEY not in repr(settings) and "standin-client-secret" not in repr(settings)


def test_keys_rotate_by_listing_the_new_one_first():
    new = Fernet.generate_key().decode()
    assert Settings.from_env({**OAUTH, "SLACK_TOKEN_ENCRYPTION_KEY": f"{new}, {TOKEN_KEY}"}).install.token_keys == \
        (new, TOKEN_KEY)


@pytest.mark.parametrize(("change", "name", "words"), [
    ({"SLACK_TOKEN_ENCRYPTION_KEY": ""}, "SLACK_TOKEN_ENCRYPTION_KEY", "is not set; expected Fernet keys"),
    ({"SLACK_TOKEN_ENCRYPTION_KEY": "hunter2-not-a-key"}, "SLACK_TOKEN_ENCRYPTION_KEY", "is 'hunte…'; expected Fernet"),
    ({"SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET", "the app's client secret"),
    ({"SLACK_BOT_TOKEN": "xoxb-1-2-3"}, "SLACK_BOT_TOKEN", "not set when installing in several workspaces"),
    ({"SLACK_APP_TOKEN": "xapp-1-2"}, "SLACK_APP_TOKEN", "Socket Mode"),
])
def test_a_missing_or_wrong_setting_is_one_line_naming_it(change, name, words):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({**OAUTH, **change})
    assert caught.value.name == name
    assert str(caught.value).startswith(f"setting {name} ") and words in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "hunter2" not in str(caught.value) and "xoxb-1-2-3" not in str(caught.value)


@pytest.fixture
def installed_env(oauth_run, database_url, monkeypatch, tmp_path):
    """Acme installed the app; the environment `case-swarm` would run with, on the same database."""
    assert oauth_run.install_in(oauth_run.acme, AGENT).status == 200
    monkeypatch.chdir(tmp_path)
    for name, value in {**OAUTH, "DATABASE_URL": database_url, "SLACK_API_URL": oauth_run.standin.api_url}.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_check_says_each_workspaces_token_works(installed_env, capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "ok  Slack token of Acme Support works: @case-swarm" in out


def test_a_wrong_key_is_one_line_at_start_up_and_in_check(installed_env, capsys):
    installed_env.setenv("SLACK_TOKEN_ENCRYPTION_KEY", Fernet.generate_key().decode())

    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert main(["check"]) == 1
    out = capsys.readouterr().out

    assert err.count("\n") == 1 and "Traceback" not in err
    assert "SLACK_TOKEN_ENCRYPTION_KEY does not decrypt the stored Slack installations" in err
    assert "NO  setting SLACK_TOKEN_ENCRYPTION_KEY: SLACK_TOKEN_ENCRYPTION_KEY does not decrypt" in out


def test_the_old_key_listed_after_a_new_one_still_opens_the_tokens(installed_env, capsys):
    installed_env.setenv("SLACK_TOKEN_ENCRYPTION_KEY", f"{Fernet.generate_key().decode()},{TOKEN_KEY}")
    assert main(["check"]) == 0
    assert "Slack token of Acme Support works" in capsys.readouterr().out

"""Settings: a missing or malformed value stops start-up with one line naming it; secrets stay hidden."""

import pytest

from swarms.settings import Settings, SettingsError

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-2-secret", "SLACK_SIGNING_SECRET": "s3cr3t"}


def test_defaults_need_only_the_two_slack_secrets():
    settings = Settings.from_env(GOOD)
    assert settings.port == 3000
    assert settings.case_system == "local"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.slack_api_url == "https://slack.com/api/"
    assert not settings.socket_mode


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("SLACK_BOT_TOKEN", "", "is required"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "xoxb-"),
        ("SLACK_APP_TOKEN", "nope", "xapp-"),
        ("PORT", "eighty", "whole number"),
        ("PORT", "70000", "from 1 to 65535"),
        ("CASE_SYSTEM", "jira", "local, salesforce, zendesk"),
        ("DATABASE_URL", "mysql://x", "postgresql"),
        ("ADMIN_USER_IDS", "U123ABC,bob", "bob"),
        ("SLACK_API_URL", "localhost:3000", "http(s) URL"),
    ],
)
def test_a_bad_setting_is_named_with_what_is_expected(name, value, words):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({**GOOD, name: value})
    assert caught.value.name == name
    assert words in str(caught.value)
    assert "secret" not in str(caught.value)


def test_secrets_never_show_in_repr():
    settings = Settings.from_env({**GOOD, "SLACK_APP_TOKEN": "xapp-1-secret"})
    assert "secret" not in repr(settings)
    assert settings.socket_mode


def test_postgres_urls_get_the_psycopg_driver_and_api_url_a_trailing_slash():
    settings = Settings.from_env({**GOOD, "DATABASE_URL": "postgresql://u@h/db", "SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.slack_api_url.endswith("/api/")

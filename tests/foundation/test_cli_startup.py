"""Start-up problems end in one clear line and exit status 2, never a stack trace."""

from __future__ import annotations

import pytest

from bot.cli import main
from slack_standin import SlackStandIn


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'start.sqlite3'}")
    return monkeypatch


def test_a_token_slack_refuses_stops_start_up_with_slacks_word(env, capsys):
    with SlackStandIn(signing_secret="secret", bot_token="xoxb-the-right-one") as standin:
        env.setenv("SLACK_API_URL", standin.api_url)
        env.setenv("SLACK_BOT_TOKEN", "xoxb-a-wrong-one")
        assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "invalid_auth" in err and "SLACK_BOT_TOKEN" in err and "Traceback" not in err


def test_slack_out_of_reach_stops_start_up_with_one_line(env, capsys):
    env.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    env.setenv("SLACK_BOT_TOKEN", "xoxb-anything")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "Slack did not answer at http://127.0.0.1:9/api/" in err and "DATABASE_URL" not in err


def test_a_malformed_setting_is_named(env, capsys):
    env.setenv("SLACK_BOT_TOKEN", "not-a-bot-token")
    assert main(["serve"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_check_says_in_words_what_works(env, capsys):
    with SlackStandIn(signing_secret="secret", bot_token="xoxb-the-right-one", team_name="Hanbit") as standin:
        env.setenv("SLACK_API_URL", standin.api_url)
        env.setenv("SLACK_BOT_TOKEN", "xoxb-the-right-one")
        assert main(["check"]) == 0
        lines = capsys.readouterr().out.splitlines()
        env.setenv("SLACK_BOT_TOKEN", "xoxb-a-wrong-one")
        assert main(["check"]) == 1
        refused = capsys.readouterr().out
    assert lines[0].startswith("ok  Slack token works: @") and "Hanbit" in lines[0]
    assert any(line.startswith("ok  Database sqlite:///") for line in lines)
    assert any("Local case store works" in line for line in lines)
    assert "NO  Slack refused the bot token: invalid_auth" in refused


def test_db_upgrade_to_an_unknown_revision_changes_nothing_and_says_so(env, capsys):
    assert main(["db", "upgrade", "no-such-revision"]) == 2
    err = capsys.readouterr().err
    assert "database not changed" in err and "no-such-revision" in err and "Traceback" not in err
    assert main(["db", "upgrade"]) == 0
    assert "database at revision" in capsys.readouterr().out


def test_check_with_an_empty_case_number_says_it_read_none(env, capsys):
    env.setenv("SLACK_BOT_TOKEN", "xoxb-anything")
    env.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    main(["check", "--case", " "])
    assert "NO  No case read: --case was given an empty number" in capsys.readouterr().out

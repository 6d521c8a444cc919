"""Settings: one reader checks every setting at start-up, lists every problem at once, hides secrets."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from swarms.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-2-secret", "SLACK_SIGNING_SECRET": "s3cr3t"}


def test_defaults_need_only_the_two_slack_secrets():
    settings = Settings.from_env(GOOD)
    assert settings.port == 3000
    assert settings.case_system == "local"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.slack_api_url == "https://slack.com/api/"
    assert not settings.socket_mode
    assert settings.sync.top_level_messages and settings.sync.case_poll_seconds == 60
    assert settings.knowledge.export == "folder" and settings.experts.suggestions == 3
    assert settings.salesforce is None and settings.zendesk is None


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("SLACK_BOT_TOKEN", "", "is not set; expected the bot token (xoxb-…)"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "is 'xoxp-…'; expected the bot token, starting with 'xoxb-'"),
        ("SLACK_APP_TOKEN", "nope", "xapp-"),
        ("PORT", "eighty", "is 'eighty'; expected a whole number from 1 to 65535"),
        ("PORT", "70000", "from 1 to 65535"),
        ("CASE_SYSTEM", "jira", "is 'jira'; expected one of local, salesforce, zendesk"),
        ("DATABASE_URL", "mysql://x", "postgresql"),
        ("ADMIN_USER_IDS", "U123ABC,bob", "is 'bob'; expected Slack user ids"),
        ("SLACK_API_URL", "localhost:3000", "http(s):// URL"),
        ("SYNC_TOP_LEVEL_MESSAGES", "maybe", "is 'maybe'; expected one of true/false, yes/no, on/off, 1/0"),
        ("CASE_POLL_SECONDS", "1m", "is '1m'; expected a whole number of seconds from 5 to 86400"),
        ("KNOWLEDGE_EXPORT", "confluence", "is 'confluence'; expected one of folder, salesforce, zendesk"),
        ("EXPERTS_SUGGESTIONS", "lots", "is 'lots'; expected a whole number from 1 to 10"),
        ("HOME_IDLE_HOURS", "a day", "is 'a day'; expected a number of hours"),
        ("SWARM_MODE", "threads", "is 'threads'; expected one of channel, thread"),
        ("CLAIMED_WORK_KEEP_DAYS", "a week", "is 'a week'; expected a whole number of days from 1 to 3650"),
        ("CLAIMED_WORK_KEEP_DAYS", "0", "is '0'; expected a whole number of days from 1 to 3650"),
    ],
)
def test_a_bad_setting_is_named_with_what_was_given_and_what_is_expected(name, value, words):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({**GOOD, name: value})
    assert caught.value.name == name
    assert str(caught.value).startswith(f"setting {name} ")
    assert words in str(caught.value)
    assert "\n" not in str(caught.value), "one problem, one line"
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("Yes", True), ("on", True), ("1", True),
                                                 ("false", False), ("no", False), ("OFF", False), ("0", False)])
def test_booleans_read_the_usual_words_and_nothing_else(value, expected):
    assert Settings.from_env({**GOOD, "SYNC_TOP_LEVEL_MESSAGES": value}).sync.top_level_messages is expected


def test_every_problem_is_listed_at_once():
    env = {"SLACK_SIGNING_SECRET": "s", "SYNC_TOP_LEVEL_MESSAGES": "maybe", "CASE_POLL_SECONDS": "1m",
           "KNOWLEDGE_EXPORT": "confluence", "CASE_SYSTEM": "zendesk"}
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    names = [problem.name for problem in caught.value.problems]
    assert names == ["KNOWLEDGE_EXPORT", "SLACK_BOT_TOKEN", "SYNC_TOP_LEVEL_MESSAGES",
                     "CASE_POLL_SECONDS", "ZENDESK_EMAIL", "ZENDESK_SUBDOMAIN"]
    assert str(caught.value).splitlines()[0] == "6 settings need fixing:"


def test_secrets_never_show_in_repr():
    settings = Settings.from_env({**GOOD, "SLACK_APP_TOKEN": "xapp-1-secret"})
    assert "secret" not in repr(settings)
    assert settings.socket_mode


def test_postgres_urls_get_the_psycopg_driver_and_api_url_a_trailing_slash():
    settings = Settings.from_env({**GOOD, "DATABASE_URL": "postgresql://u@h/db", "SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.slack_api_url.endswith("/api/")


def run_cli(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The installed command as a user runs it, from a folder without a .env."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    clean |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", **env}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path, env=clean,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("SYNC_TOP_LEVEL_MESSAGES", "maybe", "one of true/false, yes/no, on/off, 1/0"),
    ("CASE_POLL_SECONDS", "1m", "a whole number of seconds from 5 to 86400"),
    ("KNOWLEDGE_EXPORT", "confluence", "one of folder, salesforce, zendesk"),
])
def test_serve_stops_on_a_bad_setting_with_one_line(tmp_path, name, value, expected):
    served = run_cli(tmp_path, "serve", **GOOD, **{name: value})
    assert (served.returncode, served.stdout) == (2, "")
    assert served.stderr == f"case-swarm: setting {name} is {value!r}; expected {expected}\n"


def test_check_reports_every_bad_setting_on_its_own_line(tmp_path):
    bad = {"SYNC_TOP_LEVEL_MESSAGES": "maybe", "CASE_POLL_SECONDS": "1m", "KNOWLEDGE_EXPORT": "confluence"}
    checked = run_cli(tmp_path, "check", **GOOD, **bad, SLACK_API_URL="http://127.0.0.1:9/api/")
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert lines[:3] == ["NO  setting KNOWLEDGE_EXPORT is 'confluence'; expected one of folder, salesforce, zendesk",
                         "NO  setting SYNC_TOP_LEVEL_MESSAGES is 'maybe'; expected one of true/false, yes/no, on/off, 1/0",
                         "NO  setting CASE_POLL_SECONDS is '1m'; expected a whole number of seconds from 5 to 86400"]
    assert lines[3].startswith("NO  Slack did not answer at http://127.0.0.1:9/api/")
    assert "Traceback" not in checked.stderr


def test_nothing_but_the_settings_reader_reads_the_environment():
    readers = []
    for package in ("bot", "swarms", "expert_finder", "knowledge_export", "slack_standin", "vendor_clients"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "swarms" / "settings.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                reads_os = isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") \
                    and isinstance(node.value, ast.Name) and node.value.id == "os"
                imports_it = isinstance(node, ast.ImportFrom) and node.module == "os" \
                    and bool({a.name for a in node.names} & {"environ", "getenv"})
                if reads_os or imports_it:
                    readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers == []

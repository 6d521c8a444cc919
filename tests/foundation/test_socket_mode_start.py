"""Starting in Socket Mode, run as a user runs it: `case-swarm serve` in its own process against the stand-in.

A refused app token is named as the app token, no signing secret is needed, Bolt's "`token` will be
unused" never shows, and Slack out of reach is said without blaming the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from slack_standin import SlackStandIn
from tests.first_contact.test_demo import RAW_MARKUP, SWARM_CHANNEL

BOT_TOKEN = "xoxb-the-bot-token"
APP_TOKEN = "xapp-1-A0STANDAPP-1-the-app-token"
SCRIPT = Path(sys.executable).parent / "case-swarm"


@pytest.fixture
def slack():
    with SlackStandIn(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as standin:
        yield standin


@pytest.fixture
def user_env(tmp_path, slack) -> dict[str, str]:
    """A shell with only what a user would set for Socket Mode: no SLACK_SIGNING_SECRET."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "CASE_", "PYTEST"))}
    return {**clean, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'swarm.sqlite3'}"}


def case_swarm(*args: str) -> list[str]:
    return [str(SCRIPT), *args] if SCRIPT.exists() else [sys.executable, "-m", "bot.cli", *args]


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(case_swarm(*args), env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_a_refused_app_token_is_named_as_the_app_token(user_env, tmp_path):
    started = run(["serve"], {**user_env, "SLACK_APP_TOKEN": "xapp-1-A0STANDAPP-1-revoked"}, tmp_path)

    assert started.returncode == 2
    assert started.stderr == (
        "case-swarm: Slack refused the app-level token at start-up: invalid_auth. Check SLACK_APP_TOKEN (xapp-…, "
        "with the connections:write scope, from the app's Basic Information page).\n")


def test_check_names_a_refused_app_token_too(user_env, tmp_path):
    checked = run(["check"], {**user_env, "SLACK_APP_TOKEN": "xapp-1-A0STANDAPP-1-revoked"}, tmp_path)

    assert checked.returncode == 1
    assert "NO  Slack refused the app-level token (SLACK_APP_TOKEN): invalid_auth\n" in checked.stdout
    assert "ok  Slack token works: @case-swarm" in checked.stdout and "SIGNING_SECRET" not in checked.stdout


def test_socket_mode_starts_without_a_signing_secret_and_without_bolts_token_warning(user_env, tmp_path, slack):
    assert "SLACK_SIGNING_SECRET" not in user_env
    process = subprocess.Popen(case_swarm("serve"), env=user_env, cwd=tmp_path, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err: list[str] = []
    connected = threading.Event()

    def read_stderr() -> None:
        for line in process.stderr:
            err.append(line.rstrip("\n"))
            if "connected to Slack" in line:
                connected.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert connected.wait(timeout=45), err
        # The bot says "connected" once its handshake is answered; the stand-in counts the connection when
        # its own handler runs, a moment later: wait for that (TimeoutError names the count it saw).
        slack.socket_mode.wait_for(hellos=1, open_connections=1, timeout=30)
        assert slack.socket_mode.connection_count() == 1
        process.send_signal(signal.SIGINT)  # Ctrl-C
        process.wait(timeout=90)
        reader.join(timeout=10)
        out = process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    assert process.returncode == 0
    assert [line.split(": ", 1)[1] for line in err] == [
        "case-swarm connected to Slack in Socket Mode",
        "Korean analysis: kiwipiepy morphemes (its model loads at the first Korean text)",
        "Offer of existing work compares: words, letters, codes and meaning (multilingual sentence encoder; "
        "it loads at the first offer)",
        "case-swarm stopped (SIGINT)"]
    assert out == ""


def test_slack_out_of_reach_is_said_without_naming_the_database(user_env, tmp_path):
    started = run(["serve"], {**user_env, "SLACK_API_URL": "http://127.0.0.1:9/api/"}, tmp_path)

    assert started.returncode == 2
    assert started.stderr == ("case-swarm: Slack did not answer at http://127.0.0.1:9/api/ ([Errno 111] Connection "
                              "refused). Check SLACK_API_URL and the network.\n")


def test_the_demo_plays_over_socket_mode(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PYTEST"))}
    demo = subprocess.run(case_swarm("demo", "--socket-mode"), env=clean, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)

    assert demo.returncode == 0, demo.stderr
    assert demo.stderr == ""
    lines = demo.stdout.splitlines()
    assert lines[0].startswith("Slack stand-in at http://127.0.0.1:")
    assert "opened its Socket Mode connection with the app-level token" in lines[0]
    assert "#swarm-00001026" in demo.stdout  # the swarm opened, over the WebSocket
    assert f"is open: {SWARM_CHANNEL}. I've added you to it." in demo.stdout  # a channel shown by its name
    assert RAW_MARKUP.findall(demo.stdout) == [], "mentions and dates are rendered as Slack shows them"
    assert "Dana runs /swarm 00001030 --thread" in demo.stdout and "[case-swarm bot] *Case 00001030:" in demo.stdout
    assert "internal note · Sam Field\n    │ The portal draws each day in UTC" in demo.stdout  # the thread's reply

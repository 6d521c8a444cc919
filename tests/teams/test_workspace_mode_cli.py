"""`case-swarm workspace mode [--team T] [thread|channel|default]`: one workspace's swarm mode from the command
line (the only workspace served by default, the one named with --team among several), the migration that
keeps it, and the words `/swarm settings` takes."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.listeners.workspace_settings import DEFAULT, SettingsRequest, parse_settings
from swarms.db import make_engine, upgrade, utcnow
from swarms.install.workspaces import SlackWorkspace, all_workspaces, claim_workspace, swarm_mode_of
from swarms.models import SwarmMode

ACME, GLOBEX = "T0ACME0001", "T0GLOBEX01"


def serve(sessions, *teams: str) -> None:
    with sessions.begin() as session:
        for team in teams:
            claim_workspace(session, team, "", now=utcnow(), alone=False)


def test_given_one_workspace_when_thread_is_set_then_it_opens_threads_and_says_so(database_url, sessions,
                                                                                  monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    serve(sessions, ACME)

    assert main(["workspace", "mode", "thread"]) == 0

    assert capsys.readouterr().out.startswith(f"workspace {ACME}: /swarm <case> opens a swarm in a thread of the "
                                              "channel where /swarm is typed (chosen for this workspace on ")
    with sessions() as session:
        now = swarm_mode_of(session, ACME, "channel")
    assert (now.mode, now.chosen, now.set_by) == (SwarmMode.THREAD, True, "")


def test_given_a_chosen_mode_when_default_is_set_then_swarm_mode_decides_again(database_url, sessions, monkeypatch,
                                                                               capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SWARM_MODE", "thread")
    serve(sessions, ACME)
    assert main(["workspace", "mode", "channel"]) == 0

    assert main(["workspace", "mode", "default"]) == 0
    assert main(["workspace", "mode"]) == 0  # without a value: says where, and why

    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("in its own private channel (chosen for this workspace on " + f"{utcnow():%Y-%m-%d})")
    assert out[1] == out[2] == (f"workspace {ACME}: /swarm <case> opens a swarm in a thread of the channel where "
                                "/swarm is typed (the deployment's SWARM_MODE=thread; the workspace has not chosen)")


def test_given_two_workspaces_when_no_team_is_named_then_nothing_changes_and_with_team_only_that_one(
        database_url, sessions, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    serve(sessions, ACME, GLOBEX)

    assert main(["workspace", "mode", "thread"]) == 2
    assert "this database serves 2 workspaces: name one with --team" in capsys.readouterr().err
    assert main(["workspace", "mode", "--team", "T0NOBODY01", "thread"]) == 2
    assert "does not serve workspace T0NOBODY01" in capsys.readouterr().err
    assert main(["workspace", "mode", "--team", GLOBEX, "thread"]) == 0

    with sessions() as session:
        assert swarm_mode_of(session, GLOBEX, "channel").mode == SwarmMode.THREAD
        assert swarm_mode_of(session, ACME, "channel").chosen is False


def test_given_no_workspace_yet_when_a_mode_is_set_then_it_says_to_start_first(database_url, sessions, monkeypatch,
                                                                               capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["workspace", "mode", "thread"]) == 2
    assert capsys.readouterr().err == ("case-swarm: this database serves no workspace yet: the mode can be set once "
                                       "the app has started with its token, or been installed by OAuth\n")
    with sessions() as session:
        assert session.get(SlackWorkspace, "") is None


@pytest.mark.parametrize(("served", "refusal"), [
    ((), "this database serves no workspace yet, so not T0TYPO0001: the mode can be set once the app has started "
         "with its token, or been installed by OAuth"),
    ((ACME,), f"this database does not serve workspace T0TYPO0001: name one with --team ({ACME})"),
], ids=["none served yet", "one served"])
def test_a_team_the_database_does_not_serve_is_refused_in_one_line_and_nothing_is_recorded(
        database_url, sessions, monkeypatch, capsys, served, refusal):
    monkeypatch.setenv("DATABASE_URL", database_url)
    serve(sessions, *served)

    assert main(["workspace", "mode", "--team", "T0TYPO0001", "thread"]) == 2

    assert capsys.readouterr() == ("", f"case-swarm: {refusal}\n")
    with sessions() as session:
        assert [w.team_id for w in all_workspaces(session)] == list(served)
    with sessions.begin() as session:  # the token's next start is not refused on account of the typo
        claim_workspace(session, ACME, "Acme", now=utcnow(), alone=True)


def test_a_bad_value_is_refused_by_name(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    with pytest.raises(SystemExit):
        main(["workspace", "mode", "threads"])
    assert "invalid choice: 'threads' (choose from 'thread', 'channel', 'default')" in capsys.readouterr().err


def test_the_migration_keeps_the_workspaces_and_leaves_them_on_the_deployments_mode(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'before-modes.sqlite3'}")
    upgrade(engine, "0020")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO slack_workspaces (team_id, team_name, access, access_changed_at) "
                          f"VALUES ('{ACME}', 'Acme', 'active', CURRENT_TIMESTAMP)"))

    upgrade(engine)

    with engine.connect() as conn:
        assert conn.execute(text("SELECT team_id, swarm_mode, swarm_mode_set_by, swarm_mode_set_at "
                                 "FROM slack_workspaces")).all() == [(ACME, None, None, None)]
    engine.dispose()


@pytest.mark.parametrize(("args", "request_"), [
    ((), SettingsRequest("show")),
    (("mode",), SettingsRequest("show")),
    (("모드",), SettingsRequest("show")),
    (("mode", "thread"), SettingsRequest("set", SwarmMode.THREAD)),
    (("MODE", "--Channel"), SettingsRequest("set", SwarmMode.CHANNEL)),
    (("mode", "—thread"), SettingsRequest("set", SwarmMode.THREAD)),  # a phone's dash
    (("모드", "스레드"), SettingsRequest("set", SwarmMode.THREAD)),
    (("모드", "채널"), SettingsRequest("set", SwarmMode.CHANNEL)),
    (("mode", "기본"), SettingsRequest("set", DEFAULT)),
    (("mode", "default"), SettingsRequest("set", DEFAULT)),
    (("mode", "threads"), SettingsRequest("bad", "mode threads")),
    (("thread",), SettingsRequest("bad", "thread")),
])
def test_the_words_of_swarm_settings(args, request_):
    assert parse_settings(args) == request_

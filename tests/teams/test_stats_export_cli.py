"""`case-swarm stats export` writes one workspace's files: the only one served by default, the one named with
--team when the database serves several, and a one-line refusal when it cannot tell which."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import timedelta

from bot.cli import main
from swarms.db import utcnow
from swarms.install.workspaces import SlackWorkspace, claim_workspace
from tests.home.conftest import World

ACME, GLOBEX = "T0ACME0001", "T0GLOBEX01"


def seed(sessions, *teams: str) -> None:
    """A swarm of yesterday in each workspace, with one person's note; the first workspace claims the database."""
    now = utcnow()
    with sessions.begin() as session:
        claim_workspace(session, teams[0], "Acme Support", now=now, alone=False)
        for n, (team, person) in enumerate(zip(teams, ("UKIM", "ULEE"), strict=False)):
            world = World(session, team, itertools.count(1 + 500 * n))
            swarm = world.swarm(opened=now - timedelta(days=1), owner=f"UOWNER{n}")
            world.member(swarm, person, invited=now - timedelta(days=1), joined=now - timedelta(days=1))
            world.note(swarm, person, now - timedelta(hours=2))


def people_in(folder, days: int = 30) -> set[str]:
    table = (folder / f"swarm-contributions-{days}d.csv").read_bytes().decode("utf-8-sig")
    return {row["user_id"] for row in csv.DictReader(io.StringIO(table))}


def test_the_export_of_the_only_workspace_needs_no_team(database_url, sessions, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    seed(sessions, ACME)
    assert main(["stats", "export", "--days", "7", "--out", str(tmp_path / "out")]) == 0
    assert people_in(tmp_path / "out", 7) == {"UKIM", "UOWNER0"}
    assert "swarm-contributions-7d.csv" in capsys.readouterr().out


def test_with_two_workspaces_the_export_asks_which_and_writes_only_that_ones(database_url, sessions, tmp_path,
                                                                             monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    seed(sessions, ACME, GLOBEX)
    with sessions.begin() as session:  # the second workspace, recorded as its install will be
        session.add(SlackWorkspace(team_id=GLOBEX, team_name="Globex", access="active", access_changed_at=utcnow()))
    assert main(["stats", "export", "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error == (f"case-swarm: this database serves 2 workspaces: name one with --team ({ACME} (Acme Support), "
                     f"{GLOBEX} (Globex))\n")
    assert not (tmp_path / "out").exists()
    assert main(["stats", "export", "--team", "T0NOBODY01"]) == 2
    assert "does not serve workspace T0NOBODY01" in capsys.readouterr().err
    assert main(["stats", "export", "--team", GLOBEX, "--out", str(tmp_path / "globex")]) == 0
    assert people_in(tmp_path / "globex") == {"ULEE", "UOWNER1"}


def test_before_any_workspace_a_named_team_is_refused_and_nothing_is_written(database_url, tmp_path, monkeypatch,
                                                                            capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)

    assert main(["stats", "export", "--team", "T0TYPO0001", "--out", str(tmp_path / "out")]) == 2

    assert capsys.readouterr() == ("", "case-swarm: this database serves no workspace yet, so not T0TYPO0001: a "
                                       "workspace's figures can be exported once the app has started with its "
                                       "token, or been installed by OAuth\n")
    assert not (tmp_path / "out").exists()

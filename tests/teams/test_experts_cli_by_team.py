"""`case-swarm experts import|tune --team`: each workspace's directory and tuned weights are its own; without
--team the only workspace served is meant, and with several the command names them and changes nothing.
The migration gives existing experts and weights the workspace the database served."""

import pytest
from sqlalchemy import select, text

from bot.cli import main
from bot.demo.tuning import seed_resolved_swarms
from swarms.db import make_engine, upgrade, utcnow
from swarms.experts.models import Expert, ExpertWeights
from swarms.install.workspaces import SlackWorkspace, WorkspaceAccess, claim_workspace

ACME, GLOBEX = "T0ACME0001", "T0GLOBEX01"
OWNERS = {"firmware": "U0FW", "battery": "U0BAT", "field": "U0FLD"}
DIRECTORY_CSV = """\
slack_user,name,skills
U0FW,Jiwoo,inverter:3
U0BAT,Minho,inverter:3
U0FLD,Sam,inverter:3
"""


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch, capsys):
    """Run `case-swarm ARGS…` against the test database; returns (code, out, err)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    directory = tmp_path / "experts.csv"
    directory.write_text(DIRECTORY_CSV, encoding="utf-8")

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(directory) if a == "FILE" else a for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _serve(sessions, *teams: tuple[str, str]) -> None:
    """Workspaces recorded as served (two at once is what the multi-workspace install will allow)."""
    with sessions.begin() as session:
        for team_id, name in teams:
            session.add(SlackWorkspace(team_id=team_id, team_name=name, access=WorkspaceAccess.ACTIVE,
                                       access_changed_at=utcnow()))


def _directory(sessions) -> set[tuple[str, str]]:
    with sessions() as session:
        return set(session.execute(select(Expert.team_id, Expert.user_id)).all())


def test_import_with_team_fills_that_workspaces_directory_only(cli, sessions):
    _serve(sessions, (ACME, "Acme Support"), (GLOBEX, "Globex"))

    code, out, _ = cli("experts", "import", "--team", GLOBEX, "FILE")

    assert code == 0 and f"imported 3 new and updated 0 experts of workspace {GLOBEX}" in out
    assert _directory(sessions) == {(GLOBEX, "U0FW"), (GLOBEX, "U0BAT"), (GLOBEX, "U0FLD")}


def test_with_several_workspaces_and_no_team_the_command_names_them_and_imports_nothing(cli, sessions):
    _serve(sessions, (ACME, "Acme Support"), (GLOBEX, "Globex"))

    code, out, err = cli("experts", "import", "FILE")

    assert code == 2 and not out
    assert err.strip() == ("case-swarm: this database serves 2 workspaces: name one with --team "
                           f"({ACME} (Acme Support), {GLOBEX} (Globex))")
    assert _directory(sessions) == set()


def test_a_team_the_database_does_not_serve_is_refused_by_name(cli, sessions):
    _serve(sessions, (ACME, "Acme Support"))

    code, _, err = cli("experts", "import", "--team", "T0TYPO0001", "FILE")

    assert code == 2 and "does not serve workspace T0TYPO0001" in err and f"{ACME} (Acme Support)" in err
    assert _directory(sessions) == set()


def test_before_any_workspace_a_named_team_is_refused_and_nothing_is_imported(cli, sessions):
    code, out, err = cli("experts", "import", "--team", "T0TYPO0001", "FILE")

    assert code == 2 and not out
    assert err == ("case-swarm: this database serves no workspace yet, so not T0TYPO0001: leave out --team, and the "
                   "directory is kept for the first workspace to start the app or install it\n")
    assert _directory(sessions) == set()


def test_before_any_workspace_the_import_waits_for_the_first_to_claim_and_then_the_only_one_is_meant(cli, sessions):
    code, _, _ = cli("experts", "import", "FILE")  # a token's app that has not started yet: no workspace
    assert code == 0 and _directory(sessions) == {("", "U0FW"), ("", "U0BAT"), ("", "U0FLD")}

    with sessions.begin() as session:  # the token's first start
        claim_workspace(session, ACME, "Acme Support", now=utcnow(), alone=False)
    code, out, _ = cli("experts", "import", "FILE")

    assert code == 0 and f"imported 0 new and updated 3 experts of workspace {ACME}" in out
    assert _directory(sessions) == {(ACME, "U0FW"), (ACME, "U0BAT"), (ACME, "U0FLD")}


def test_tune_stores_versions_per_workspace(cli, sessions):
    _serve(sessions, (ACME, "Acme Support"), (GLOBEX, "Globex"))
    for team in (ACME, GLOBEX):
        assert cli("experts", "import", "--team", team, "FILE")[0] == 0
        with sessions.begin() as session:
            seed_resolved_swarms(session, team, OWNERS, "U0AGENT", now=utcnow(), count=50)

    assert cli("experts", "tune", "--last", "10")[0] == 2, "two workspaces: --team is needed"
    code, out, _ = cli("experts", "tune", "--team", ACME, "--last", "10")
    assert code == 0 and out.startswith(f"workspace {ACME}\n") and "stored as version 1" in out
    code, out, _ = cli("experts", "tune", "--team", GLOBEX, "--last", "10")
    assert code == 0 and "stored as version 1 (replacing the built-in defaults)" in out

    with sessions() as session:
        versions = session.execute(select(ExpertWeights.team_id, ExpertWeights.version)).all()
    assert sorted(versions) == [(ACME, 1), (GLOBEX, 1)]


def _insert_before_teams(conn) -> None:
    conn.execute(text("INSERT INTO experts (user_id, name, timezone, work_start, work_end, work_days, languages, "
                      "max_concurrent, opted_out, active, inactive_reason, updated_at) VALUES ('U0FW', 'Jiwoo', "
                      "'UTC', '09:00:00', '18:00:00', '[0]', '[]', 3, false, true, '', CURRENT_TIMESTAMP)"))
    conn.execute(text("INSERT INTO expert_skills (expert_id, name, level, source) VALUES (1, 'modbus', 3, 'import')"))
    conn.execute(text("INSERT INTO expert_products (expert_id, name, source) VALUES (1, 'SolarMax 5000', 'import')"))
    conn.execute(text("INSERT INTO expert_weights (version, weights, tuned_on, measured_on, before, after, trigger, "
                      "created_at) VALUES (1, '{}', 30, 15, '{}', '{}', 'cli', CURRENT_TIMESTAMP)"))


@pytest.mark.parametrize("served", [[ACME], []], ids=["one workspace", "none recorded"])
def test_the_migration_gives_existing_experts_and_weights_the_workspace_the_database_served(tmp_path, served):
    engine = make_engine(f"sqlite:///{tmp_path / 'before-experts-by-team.sqlite3'}")
    upgrade(engine, "0011")
    upgrade(engine, "0016")
    with engine.begin() as conn:
        for team in served:
            conn.execute(text("INSERT INTO slack_workspaces (team_id, team_name, access, access_changed_at) "
                              "VALUES (:team, 'Acme', 'active', CURRENT_TIMESTAMP)"), {"team": team})
        _insert_before_teams(conn)

    upgrade(engine)

    expected = served[0] if served else ""
    with engine.begin() as conn:
        assert conn.execute(text("SELECT team_id, user_id FROM experts")).all() == [(expected, "U0FW")]
        assert conn.execute(text("SELECT team_id, version FROM expert_weights")).all() == [(expected, 1)]
        # SQLite rebuilt the experts table: the skills and products that hang off it are still there.
        assert conn.execute(text("SELECT expert_id, name FROM expert_skills")).all() == [(1, "modbus")]
        assert conn.execute(text("SELECT expert_id, name FROM expert_products")).all() == [(1, "SolarMax 5000")]
        # The same person may now be in another workspace's directory, and that workspace counts from 1.
        conn.execute(text("INSERT INTO experts (team_id, user_id, name, timezone, work_start, work_end, work_days, "
                          "languages, max_concurrent, opted_out, active, inactive_reason, updated_at) VALUES "
                          "('T0OTHER001', 'U0FW', '', 'UTC', '09:00:00', '18:00:00', '[]', '[]', 3, false, true, "
                          "'', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO expert_weights (team_id, version, weights, tuned_on, measured_on, before, "
                          "after, trigger, created_at) VALUES ('T0OTHER001', 1, '{}', 30, 15, '{}', '{}', 'cli', "
                          "CURRENT_TIMESTAMP)"))
    engine.dispose()

"""Given several processes starting on one database, the schema is upgraded once and every one comes up."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

from swarms.db import SchemaAheadOfCode, current_revision, make_engine, upgrade

UPGRADE = "import sys; from swarms.db import make_engine, upgrade; upgrade(make_engine(sys.argv[1]))"


@pytest.mark.postgres
def test_three_processes_upgrading_an_empty_database_together_all_succeed(fresh_postgres_url):
    processes = [subprocess.Popen([sys.executable, "-c", UPGRADE, fresh_postgres_url], stderr=subprocess.PIPE)
                 for _ in range(3)]
    failures = []
    for process in processes:
        _, stderr = process.communicate(timeout=60)
        if process.returncode != 0:
            failures.append(stderr.decode()[-500:])
    assert failures == []
    engine = make_engine(fresh_postgres_url)
    assert current_revision(engine) is not None
    engine.dispose()


@pytest.fixture
def migrated_by_a_newer_release(engine):
    """The database also holds a revision this code has never seen (taken out again: the schema is shared)."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('9999_future')"))
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version WHERE version_num = '9999_future'"))


def test_a_database_migrated_by_a_newer_release_is_refused(migrated_by_a_newer_release):
    engine = migrated_by_a_newer_release
    with pytest.raises(SchemaAheadOfCode, match="9999_future"):
        upgrade(engine)


def test_an_upgrade_on_a_newer_schema_says_so_in_one_line_and_exits(migrated_by_a_newer_release, monkeypatch,
                                                                     capsys):
    from bot.cli import main

    engine = migrated_by_a_newer_release
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "newer than this release" in err and "9999_future" in err

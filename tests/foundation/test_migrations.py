"""The migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from swarms.db import Base, current_revision, make_engine, upgrade
from swarms.migrations.env_filters import include_name


def test_the_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_an_empty_database_upgrades_itself_and_a_second_upgrade_is_a_no_op(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    assert current_revision(engine) is None
    upgrade(engine)
    head = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == head is not None


def test_a_table_sqlite_rebuilds_keeps_the_rows_that_reference_it(tmp_path):
    """0012 rebuilds `swarms` on SQLite (copy, drop, rename): with foreign keys on, the drop would delete every
    member row by its ON DELETE CASCADE. Migrations run with them off, and they are on again afterwards."""
    engine = make_engine(f"sqlite:///{tmp_path / 'before-threads.sqlite3'}")
    upgrade(engine, "0009")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO swarms (case_system, case_key, case_number, case_subject, case_url, "
                          "case_product, status, language, channel_name, link_saved, opened_by, opened_at, "
                          "last_activity_at, resolution_summary) VALUES ('local', '1', '1', '', '', '', 'open', 'en', "
                          "'', 0, 'U1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '')"))
        conn.execute(text("INSERT INTO swarm_members (swarm_id, user_id, role, credited) VALUES (1, 'U1', 'owner', 0)"))

    upgrade(engine)

    with engine.connect() as conn:
        assert conn.execute(text("SELECT swarm_id, user_id FROM swarm_members")).all() == [(1, "U1")]
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()

"""Alembic environment: runs on the engine the app hands over, or on sqlalchemy.url from the CLI."""

from __future__ import annotations

from alembic import context
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

import swarms.all_models  # noqa: F401  (every table registers on Base.metadata)
from swarms.db import Base, hold_migration_lock, refuse_schema_ahead, sqlite_foreign_keys_off
from swarms.migrations.env_filters import include_name

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection, sqlite_foreign_keys_off(connection):
        # Replicas starting together queue here (PostgreSQL advisory lock, held to the commit); each then
        # reads the version the one before it committed, so only the first one migrates.
        hold_migration_lock(connection)
        refuse_schema_ahead(connection, ScriptDirectory.from_config(config))
        # render_as_batch lets ALTERs work on SQLite, which cannot alter most things in place.
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

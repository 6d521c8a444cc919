"""Get-or-create without races: INSERT … ON CONFLICT, on SQLite and PostgreSQL alike.

Select-then-insert loses when two replicas see a key for the first time at the same moment (the second
INSERT is a UniqueViolation, an HTTP 500 on an event); a savepoint around the INSERT only hides the
error at the cost of a round trip and a rollback. Here the database settles it in the one statement,
and the caller reads the row that won.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_or_skip(session: Session, table: Table, values: Mapping[str, Any]) -> Any | None:
    """INSERT … ON CONFLICT DO NOTHING: the new row's primary key, None if a row with its unique key was there."""
    return session.execute(_skip_statement(table, _dialect(session)), dict(values)).scalar()


def upsert(session: Session, table: Table, values: Mapping[str, Any], *, key: Sequence[str]) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE: the row holds `values` afterwards, whoever wrote it first."""
    insert_of = sqlite_insert if _dialect(session) == "sqlite" else pg_insert
    statement = insert_of(table).values(dict(values))
    changed = {name: statement.excluded[name] for name in values if name not in key}
    session.execute(statement.on_conflict_do_update(index_elements=list(key), set_=changed))


def _dialect(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"case-swarm runs on SQLite or PostgreSQL, not {name}")
    return name


@cache
def _skip_statement(table: Table, dialect: str) -> Insert:
    """Built once per table: the values travel as parameters (the note capture's hot path uses it)."""
    key = next(iter(table.primary_key.columns))
    insert_of = sqlite_insert if dialect == "sqlite" else pg_insert
    return insert_of(table).on_conflict_do_nothing().returning(key)

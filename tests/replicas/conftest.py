"""Fixtures for several real processes on one database: a fresh, empty PostgreSQL database per test."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL


def _admin_url() -> str:
    url = TEST_DATABASE_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@pytest.fixture
def fresh_postgres_url() -> str:
    """An empty database beside TEST_DATABASE_URL's (the migrations must build it), dropped afterwards."""
    base = make_url(_admin_url())
    name = f"{base.database}_fresh_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()

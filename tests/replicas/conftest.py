"""Fixtures for several real processes on one database: an empty one of their own per test."""

from __future__ import annotations

import pytest

from bench.replica_fleet import fresh_database
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def fresh_postgres_url() -> str:
    """An empty schema beside TEST_DATABASE_URL's tables (the migrations must build it), dropped afterwards."""
    with fresh_database(TEST_DATABASE_URL, prefix="fresh") as url:
        yield url

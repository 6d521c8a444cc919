"""Imports every module that defines tables, so Base.metadata is complete for Alembic and tests."""

from swarms import models, scheduling  # noqa: F401

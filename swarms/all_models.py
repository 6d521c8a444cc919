"""Imports every module that defines tables, so Base.metadata is complete for Alembic and tests."""

from swarms import (  # noqa: F401
    claimed_work,
    expert_models,
    home_models,
    knowledge_models,
    leadership,
    models,
    opening_models,
    scheduling,
)

"""Imports every module that defines tables, so Base.metadata is complete for Alembic and tests."""

from swarms import models, scheduling  # noqa: F401
from swarms import expert_models  # noqa: F401
from swarms import home_models  # noqa: F401,E402  (Home stats rollup and indexes, migration 0004)
from swarms import knowledge_models  # noqa: F401

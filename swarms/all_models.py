"""Imports every module that defines tables, so Base.metadata is complete for Alembic and tests."""

import swarms.experts.models
import swarms.install.tables
import swarms.install.workspaces
import swarms.jobs.claimed_work
import swarms.jobs.leadership
import swarms.jobs.scheduling
import swarms.knowledge.models
import swarms.models
import swarms.opening.models
import swarms.stats.models  # noqa: F401  (one name, `swarms`, binds them all)

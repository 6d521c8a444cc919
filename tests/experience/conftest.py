"""The experience tests drive the same running bot as tests/e2e."""

from tests.e2e.conftest import flaky_swarm_app, swarm_app  # noqa: F401

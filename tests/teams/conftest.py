"""The e2e harness of tests/e2e: a running bot against the stand-in."""

from tests.e2e.conftest import swarm_app  # noqa: F401

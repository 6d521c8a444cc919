"""The experience tests drive the same running bot as tests/e2e, and the case systems of tests/case_systems."""

from tests.case_systems.conftest import http, salesforce, sf_config, sf_samples  # noqa: F401
from tests.e2e.conftest import flaky_swarm_app, swarm_app  # noqa: F401

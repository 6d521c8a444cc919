"""The e2e harness of tests/e2e: a running bot against the stand-in; and two workspaces installed by OAuth."""

from tests.e2e.conftest import swarm_app  # noqa: F401
from tests.teams.two_workspaces import two_workspaces  # noqa: F401

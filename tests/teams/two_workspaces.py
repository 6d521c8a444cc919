"""Two workspaces installed by OAuth through the stand-in, each with an agent, a manager and a #support channel:
the world of the tests of per-workspace settings (`/swarm settings`, the Home's "Workspace settings")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.demo.standin_run import start_standin_run
from slack_standin import OAuthApp
from swarms.models import Case, Swarm

CASE, OTHER_CASE = "00002001", "00002002"
ACME, GLOBEX = "T0ACME0001", "T0GLOBEX01"
ACME_AGENT, ACME_MANAGER = "U0ACMEAGT1", "U0ACMEMGR1"
GLX_AGENT, GLX_MANAGER = "U0GLXAGT01", "U0GLXMGR01"


@pytest.fixture
def two_workspaces(sessions):
    """Acme (English) and Globex (Korean), each with an agent, a manager (MANAGER_USER_IDS) and a #support
    channel the bot is in; the deployment's SWARM_MODE is channel."""
    run = start_standin_run(sessions, oauth=OAuthApp(), env={"MANAGER_USER_IDS": f"{ACME_MANAGER},{GLX_MANAGER}"})
    acme = run.standin.add_workspace(ACME, "Acme Support")
    acme.add_user("ana", id=ACME_AGENT, real_name="Ana Acme", locale="en-US")
    acme.add_user("mia", id=ACME_MANAGER, real_name="Mia Acme", locale="en-US")
    globex = run.standin.add_workspace(GLOBEX, "Globex Support")
    globex.add_user("gil", id=GLX_AGENT, real_name="Gil Globex", locale="ko-KR")
    globex.add_user("gwen", id=GLX_MANAGER, real_name="Gwen Globex", locale="ko-KR")
    for workspace, admin in ((acme, ACME_AGENT), (globex, GLX_AGENT)):
        assert run.install_in(workspace, admin).status == 200
    support = {}
    for workspace, people in ((acme, (ACME_AGENT, ACME_MANAGER)), (globex, (GLX_AGENT, GLX_MANAGER))):
        support[workspace.team_id] = workspace.add_channel("support", members=[workspace.bot_user_id, *people])
    with sessions.begin() as session:
        session.add_all([Case(number=CASE, subject="Inverter shows E-21 after firmware update", status="New",
                              priority="High", product="SolarMax 5000"),
                         Case(number=OTHER_CASE, subject="Invoice address cannot be changed in the portal",
                              status="New", priority="Low", product="Billing")])
    yield run, acme, globex, support
    run.stop()


def type_swarm(run, workspace, user: str, channel: str, text: str) -> str:
    """`/swarm <text>` typed by `user`; the answer they read (the last response_url post)."""
    run.standin.driver(run.server.events_url, workspace=workspace).command("/swarm", text, user=user,
                                                                           channel=channel)
    run.settle()
    return workspace.responses(user)[-1]["payload"].get("text", "")


def swarm_of(sessions, team_id: str, number: str) -> Swarm:
    with sessions() as session:
        return session.scalars(select(Swarm).where(Swarm.team_id == team_id, Swarm.case_number == number)).one()

"""End-to-end harness: the real Bolt app and slack_sdk client against the local Slack stand-in.

`swarm_app` is a running bot (waitress on a free port, background started) with a small workspace:
an English-speaking agent, Korean-speaking experts, an admin, and a few cases in the local store.
Tests act through `swarm_app.driver` (signed commands, events, actions) and read the workspace back.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.demo.standin_run import StandInRun, start_standin_run
from swarms.case_systems.local import LocalCaseSystem
from swarms.models import Case
from swarms.settings import Settings
from tests.fakes import FlakyCaseSystem


@dataclass
class People:
    agent: str
    expert: str
    expert2: str
    admin: str
    manager: str
    outsider: str


@dataclass
class SwarmApp:
    run: StandInRun
    people: People

    @property
    def driver(self):
        return self.run.driver

    @property
    def workspace(self):
        return self.run.workspace

    @property
    def standin(self):
        return self.run.standin

    @property
    def services(self):
        return self.run.services

    def settle(self) -> None:
        self.run.settle()

    def swarm(self, text: str, *, user: str | None = None, channel: str | None = None):
        """The agent types `/swarm <text>`; returns the driver's result once everything settled."""
        channel = channel or self.workspace.general_id
        result = self.driver.command("/swarm", text, user=user or self.people.agent, channel=channel)
        self.settle()
        return result

    def answers(self, user: str | None = None) -> list[str]:
        """What the person read as answers to their commands (response_url posts), in order."""
        return [r["payload"].get("text", "") for r in self.standin.responses(user or self.people.agent)]


def seed_cases(sessions) -> None:
    with sessions.begin() as session:
        session.add_all([
            Case(number="00001026", subject="Inverter shows E-21 after firmware update", status="New",
                 priority="High", product="SolarMax 5000", account="Hanbit Energy", owner="Dana Agent",
                 contact_name="Min-ji Park", contact_email="minji.park@example.com",
                 description="Since the FW 3.2 update last night the inverter trips with E-21 every hour."),
            Case(number="00001027", subject="배터리 충전이 80%에서 멈춥니다", status="Open", priority="Medium",
                 product="PowerWall K", account="한빛에너지", description="BMS 로그 첨부합니다. 펌웨어 1.4.2"),
            Case(number="00000999", subject="Old closed case", status="Closed", priority="Low"),
        ])


AGENT, EXPERT, EXPERT2, ADMIN, MANAGER, OUTSIDER = "U0DANA0001", "U0JIWOO001", "U0MINHO001", "U0ADA00001", \
    "U0MIRA0001", "U0OLAF0001"


@pytest.fixture
def swarm_app(sessions, request):
    """A running bot; parametrize indirectly with a dict of extra settings (env) to change features."""
    app = start_swarm_app(sessions, dict(getattr(request, "param", None) or {}))
    yield app
    app.run.stop()


@pytest.fixture
def flaky_swarm_app(sessions):
    """The same, with a local case store that tests can take down (`app.services.cases.down = True`)."""
    app = start_swarm_app(sessions, {}, case_system=FlakyCaseSystem(LocalCaseSystem(sessions)))
    yield app
    app.run.stop()


def start_swarm_app(sessions, env: dict, case_system=None, *, socket_mode: bool = False) -> SwarmApp:
    seed_cases(sessions)
    settings = Settings.from_env({"ADMIN_USER_IDS": ADMIN, "MANAGER_USER_IDS": MANAGER, **env}, needs_slack=False)
    run = start_standin_run(sessions, settings=settings, case_system=case_system, socket_mode=socket_mode)
    ws = run.workspace
    ws.add_user("dana", id=AGENT, real_name="Dana Agent", email="dana@hanbit.example", tz="America/New_York",
                locale="en-US")
    ws.add_user("jiwoo", id=EXPERT, real_name="김지우", email="jiwoo@hanbit.example", locale="ko-KR")
    ws.add_user("minho", id=EXPERT2, real_name="이민호", email="minho@hanbit.example", locale="ko-KR")
    ws.add_user("ada", id=ADMIN, real_name="Ada Admin", email="ada@hanbit.example", locale="en-US")
    ws.add_user("mira", id=MANAGER, real_name="Mira Manager", email="mira@hanbit.example", locale="en-US")
    ws.add_user("olaf", id=OUTSIDER, real_name="Olaf Outsider", email="olaf@hanbit.example", locale="en-US")
    return SwarmApp(run, People(AGENT, EXPERT, EXPERT2, ADMIN, MANAGER, OUTSIDER))

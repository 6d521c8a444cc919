"""Fixtures of the expert finder's tests: a small directory, swarms, and a fake of the outside world."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time

import pytest

from expert_finder.models import ExpertProfile, Skill, WorkingHours
from swarms.experts.directory import import_directory
from swarms.experts.errors import ExpertUnreachable
from swarms.experts.invites import ExpertNotice, JoinRequest
from swarms.experts.settings import ExpertSettings
from swarms.models import MemberRole, Swarm, SwarmMember, SwarmStatus
from swarms.ports import InviteOutcome

TEAM = "T0ACME0001"  # the workspace of the domain tests' directory and swarms
# A Wednesday, 10:00 in Seoul: everyone below is at work.
NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
SEOUL_DAY = WorkingHours("Asia/Seoul", time(9), time(18))


def profile(user_id: str, name: str, skills=(), products=(), **kw) -> ExpertProfile:
    return ExpertProfile(user_id=user_id, name=name, skills=tuple(Skill(s, lvl) for s, lvl in skills),
                         products=tuple(products), hours=kw.pop("hours", SEOUL_DAY), **kw)


DIRECTORY = [
    profile("U0FW", "Minji Park", [("inverter firmware", 5), ("modbus", 3)], ["SolarMax 5000"], languages=("ko", "en")),
    profile("U0BAT", "Joon Lee", [("battery management", 4), ("BMS calibration", 4)], ["PowerCell"]),
    profile("U0NET", "Sara Kim", [("network configuration", 4), ("firmware update", 3)], ["SolarMax 5000"]),
    profile("U0UI", "Tom Baker", [("mobile app", 4)], ["SolarApp"]),
]


@pytest.fixture
def directory(sessions):
    with sessions.begin() as session:
        import_directory(session, TEAM, DIRECTORY, now=NOW)
    return DIRECTORY


def make_swarm(sessions, *, number="00001001", subject="Inverter shows E-21 after firmware update",
               product="SolarMax 5000", status=SwarmStatus.OPEN, owner="U0AGENT", channel=None, **kw) -> int:
    with sessions.begin() as session:
        swarm = Swarm(team_id=kw.pop("team_id", TEAM), case_system="local", case_key=number, case_number=number, case_subject=subject,
                      case_product=product, status=status, opened_by=owner, opened_at=kw.pop("opened_at", NOW),
                      channel_id=channel or f"C{number}", channel_name=f"swarm-{number}", **kw)
        session.add(swarm)
        session.flush()
        session.add(SwarmMember(swarm_id=swarm.id, user_id=owner, role=MemberRole.OWNER, joined_at=NOW))
        return swarm.id


@dataclass
class FakeExpertsPort:
    """Remembers what the flows asked of Slack and the scheduler; can refuse chosen people."""

    gone: dict[str, str] = field(default_factory=dict)  # user → why they cannot be asked
    dm_refused: dict[str, str] = field(default_factory=dict)
    channel_members: set[str] = field(default_factory=set)
    adds: list[list[str]] = field(default_factory=list)
    dms: list[JoinRequest] = field(default_factory=list)
    notices: list[ExpertNotice] = field(default_factory=list)
    planned: dict[int, datetime] = field(default_factory=dict)
    cancelled: list[int] = field(default_factory=list)

    def case_of(self, case_number):
        return None

    def unavailable(self, team_id, user_id):
        return self.gone.get(user_id, "")

    def in_channel(self, team_id, channel_id, user_id):
        return user_id in self.channel_members

    def add_to_swarm(self, swarm, user_ids):
        self.adds.append(list(user_ids))
        new = tuple(u for u in user_ids if u not in self.channel_members)
        self.channel_members.update(user_ids)
        return InviteOutcome(new, tuple(u for u in user_ids if u not in new))

    def ask_to_join(self, request):
        if request.user_id in self.dm_refused:
            raise ExpertUnreachable(request.user_id, self.dm_refused[request.user_id])
        self.dms.append(request)
        return f"D{request.user_id}", f"1700000000.{len(self.dms):06d}"

    def announce(self, notice):
        self.notices.append(notice)

    def plan_answer_check(self, outcome_id, run_at):
        self.planned[outcome_id] = run_at

    def cancel_answer_check(self, outcome_id):
        self.cancelled.append(outcome_id)
        self.planned.pop(outcome_id, None)


@pytest.fixture
def port():
    return FakeExpertsPort()


@pytest.fixture
def expert_settings():
    return ExpertSettings()


# ---------------------------------------------------------------- the real bot against the Slack stand-in

ALWAYS = WorkingHours("UTC", time(0), time(23, 59, 59), frozenset(range(7)))  # the wall clock never excludes
SORA, IVAN = "U0SORA0001", "U0IVAN0001"


def standin_directory(people) -> list[ExpertProfile]:
    """Experts of the end-to-end workspace; always at work, so the ranking does not depend on the hour."""
    return [
        profile(people.expert, "김지우", [("inverter firmware", 5)], ["SolarMax 5000"], hours=ALWAYS),
        profile(people.expert2, "이민호", [("firmware update", 4)], ["SolarMax 5000"], hours=ALWAYS),
        profile(SORA, "Sora Han", [("modbus", 3), ("inverter wiring", 3)], ["SolarMax 5000"], hours=ALWAYS),
        profile(IVAN, "Ivan Petrov", [("inverter firmware", 3)], ["PowerWall K"], hours=ALWAYS),
    ]


@pytest.fixture
def invite_app(sessions, request):
    """`swarm_app` of tests/e2e with an expert directory; parametrize indirectly with extra env settings."""
    from tests.e2e.conftest import start_swarm_app

    app = start_swarm_app(sessions, dict(getattr(request, "param", None) or {}))
    app.workspace.add_user("sora", id=SORA, real_name="Sora Han", locale="en-US")
    app.workspace.add_user("ivan", id=IVAN, real_name="Ivan Petrov", locale="en-US")
    with sessions.begin() as session:
        import_directory(session, app.workspace.team_id, standin_directory(app.people), now=NOW)
    yield app
    app.run.stop()

"""A closed-or-closable swarm with a case, members and a few captured messages."""

from __future__ import annotations

import pytest

from swarms.case_systems.local import LocalCaseSystem
from swarms.models import Case, MemberRole, SlackUser, Swarm, SwarmMember, SwarmStatus
from swarms.note_sync.capture import CapturedMessage, capture_message
from swarms.permissions import Permissions

CHANNEL = "C0SWARM1"
OWNER = "U0OWNER1"
EXPERT = "U0EXPERT1"
HELPER = "U0HELPER1"
STRANGER = "U0STRANGER"
EDITOR = "U0EDITOR1"
ADMIN = "U0ADMIN1"
CASE = "00001001"
TEAM = "T0HANBIT01"  # the workspace the swarm was opened in


@pytest.fixture
def permissions() -> Permissions:
    return Permissions(admins=frozenset({ADMIN}), knowledge_editors=frozenset({EDITOR}))


@pytest.fixture
def cases(sessions) -> LocalCaseSystem:
    return LocalCaseSystem(sessions, url_template="https://cases.example/{number}")


@pytest.fixture
def swarm_id(sessions) -> int:
    with sessions.begin() as session:
        session.add(Case(number=CASE, subject="Inverter shows E-21 after firmware update", status="Open",
                         description="Since the update to 2.3.0 the inverter stops with E-21 every morning.",
                         product="SolarMax 5000", account="Hanbit Energy", contact_name="Minji Park",
                         contact_email="minji.park@hanbit.example"))
        swarm = Swarm(team_id=TEAM, case_system="local", case_key=CASE, case_number=CASE, case_subject="Inverter shows E-21",
                      status=SwarmStatus.OPEN, channel_id=CHANNEL, channel_name="swarm-00001001", opened_by=OWNER,
                      card_ts="1700000000.000001", case_url=f"https://cases.example/{CASE}")
        session.add(swarm)
        session.flush()
        session.add(SwarmMember(swarm_id=swarm.id, user_id=OWNER, role=MemberRole.OWNER))
        session.add(SwarmMember(swarm_id=swarm.id, user_id=EXPERT, role=MemberRole.EXPERT))
        session.add(SlackUser(id=OWNER, name="owner", real_name="Dana Owner"))
        session.add(SlackUser(id=EXPERT, name="jiwoo", real_name="Jiwoo Kim"))
        return swarm.id


def post(sessions, swarm_id, ts, text, *, user=EXPERT, name="Jiwoo Kim", thread_ts="1700000000.000001"):
    message = CapturedMessage(channel_id=CHANNEL, ts=ts, user_id=user, author_name=name, text=text,
                              body=f"{text}\nSlack: https://x.slack.com/archives/{CHANNEL}/p{ts.replace('.', '')}",
                              permalink=f"https://x.slack.com/archives/{CHANNEL}/p{ts.replace('.', '')}",
                              thread_ts=thread_ts, event_id=f"Ev{ts}")
    with sessions.begin() as session:
        note = capture_message(session, session.get_one(Swarm, swarm_id), message)
        return note.id if note else None

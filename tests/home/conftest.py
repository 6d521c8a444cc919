"""Small builders of swarms, members and notes at chosen times, for the Home stats tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from swarms.experts.models import InviteMode, SuggestionOutcome, SuggestionState
from swarms.knowledge.marks import NOTICE_SOURCE
from swarms.models import Case, MemberRole, Note, SlackUser, Swarm, SwarmMember, SwarmStatus

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)  # a Wednesday, noon UTC
TEAM = "T0HOME0001"  # the workspace the swarms are opened in, unless a test says another


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


@dataclass
class World:
    """Writes rows the way the app would have, with times the test picks."""

    session: Session
    team_id: str = TEAM
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def person(self, user_id: str, name: str = "", *, tz: str = "", deleted: bool = False, bot: bool = False,
               locale: str = "en-US") -> str:
        self.session.add(SlackUser(id=user_id, name=name.lower() or user_id, real_name=name, tz=tz, deleted=deleted,
                                   is_bot=bot, locale=locale, fetched_at=NOW))
        self.session.flush()
        return user_id

    def swarm(self, *, opened: datetime, owner: str = "UOWNER", status: str | None = None,
              closed: datetime | None = None, case_closed: datetime | None = None,
              last_activity: datetime | None = None, number: str | None = None, team: str | None = None,
              thread_ts: str | None = None) -> Swarm:
        """Open, or closed when given a close time (as closing a swarm writes both); in this world's workspace
        unless `team` says another; a thread swarm when given its thread."""
        n = next(self._ids)
        status = status or (SwarmStatus.CLOSED if closed or case_closed else SwarmStatus.OPEN)
        number = number or f"{1000 + n}"
        swarm = Swarm(team_id=self.team_id if team is None else team, case_system="local", case_key=number,
                      case_number=number, case_subject=f"Case {number}", status=status, channel_id=f"C{n:05d}",
                      mode="thread" if thread_ts else "channel", thread_ts=thread_ts, card_ts=thread_ts,
                      channel_name=f"swarm-{number}", opened_by=owner, opened_at=opened, last_activity_at=last_activity or opened, closed_at=closed,
                      case_closed_at=case_closed)
        self.session.add(swarm)
        self.session.flush()
        self.member(swarm, owner, role=MemberRole.OWNER, invited=opened, joined=opened)
        return swarm

    def member(self, swarm: Swarm, user_id: str, *, role: str = MemberRole.EXPERT, invited: datetime | None = None,
               joined: datetime | None = None, replied: datetime | None = None, invited_by: str | None = None,
               credited: bool = False, left: datetime | None = None) -> SwarmMember:
        member = SwarmMember(swarm_id=swarm.id, user_id=user_id, role=role, invited_at=invited, joined_at=joined,
                             first_reply_at=replied, credited=credited, left_at=left,
                             invited_by=invited_by if invited_by is not None else
                             (None if role == MemberRole.OWNER else swarm.opened_by))
        self.session.add(member)
        self.session.flush()
        return member

    def asked(self, swarm: Swarm, user_id: str, *, at: datetime, state: str = SuggestionState.INVITED,
              mode: str = InviteMode.ASK, answer_minutes: int = 60) -> SuggestionOutcome:
        """An invitation as `invite_experts` records it: in ask mode a DM, and no member row until they join."""
        outcome = SuggestionOutcome(swarm_id=swarm.id, user_id=user_id, state=state, mode=mode,
                                    invited_by=swarm.opened_by, suggested_at=at, invited_at=at,
                                    answer_due_at=at + timedelta(minutes=answer_minutes))
        self.session.add(outcome)
        self.session.flush()
        return outcome

    def note(self, swarm: Swarm, user_id: str, at: datetime, *, deleted: bool = False) -> Note:
        n = next(self._ids)
        note = Note(swarm_id=swarm.id, channel_id=swarm.channel_id, message_ts=f"{n}.000100", user_id=user_id,
                    text="hi", body="hi", created_at=at, deleted_at=at if deleted else None)
        self.session.add(note)
        self.session.flush()
        return note

    def notice(self, swarm: Swarm, at: datetime, *, user_id: str = "") -> Note:
        """A note the app writes itself (a mark, the closing), stored as `add_notice` stores it: no author."""
        n = next(self._ids)
        note = Note(swarm_id=swarm.id, channel_id=swarm.channel_id, message_ts=f"notice-{n}", user_id=user_id,
                    author_name="case-swarm", text="Marked", body="Marked", source=NOTICE_SOURCE, created_at=at)
        self.session.add(note)
        self.session.flush()
        return note

    def case(self, number: str, *, closed: datetime | None) -> Case:
        case = Case(number=number, subject=f"Case {number}", status="Closed" if closed else "New", closed_at=closed,
                    created_at=ago(days=60), updated_at=ago(days=60))
        self.session.add(case)
        self.session.flush()
        return case


@pytest.fixture
def world(sessions):
    with sessions.begin() as session:
        yield World(session)

"""Given several replicas meeting the same new thing at the same moment, each get-or-create makes one row and
raises nothing: no UniqueViolation, no HTTP 500, no generic error on /swarm.

Real threads on PostgreSQL, each with its own connection and transaction, released together by a barrier
after their transactions have begun, so every one of them looks before any of them has written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.slack.people import People
from expert_finder.models import ExpertProfile, Skill
from knowledge_export.models import ArticleDraft, Mark
from swarms.case_systems.case_import import CaseRows, import_cases
from swarms.db import utcnow
from swarms.experts.directory import import_directory
from swarms.experts.finder import outcome_for
from swarms.experts.models import Expert, SuggestionOutcome
from swarms.jobs.scheduling import JobRun, claim_run
from swarms.knowledge.drafts import store_draft
from swarms.knowledge.marks import add_mark
from swarms.knowledge.models import KnowledgeDraft, MarkVia, NoteMark
from swarms.models import Case, MemberRole, Note, SlackUser, Swarm, SwarmMember, SwarmStatus
from swarms.note_sync.capture import CapturedMessage, capture_message
from swarms.opening.lifecycle import add_member
from swarms.stats.contributions import WorkingHours
from swarms.stats.models import RollupState
from swarms.stats.rollup import refresh_note_days

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]
REPLICAS = 6


def all_at_once(sessions, work: Callable[[Session], object], *, own_transaction: bool = True) -> list[object]:
    """Run `work` in REPLICAS threads released together; the errors raised, as a list (empty: none)."""
    barrier = threading.Barrier(REPLICAS)
    errors: list[object] = []

    def replica() -> None:
        try:
            if own_transaction:
                with sessions.begin() as session:
                    session.execute(text("SELECT 1"))  # connected, transaction begun
                    barrier.wait(10)
                    work(session)
            else:
                barrier.wait(10)
                work(None)
        except Exception as exc:  # whatever a replica would have raised
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(REPLICAS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def swarm_id(sessions) -> int:
    with sessions.begin() as session:
        session.add(Case(number="00001001", subject="Inverter E-21", status="Open"))
        swarm = Swarm(case_system="local", case_key="00001001", case_number="00001001", status=SwarmStatus.OPEN,
                      channel_id="C0RACE01", opened_by="U0AGENT1")
        session.add(swarm)
        session.flush()
        return swarm.id


class SlackUsersInfo:
    """users.info as Slack answers it, for a person nobody has cached yet (the one client of every team)."""

    def for_team(self, team_id: str):
        return self

    def users_info(self, *, user: str, include_locale: bool):
        return {"ok": True, "user": {"id": user, "name": user.lower(), "real_name": f"Person {user}",
                                     "locale": "ko-KR", "tz": "Asia/Seoul", "profile": {"email": "p@example.com"}}}


def test_a_person_seen_for_the_first_time_by_several_replicas_is_cached_once(sessions):
    for round_ in range(3):
        replicas = [People(SlackUsersInfo(), sessions) for _ in range(REPLICAS)]
        meet = lambda _, replicas=replicas, user_id=f"U0NEW{round_:04d}": replicas.pop().get("T0RACE", user_id)  # noqa: E731
        assert all_at_once(sessions, meet, own_transaction=False) == []
    assert count(sessions, SlackUser) == 3


def test_a_member_recorded_by_an_invite_and_by_slacks_join_event_at_once_is_one_member(sessions, swarm_id):
    def join(session):
        member = add_member(session, swarm_id, "U0EXPERT1", role=MemberRole.EXPERT, invited_by="U0AGENT1")
        assert member.joined_at is not None

    assert all_at_once(sessions, join) == []
    assert count(sessions, SwarmMember) == 1


def test_a_suggestion_outcome_written_by_two_flows_at_once_is_one_row(sessions, swarm_id):
    assert all_at_once(sessions, lambda s: outcome_for(s, swarm_id, "U0EXPERT1", now=utcnow())) == []
    assert count(sessions, SuggestionOutcome) == 1


def test_a_due_run_claimed_by_every_replica_goes_to_exactly_one(sessions):
    won: list[bool] = []
    assert all_at_once(sessions, lambda s: won.append(claim_run(s, "weekly-digest", "2026-W49"))) == []
    assert sorted(won) == [False] * (REPLICAS - 1) + [True]
    assert count(sessions, JobRun) == 1


def test_a_draft_stored_by_two_replicas_closing_the_same_swarm_is_one_draft(sessions, swarm_id):
    draft = ArticleDraft(title="E-21 after firmware update", problem="Inverter trips hourly")
    assert all_at_once(sessions, lambda s: store_draft(s, swarm_id, draft, [])) == []
    assert count(sessions, KnowledgeDraft) == 1


def test_a_mark_sent_twice_at_once_is_one_mark(sessions, swarm_id):
    message = CapturedMessage(channel_id="C0RACE01", ts="1700000001.000100", user_id="U0EXPERT1",
                              author_name="Jiwoo Kim", text="reboot fixes it", body="reboot fixes it")
    with sessions.begin() as session:
        capture_message(session, session.get_one(Swarm, swarm_id), message)

    def mark(session):
        add_mark(session, session.get_one(Swarm, swarm_id), channel_id="C0RACE01", ts="1700000001.000100",
                 mark=Mark.RESOLUTION, user_id="U0AGENT1", user_name="Dana", via=MarkVia.REACTION)

    assert all_at_once(sessions, mark) == []
    assert count(sessions, NoteMark) == 1
    assert count(sessions, Note) == 2  # the message and one notice of the mark


def test_the_first_rollup_run_on_several_replicas_makes_one_state_row(sessions):
    assert all_at_once(sessions, lambda s: refresh_note_days(s, now=utcnow(), hours=WorkingHours())) == []
    assert count(sessions, RollupState) == 1


def test_the_same_case_file_imported_on_several_processes_at_once_makes_each_case_once(sessions):
    rows = [{"number": f"0000200{i}", "subject": f"case {i}"} for i in range(5)]
    file = CaseRows(rows, [f"line {i + 2}" for i in range(5)])
    assert all_at_once(sessions, lambda s: import_cases(s, file)) == []
    assert count(sessions, Case) == 5


def test_the_same_directory_imported_on_several_processes_at_once_makes_each_expert_once(sessions):
    profiles = [ExpertProfile(f"U0EXP{i:04d}", f"Expert {i}", (Skill("inverter", 4),)) for i in range(4)]
    now = utcnow() - timedelta(minutes=1)
    assert all_at_once(sessions, lambda s: import_directory(s, "T0ACME0001", profiles, now=now)) == []
    assert count(sessions, Expert) == 4

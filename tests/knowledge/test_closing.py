"""Closing a swarm records who, when, why and who helped, writes it to the case, and says when to archive."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from swarms.case_systems.local import set_case_field
from swarms.db import utcnow
from swarms.errors import SwarmOfAnotherWorkspace
from swarms.jobs.claimed_work import ClaimedWork
from swarms.knowledge.closing import (
    CloseNotAllowed,
    CloseRequest,
    CloseSource,
    SwarmAlreadyClosed,
    archive_key,
    archive_target,
    check_reopened,
    close_swarm,
    flush_notes,
    mark_archived,
    reopen_swarm,
    swarms_awaiting_archive,
    top_contributors,
)
from swarms.knowledge.flows import ARCHIVE_CHANNEL, ARCHIVE_WAITS_FOR_DRAFT, queue_archive, release_archive
from swarms.models import Case, LocalCaseNote, Swarm, SwarmMember, SwarmStatus
from swarms.settings import Settings, SettingsError
from tests.knowledge.conftest import ADMIN, CASE, EXPERT, HELPER, OWNER, STRANGER, TEAM, post

WEEK = timedelta(days=7)
HOUR = timedelta(hours=1)


def close(sessions, swarm_id, permissions, *, user=OWNER, source=CloseSource.COMMAND, summary="Firmware 2.3.1",
          credited=None, case_owner_ids=frozenset(), system="local", team=TEAM):
    request = CloseRequest(swarm_id, user, source, summary, credited, case_owner_ids, team)
    with sessions.begin() as session:
        return close_swarm(session, request, permissions=permissions, case_system=system, archive_delay=WEEK)


def test_the_owner_closes_with_a_summary_and_the_top_contributors_are_credited(sessions, swarm_id, permissions):
    post(sessions, swarm_id, "1700000001.000100", "Rolling back to 2.2.9 clears E-21")
    post(sessions, swarm_id, "1700000001.000200", "2.3.1 has the fix")
    post(sessions, swarm_id, "1700000001.000300", "thanks", user=HELPER, name="Sam Helper")
    closed = close(sessions, swarm_id, permissions)
    assert closed.closed_by == OWNER and closed.summary == "Firmware 2.3.1"
    assert closed.credited == (EXPERT, HELPER)
    assert closed.archive_due_at - closed.closed_at == WEEK
    with sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        assert (swarm.status, swarm.closed_by, swarm.resolution_summary) == (SwarmStatus.CLOSED, OWNER, "Firmware 2.3.1")
        credited = set(session.scalars(select(SwarmMember.user_id).where(SwarmMember.credited.is_(True))))
        assert credited == {EXPERT, HELPER}



def test_a_close_from_another_workspace_is_refused_even_for_the_owner(sessions, swarm_id, permissions):
    with pytest.raises(SwarmOfAnotherWorkspace):
        close(sessions, swarm_id, permissions, team="T0GLOBEX01")
    with sessions() as session:
        assert session.get(Swarm, swarm_id).status == SwarmStatus.OPEN

def test_closing_writes_closed_status_and_a_closing_note_to_the_local_case(sessions, swarm_id, permissions, cases):
    close(sessions, swarm_id, permissions, credited=(EXPERT,))
    flush_notes(sessions, cases)
    with sessions() as session:
        assert session.scalar(select(Case.status).where(Case.number == CASE)) == "Closed"
        bodies = list(session.scalars(select(LocalCaseNote.body)))
    assert len(bodies) == 1
    assert "Closed in Slack by Dana Owner" in bodies[0]
    assert "Firmware 2.3.1" in bodies[0] and "Jiwoo Kim" in bodies[0]


def test_a_remote_case_gets_the_closing_note_but_its_status_is_left_to_people(sessions, swarm_id, permissions):
    close(sessions, swarm_id, permissions, system="salesforce")
    with sessions() as session:
        assert session.scalar(select(Case.status).where(Case.number == CASE)) == "Open"


def test_closing_twice_answers_already_closed_and_changes_nothing(sessions, swarm_id, permissions):
    first = close(sessions, swarm_id, permissions)
    with pytest.raises(SwarmAlreadyClosed):
        close(sessions, swarm_id, permissions, user=ADMIN, summary="other")
    with sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        assert swarm.resolution_summary == first.summary and swarm.closed_by == OWNER


@pytest.mark.parametrize("user", [OWNER, ADMIN, "U0CASEOWNER"])
def test_the_swarm_owner_the_case_owner_and_an_admin_may_close(sessions, swarm_id, permissions, user):
    closed = close(sessions, swarm_id, permissions, user=user, case_owner_ids=frozenset({"U0CASEOWNER"}))
    assert closed.closed_by == user


def test_anyone_else_is_refused_clearly_and_the_swarm_stays_open(sessions, swarm_id, permissions):
    with pytest.raises(CloseNotAllowed) as refused:
        close(sessions, swarm_id, permissions, user=STRANGER)
    assert refused.value.params["owner"] == OWNER
    with sessions() as session:
        assert session.get(Swarm, swarm_id).status == SwarmStatus.OPEN


def test_the_case_system_closing_the_case_closes_the_swarm_without_writing_back(sessions, swarm_id, permissions):
    closed = close(sessions, swarm_id, permissions, user="", source=CloseSource.CASE_SYSTEM, summary="")
    assert closed.closed_by == "case-system"
    with sessions() as session:
        assert session.get(Swarm, swarm_id).case_closed_at is not None
        assert session.scalar(select(LocalCaseNote.id)) is None


def test_reopening_cancels_the_archive_and_opens_the_swarm_again(sessions, swarm_id, permissions, cases):
    close(sessions, swarm_id, permissions)
    with sessions.begin() as session:
        assert [s for s, _ in swarms_awaiting_archive(session)] == [swarm_id]
        set_case_field(session, CASE, "status", "Open", author="Agent in the case system")
    assert check_reopened(sessions, cases) == [swarm_id]
    with sessions.begin() as session:
        reopened = reopen_swarm(session, swarm_id)
    assert reopened.reopened
    with sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        assert (swarm.status, swarm.archive_due_at) == (SwarmStatus.OPEN, None)
        assert swarms_awaiting_archive(session) == []


def test_a_case_still_closed_is_not_taken_for_reopened(sessions, swarm_id, permissions, cases):
    close(sessions, swarm_id, permissions)  # its own "Open → Closed" change is seen, and the case is closed
    assert check_reopened(sessions, cases) == []


def test_a_remote_case_counts_as_reopened_only_after_the_case_system_closed_it(sessions, swarm_id, permissions,
                                                                              cases):
    close(sessions, swarm_id, permissions, system="salesforce")  # stands in for a remote system
    with sessions.begin() as session:
        set_case_field(session, CASE, "status", "Working")
    assert check_reopened(sessions, cases) == [], "still open in the case system: not a reopening"
    with sessions.begin() as session:
        set_case_field(session, CASE, "status", "Closed")
    assert check_reopened(sessions, cases) == []
    with sessions.begin() as session:
        set_case_field(session, CASE, "status", "Reopened")
    assert check_reopened(sessions, cases) == [swarm_id]


def test_the_channel_is_to_be_archived_only_once_due_and_only_while_closed(sessions, swarm_id, permissions):
    closed = close(sessions, swarm_id, permissions)
    with sessions() as session:
        assert archive_target(session, swarm_id, now=utcnow()) is None, "not due yet"
        assert archive_target(session, swarm_id, now=closed.archive_due_at).channel_id == "C0SWARM1"
    with sessions.begin() as session:
        mark_archived(session, swarm_id)
    with sessions() as session:
        assert session.get(Swarm, swarm_id).status == SwarmStatus.ARCHIVED
        assert archive_target(session, swarm_id, now=utcnow() + WEEK * 2) is None, "archived: nothing left to do"


def test_each_closing_has_its_own_archive_key(sessions, swarm_id, permissions):
    closed = close(sessions, swarm_id, permissions)
    later = closed.archive_due_at + HOUR
    assert archive_key(swarm_id, closed.archive_due_at) == archive_key(swarm_id, closed.archive_due_at)
    assert archive_key(swarm_id, closed.archive_due_at) != archive_key(swarm_id, later)


def test_the_archive_waits_for_the_draft_an_hour_at_most_and_falls_due_once_it_is_posted(sessions, swarm_id,
                                                                                        permissions):
    closed = close(sessions, swarm_id, permissions)
    with sessions.begin() as session:
        queue_archive(session, swarm_id, closed.archive_due_at, after_draft=True)

    def archive_due_at():
        with sessions() as session:
            return session.scalar(select(ClaimedWork.due_at).where(ClaimedWork.kind == ARCHIVE_CHANNEL))

    assert archive_due_at() == closed.archive_due_at + ARCHIVE_WAITS_FOR_DRAFT, "held back for the draft"
    release_archive(sessions, swarm_id)
    assert archive_due_at() == closed.archive_due_at, "the draft posted: due at its own time"


def test_top_contributors_leave_out_deleted_messages_and_the_apps_notices(sessions, swarm_id, permissions):
    post(sessions, swarm_id, "1700000001.000100", "one", user=HELPER, name="Sam")
    post(sessions, swarm_id, "1700000001.000200", "two", user=HELPER, name="Sam")
    post(sessions, swarm_id, "1700000001.000300", "three")
    with sessions() as session:
        assert top_contributors(session, swarm_id) == [HELPER, EXPERT]


@pytest.mark.parametrize(("raw", "days"), [("", 7), ("3", 3), ("0", 0), ("0.5", 0.5)])
def test_the_archive_delay_is_a_setting(raw, days):
    settings = Settings.from_env({"SWARM_ARCHIVE_DAYS": raw}, needs_slack=False)
    assert settings.knowledge.archive_after == timedelta(days=days)


@pytest.mark.parametrize("raw", ["week", "-1", "400"])
def test_a_bad_archive_delay_names_the_setting(raw):
    with pytest.raises(SettingsError, match="SWARM_ARCHIVE_DAYS"):
        Settings.from_env({"SWARM_ARCHIVE_DAYS": raw}, needs_slack=False)

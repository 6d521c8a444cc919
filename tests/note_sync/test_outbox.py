"""Thread notes reach the case record exactly once, in order, through outages and crashes."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from swarms.case_systems.local import LocalCaseSystem
from swarms.db import utcnow
from swarms.models import Case, LocalCaseNote, OutboxItem, OutboxState, Swarm, SwarmStatus
from swarms.note_sync.capture import (
    CapturedMessage,
    capture_deletion,
    capture_edit,
    capture_message,
    retry_parked,
    sync_status,
)
from swarms.note_sync.delivery import deliver_due
from tests.fakes import Crash, FlakyCaseSystem

CHANNEL = "C0SWARM1"


@pytest.fixture
def swarm_id(sessions):
    with sessions.begin() as session:
        session.add(Case(number="00001001", subject="Inverter E-21", status="Open"))
        swarm = Swarm(case_system="local", case_key="00001001", case_number="00001001", status=SwarmStatus.OPEN,
                      channel_id=CHANNEL, opened_by="U0AGENT1")
        session.add(swarm)
        session.flush()
        return swarm.id


@pytest.fixture
def case_system(sessions):
    return FlakyCaseSystem(LocalCaseSystem(sessions))


def post(sessions, swarm_id, ts, text, *, event_id=None):
    message = CapturedMessage(channel_id=CHANNEL, ts=ts, user_id="U0EXPERT1", author_name="Jiwoo Kim", text=text,
                              body=text, thread_ts="1700000000.000001", event_id=event_id or f"Ev{ts}")
    with sessions.begin() as session:
        return capture_message(session, session.get_one(Swarm, swarm_id), message) is not None


def case_notes(sessions):
    with sessions() as session:
        return [(n.body, n.retracted) for n in session.scalars(
            select(LocalCaseNote).where(LocalCaseNote.revises_id.is_(None)).order_by(LocalCaseNote.id))]


def later(minutes=60):
    return utcnow() + timedelta(minutes=minutes)


def test_a_thread_reply_becomes_one_internal_note(sessions, swarm_id, case_system):
    assert post(sessions, swarm_id, "1700000001.000100", "Firmware 2.3.1 fixes E-21 — 펌웨어 2.3.1로 해결됩니다")
    report = deliver_due(sessions, case_system)
    assert report.delivered == 1
    assert case_notes(sessions) == [("Firmware 2.3.1 fixes E-21 — 펌웨어 2.3.1로 해결됩니다", False)]


def test_slacks_retries_of_the_same_event_or_message_never_double_a_note(sessions, swarm_id, case_system):
    assert post(sessions, swarm_id, "1700000001.000100", "hello", event_id="Ev1")
    assert not post(sessions, swarm_id, "1700000001.000100", "hello", event_id="Ev1")  # X-Slack-Retry-Num: 1
    assert not post(sessions, swarm_id, "1700000001.000100", "hello", event_id="Ev2")  # same message, other event
    deliver_due(sessions, case_system)
    deliver_due(sessions, case_system)
    assert len(case_notes(sessions)) == 1


def test_an_outage_that_lasts_then_ends_loses_nothing_doubles_nothing_and_keeps_order(sessions, swarm_id, case_system):
    case_system.down = True
    for i in range(5):
        post(sessions, swarm_id, f"1700000001.00010{i}", f"note {i}")
    report = deliver_due(sessions, case_system, rng=random.Random(1))
    assert report.unavailable and report.delivered == 0
    assert deliver_due(sessions, case_system).calls == 0, "nothing is due during the backoff"
    post(sessions, swarm_id, "1700000001.000200", "note 5, written during the outage")
    case_system.down = False
    deliver_due(sessions, case_system, now=later())
    assert [body for body, _ in case_notes(sessions)] == [f"note {i}" for i in range(5)] + [
        "note 5, written during the outage"]


def test_a_crash_between_the_remote_write_and_the_local_commit_keeps_the_note_single(sessions, swarm_id, case_system):
    post(sessions, swarm_id, "1700000001.000100", "the fix is a reboot")
    case_system.crash_after_write = True
    with pytest.raises(Crash):
        deliver_due(sessions, case_system)
    with sessions() as session:
        assert session.scalar(select(OutboxItem.state)) == OutboxState.PENDING
    deliver_due(sessions, case_system, now=later())  # the restarted app finds the row still "sending"
    assert case_notes(sessions) == [("the fix is a reboot", False)]
    with sessions() as session:
        assert session.scalar(select(OutboxItem.state)) == OutboxState.DELIVERED


def test_a_note_that_keeps_failing_is_parked_then_resent_on_request(sessions, swarm_id, case_system):
    post(sessions, swarm_id, "1700000001.000100", "bad one")
    post(sessions, swarm_id, "1700000001.000101", "good one")
    case_system.refuse[f"{CHANNEL}-1700000001.000100:add"] = ("FIELD_CUSTOM_VALIDATION_EXCEPTION", False)
    report = deliver_due(sessions, case_system)
    assert report.parked == [(swarm_id, "FIELD_CUSTOM_VALIDATION_EXCEPTION")]
    with sessions() as session:
        status = sync_status(session, swarm_id)
    assert (status.delivered, status.pending, status.parked) == (1, 0, 1)
    case_system.refuse.clear()
    with sessions.begin() as session:
        assert retry_parked(session, swarm_id) == 1
    deliver_due(sessions, case_system)
    assert sorted(body for body, _ in case_notes(sessions)) == ["bad one", "good one"]


def test_an_edit_after_delivery_updates_the_synced_note(sessions, swarm_id, case_system):
    post(sessions, swarm_id, "1700000001.000100", "reboot the inverter")
    deliver_due(sessions, case_system)
    with sessions.begin() as session:
        assert capture_edit(session, CHANNEL, "1700000001.000100", text="reboot it twice", body="reboot it twice",
                            event_id="EvEdit1")
    deliver_due(sessions, case_system)
    assert case_notes(sessions) == [("reboot it twice", False)]


def test_an_edit_before_delivery_sends_only_the_latest_text(sessions, swarm_id, case_system):
    post(sessions, swarm_id, "1700000001.000100", "v1")
    with sessions.begin() as session:
        capture_edit(session, CHANNEL, "1700000001.000100", text="v2", body="v2")
    deliver_due(sessions, case_system)
    assert case_notes(sessions) == [("v2", False)]
    assert len(case_system.calls) == 1


def test_a_deletion_marks_the_note_retracted_never_silently(sessions, swarm_id, case_system):
    post(sessions, swarm_id, "1700000001.000100", "wrong advice")
    deliver_due(sessions, case_system)
    with sessions.begin() as session:
        assert capture_deletion(session, CHANNEL, "1700000001.000100", event_id="EvDel1")
        assert not capture_deletion(session, CHANNEL, "1700000001.000100", event_id="EvDel1")
    deliver_due(sessions, case_system)
    [(body, retracted)] = case_notes(sessions)
    assert retracted and "deleted in Slack" in body


def test_a_message_deleted_before_it_synced_leaves_a_notice_without_its_text(sessions, swarm_id, case_system):
    post(sessions, swarm_id, "1700000001.000100", "my password is hunter2")
    with sessions.begin() as session:
        capture_deletion(session, CHANNEL, "1700000001.000100")
    deliver_due(sessions, case_system)
    [(body, _)] = case_notes(sessions)
    assert "hunter2" not in body and "deleted in Slack" in body

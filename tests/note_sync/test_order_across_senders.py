"""Notes of a case reach it in capture order, even with several capturing and delivering at once, and a
sender that dies mid-call lets its notes go within its lease.

The concurrent test runs on PostgreSQL with real threads, each with its own connection (bench/note_order.py
runs the long version with processes and a kill -9)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from swarms.case_systems.local import LocalCaseSystem
from swarms.db import utcnow
from swarms.models import Case, LocalCaseNote, OutboxItem, OutboxState, Swarm, SwarmStatus
from swarms.note_sync.capture import CapturedMessage, SwarmRef, capture_edit, capture_note
from swarms.note_sync.delivery import claim_batch, deliver_due

LEASE = timedelta(seconds=20)


def open_swarms(sessions, count: int) -> list[SwarmRef]:
    refs = []
    with sessions.begin() as session:
        for i in range(count):
            number = f"0007{i:04d}"
            session.add(Case(number=number, subject=f"case {i}", status="Open"))
            swarm = Swarm(case_system="local", case_key=number, case_number=number, status=SwarmStatus.OPEN,
                          channel_id=f"C0ORDER{i:03d}", opened_by="U0AGENT1")
            session.add(swarm)
            session.flush()
            refs.append(SwarmRef.of(swarm))
    return refs


def capture(sessions, swarm: SwarmRef, index: int) -> None:
    message = CapturedMessage(channel_id=swarm.channel_id or "", ts=f"1700000{index:03d}.000100", user_id="U0EXPERT1",
                              author_name="Jiwoo Kim", text=f"note {index}", body=f"note {index}",
                              event_id=f"Ev{swarm.id}-{index}")
    with sessions.begin() as session:
        capture_note(session, swarm, message, check_swarm=True)


def arrival_order(sessions) -> dict[str, list[int]]:
    """Per case, the capture sequence of each note in the order the case store received it."""
    with sessions() as session:
        seq_of = dict(session.execute(select(OutboxItem.idempotency_key, OutboxItem.seq)).all())
        rows = session.execute(
            select(Case.number, LocalCaseNote.idempotency_key).join(Case, Case.id == LocalCaseNote.case_id)
            .where(LocalCaseNote.revises_id.is_(None)).order_by(LocalCaseNote.id)
        ).all()
    by_case: dict[str, list[int]] = {}
    for number, key in rows:
        by_case.setdefault(number, []).append(seq_of[key])
    return by_case


def test_each_case_numbers_its_rows_in_capture_order_edits_included(sessions):
    [first, second] = open_swarms(sessions, 2)
    for index in range(3):
        capture(sessions, first, index)
    capture(sessions, second, 0)
    deliver_due(sessions, LocalCaseSystem(sessions))
    with sessions.begin() as session:  # an edit of a delivered note: a row of its own, next in its case
        capture_edit(session, first.channel_id, "1700000000.000100", text="note 0 v2", body="note 0 v2")
    with sessions() as session:
        numbered = session.execute(select(OutboxItem.case_key, OutboxItem.kind, OutboxItem.seq)
                                   .order_by(OutboxItem.id)).all()
    assert [(key, seq) for key, _, seq in numbered] == [
        (first.case_key, 1), (first.case_key, 2), (first.case_key, 3), (second.case_key, 1), (first.case_key, 4)]


def test_a_later_note_waits_while_an_earlier_one_of_its_case_is_with_another_sender(sessions):
    [swarm] = open_swarms(sessions, 1)
    capture(sessions, swarm, 0)
    capture(sessions, swarm, 1)
    now = utcnow()
    taken = claim_batch(sessions, "local", now=now, limit=1)
    assert len(taken) == 1
    assert not claim_batch(sessions, "local", now=now, limit=10), "note 1 must not overtake note 0"


def test_a_sender_that_died_mid_call_lets_its_notes_go_when_its_lease_runs_out(sessions):
    [swarm] = open_swarms(sessions, 1)
    capture(sessions, swarm, 0)
    started = utcnow()
    dead = claim_batch(sessions, "local", now=started, limit=10, lease=LEASE)  # then the process is killed
    assert not claim_batch(sessions, "local", now=started + LEASE - timedelta(seconds=1), limit=10)
    report = deliver_due(sessions, LocalCaseSystem(sessions), now=started + LEASE + timedelta(seconds=1))
    assert report.delivered == 1
    with sessions() as session:
        row = session.scalar(select(OutboxItem))
    assert (row.state, row.attempts, row.claimed_by != dead.token) == (OutboxState.DELIVERED, 2, True)


class SlowCaseStore(LocalCaseSystem):
    """The case store, answering only once the test lets it."""

    def __init__(self, sessions) -> None:
        super().__init__(sessions)
        self.called = threading.Event()
        self.answer = threading.Event()

    def add_notes(self, notes):
        self.called.set()
        self.answer.wait(10)
        return super().add_notes(notes)


def test_a_long_call_keeps_its_lease_alive_so_no_one_sends_its_notes_twice(sessions):
    [swarm] = open_swarms(sessions, 1)
    capture(sessions, swarm, 0)
    lease = timedelta(seconds=1.0)  # renewed every third: a 0.3 s lease missed its beat on a busy SQLite
    store = SlowCaseStore(sessions)
    sender = threading.Thread(target=deliver_due, args=(sessions, store), kwargs={"lease": lease})
    sender.start()
    try:
        assert store.called.wait(10)
        time.sleep(2.5)  # well past the first lease: only the heartbeat keeps the row
        assert not claim_batch(sessions, "local", now=utcnow(), limit=10)
    finally:
        store.answer.set()
        sender.join(10)
    with sessions() as session:
        assert session.scalar(select(OutboxItem.state)) == OutboxState.DELIVERED
        assert len(list(session.scalars(select(LocalCaseNote)))) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_notes_captured_and_delivered_by_many_at_once_reach_each_case_in_capture_order(sessions):
    swarms = open_swarms(sessions, 3)
    total = 240
    pending = list(range(total))
    lock = threading.Lock()

    def write() -> None:
        while True:
            with lock:
                if not pending:
                    return
                index = pending.pop(0)
            capture(sessions, swarms[index % len(swarms)], index)

    def deliver(stop: threading.Event) -> None:
        store = LocalCaseSystem(sessions)
        while not stop.is_set():
            deliver_due(sessions, store, batch_size=7)

    stop = threading.Event()
    senders = [threading.Thread(target=deliver, args=(stop,)) for _ in range(3)]
    writers = [threading.Thread(target=write) for _ in range(6)]
    for thread in senders + writers:
        thread.start()
    for thread in writers:
        thread.join(60)
    deadline = time.monotonic() + 60
    while sum(len(v) for v in arrival_order(sessions).values()) < total and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    for thread in senders:
        thread.join(30)
    arrived = arrival_order(sessions)
    assert sum(len(v) for v in arrived.values()) == total, "nothing lost, nothing doubled"
    for sequence in arrived.values():
        assert sequence == sorted(sequence) == list(range(1, len(sequence) + 1))

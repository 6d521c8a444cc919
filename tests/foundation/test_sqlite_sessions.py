"""On an SQLite file, a session that only reads does not queue behind the process's writer (WAL lets it
read its snapshot), and a write in it is refused at once instead of failing now and then under load."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from swarms.db import make_engine, make_session_factory, upgrade
from swarms.models import Case


@pytest.fixture
def file_sessions(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'reads.sqlite3'}")
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


def test_a_read_goes_on_while_a_long_write_holds_the_writer(file_sessions):
    with file_sessions.begin() as session:
        session.add(Case(number="00000001", subject="Inverter E-21", status="New"))
    writing, done = threading.Event(), threading.Event()

    def long_write() -> None:
        with file_sessions.begin() as session:
            session.add(Case(number="00000002", subject="Battery", status="New"))
            session.flush()
            writing.set()
            done.wait(timeout=10)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert writing.wait(timeout=10)
        started = time.monotonic()
        with file_sessions() as session:
            seen = session.scalar(select(func.count()).select_from(Case))
        assert time.monotonic() - started < 1.0, "the read did not wait for the writer"
        assert seen == 1, "it reads what was committed, not the write under way"
    finally:
        done.set()
        writer.join()


def test_a_write_in_a_session_that_only_reads_is_refused_naming_the_mistake(file_sessions):
    with file_sessions() as session:
        session.add(Case(number="00000003", subject="Fan", status="New"))
        with pytest.raises(OperationalError) as refused:
            session.flush()
    assert isinstance(refused.value.orig, sqlite3.OperationalError)
    assert "sessions.begin()" in str(refused.value)

"""The replica drill, shortened: two real `case-swarm serve` processes on a fresh PostgreSQL database.

Given two replicas started together on an empty database, when a case is opened from both at once,
a burst of messages arrives with each event retried to the other replica, the scheduler's leader is
killed -9 and a closed swarm's archive and the weekly digest fall due, then every note reaches the
case once and in order, the case has one channel and one card, another replica takes the jobs over,
and each job acts once. How fast (failover, delivery after the outage) is measured, beside its target, by
the whole drill, with outage, kill of the sender and load: bench/replicas.py.
"""

from __future__ import annotations

import pytest

from bench.replicas import DrillConfig, run_drill
from tests.conftest import TEST_DATABASE_URL

SHORT = DrillConfig(replicas=2, cases=3, messages=30, rate=20, load_seconds=0, outage_seconds=3, base_port=21600,
                    answer_check=False, kill_in_burst=False, kill_sender=False, lease_seconds=3,
                    note_lease_seconds=3, archive_days="0.00002", replace_killed=False)


@pytest.mark.postgres
def test_two_replicas_share_the_work_once_and_in_order_and_hand_the_jobs_over_when_the_leader_dies():
    figures = run_drill(SHORT, TEST_DATABASE_URL, log=lambda *_: None).figures

    assert figures["replicas up (started together, empty db)"] == "2 of 2"
    assert figures["channels per opened case (max)"] == 1
    assert figures["cards per opened case (max)"] == 1
    assert figures["notes acknowledged"] == figures["notes sent"] > 0
    assert (figures["lost"], figures["duplicates"], figures["per-case inversions"]) == (0, 0, 0)
    assert _took_seconds(figures["all notes delivered after the case system recovered, s"]), "all delivered"
    assert _took_seconds(figures["scheduler failover after kill -9 of the leader, s"]), "another replica took over"
    assert figures["new leader's /metrics says leader"] is True
    assert figures["scheduler leaders now (per /readyz)"] == 1
    assert figures["archive: conversations.archive calls"] == 1
    assert figures["weekly digest: DMs to the manager"] == 1
    assert figures["log lines not JSON"] == 0


def _took_seconds(figure: object) -> bool:
    """The drill waited (bounded) and the thing happened: a duration, not "not within …" or "no leader found"."""
    return isinstance(figure, int | float)

"""Given several replicas running the same answer check at once, the expert is escalated once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

import swarms.experts.invites as expert_invites
from swarms.experts.invites import escalate, invite_experts
from swarms.experts.models import SuggestionOutcome
from tests.experts.conftest import NOW, TEAM, make_swarm

CHECKS = 3


@pytest.mark.postgres  # SQLite runs one write transaction at a time: the race cannot happen there
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_three_checks_that_all_read_the_invitation_as_unanswered_escalate_it_once(sessions, directory, port,
                                                                                  expert_settings, monkeypatch):
    swarm_id = make_swarm(sessions)
    invite_experts(sessions, port, TEAM, swarm_id, ["U0FW"], invited_by="U0AGENT", now=NOW, settings=expert_settings)
    with sessions() as session:
        outcome_id = session.scalar(select(SuggestionOutcome.id).where(SuggestionOutcome.user_id == "U0FW"))
    # Every check has read the invitation as unanswered before any of them writes: the replicas' race.
    all_read = threading.Barrier(CHECKS, timeout=10)
    wrote_since = expert_invites.wrote_since

    def wrote_since_then_wait(*args, **kwargs):
        answer = wrote_since(*args, **kwargs)
        all_read.wait()
        return answer

    monkeypatch.setattr(expert_invites, "wrote_since", wrote_since_then_wait)
    with ThreadPoolExecutor(CHECKS) as pool:
        results = list(pool.map(lambda _: escalate(sessions, port, outcome_id, now=NOW + timedelta(minutes=30),
                                                   settings=expert_settings), range(CHECKS)))
    assert sorted(results) == ["ignored", "settled", "settled"]
    assert [notice.kind for notice in port.notices] == ["ignored"], "one 'has not answered' notice"

"""After serve is ready, the work already under way is indexed on a thread, so the first offer is not the slow one."""

from __future__ import annotations

import pytest

from bot.opening.warm_up import warm_when_ready
from swarms.case_systems.base import CaseRecord
from swarms.db import utcnow
from swarms.models import Swarm, SwarmStatus
from swarms.opening.existing_work import WorkCache, find_existing_work, teams_with_work, warm_existing_work

ACME, GLOBEX, INITECH = "T0ACME0001", "T0GLOBEX01", "T0INITECH1"


def _swarm(sessions, team_id: str, number: str, status: SwarmStatus, subject: str, summary: str = "") -> None:
    with sessions.begin() as session:
        session.add(Swarm(team_id=team_id, case_system="local", case_key=number, case_number=number,
                          case_subject=subject, case_product="SolarMax 5000", opened_by="U1", status=status,
                          channel_id=f"C{number}", closed_at=None if status == SwarmStatus.OPEN else utcnow(),
                          resolution_summary=summary))


def test_warming_indexes_each_workspace_with_swarms_and_the_offer_after_it_is_unchanged(sessions):
    """Given an open swarm in one workspace and a resolved one in another (a third has none), when the work is
    warmed, then both workspaces with swarms are indexed, the one without is not looked at, and the offer
    that follows is what it would have been cold."""
    _swarm(sessions, ACME, "00004001", SwarmStatus.OPEN, "Inverter fan loud at night")
    _swarm(sessions, GLOBEX, "00004002", SwarmStatus.CLOSED, "Inverter fan loud at night", "Replaced the fan")
    fan = CaseRecord(key="00004003", number="00004003", product="SolarMax 5000", subject="Inverter fan is loud at night")
    warmed = WorkCache()

    with sessions() as session:
        teams = teams_with_work(session, "local")
        for team_id in teams:
            warm_existing_work(session, warmed, team_id, "local")

        assert sorted(teams) == [ACME, GLOBEX]
        assert warmed.indexed(ACME, "local") and warmed.indexed(GLOBEX, "local")
        assert not warmed.indexed(INITECH, "local")
        for team_id in (ACME, GLOBEX):
            assert find_existing_work(session, warmed, team_id, fan, "local") == find_existing_work(
                session, WorkCache(), team_id, fan, "local")


def test_a_database_without_swarms_is_not_warmed(sessions):
    """Given no swarms (a new install), when serve would warm, then no workspace is read (nothing is loaded)."""
    with sessions() as session:
        assert teams_with_work(session, "local") == []


def test_the_running_app_warms_its_own_cache_once_ready(swarm_app, sessions):
    """Given a running app just started on a database with a swarm at work, when the warm-up runs, then the
    app's own cache (the one its offers use) holds that workspace's index."""
    team_id = swarm_app.workspace.team_id
    _swarm(sessions, team_id, "00004001", SwarmStatus.OPEN, "Inverter fan loud at night")
    assert not swarm_app.services.existing_work.indexed(team_id, "local")

    assert warm_when_ready(swarm_app.services, poll_seconds=0.05, wait_seconds=30) == [team_id]
    assert swarm_app.services.existing_work.indexed(team_id, "local")


def test_an_app_without_swarms_warms_nothing(swarm_app):
    assert warm_when_ready(swarm_app.services, poll_seconds=0.05, wait_seconds=30) == []


@pytest.mark.parametrize("swarm_app", [{"SWARM_OFFER_EXISTING": "false"}], indirect=True)
def test_with_the_offer_turned_off_nothing_is_warmed(swarm_app, sessions):
    """Given swarms at work but SWARM_OFFER_EXISTING=false, when the warm-up runs, then nothing is read or
    loaded: no offer will use it."""
    team_id = swarm_app.workspace.team_id
    _swarm(sessions, team_id, "00004001", SwarmStatus.OPEN, "Inverter fan loud at night")

    assert warm_when_ready(swarm_app.services, poll_seconds=0.05, wait_seconds=30) == []
    assert not swarm_app.services.existing_work.indexed(team_id, "local")

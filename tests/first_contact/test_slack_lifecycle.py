"""Stumble 8: a swarm channel archived, unarchived or renamed by hand, and the app uninstalled, are followed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.slack.access import SlackAccessGate
from swarms.db import utcnow
from swarms.install.workspaces import SlackWorkspace, WorkspaceAccess, WorkspaceNotServed, workspace
from swarms.models import LocalCaseNote, Swarm
from tests.e2e.conftest import swarm_app  # noqa: F401  (the running bot fixture)


def opened(app):
    app.swarm("00001026")
    return next(c for c in app.workspace.channels() if c.name.startswith("swarm-00001026"))


def swarm_row(sessions) -> Swarm:
    with sessions() as session:
        return session.scalar(select(Swarm))


def test_archiving_by_hand_ends_the_swarm_and_tells_the_case_then_unarchiving_reopens_it(swarm_app, sessions):  # noqa: F811
    channel = opened(swarm_app)
    swarm_app.driver.event({"type": "group_archive", "channel": channel.id, "user": swarm_app.people.agent,
                            "event_ts": "1795430006.000100"})
    swarm_app.settle()
    assert swarm_row(sessions).status == "archived"
    with sessions() as session:
        last = session.scalars(select(LocalCaseNote.body).order_by(LocalCaseNote.id)).all()[-1]
    assert last == "[Channel archived] Dana Agent archived the swarm channel in Slack; the swarm is no longer open."
    swarm_app.driver.event({"type": "group_unarchive", "channel": channel.id, "actor_id": swarm_app.people.agent,
                            "event_ts": "1795430007.000100"})
    swarm_app.settle()
    assert swarm_row(sessions).status == "open"


def test_a_rename_by_hand_is_remembered(swarm_app, sessions):  # noqa: F811
    channel = opened(swarm_app)
    swarm_app.driver.event({"type": "group_rename", "channel": {"id": channel.id, "name": "inverter-e21-war-room",
                                                                "created": 1795430000}})
    swarm_app.settle()
    assert swarm_row(sessions).channel_name == "inverter-e21-war-room"


def test_an_uninstall_pauses_the_workspaces_slack_work_on_every_replica_and_says_why(swarm_app, sessions,  # noqa: F811
                                                                                     caplog):
    team_id = swarm_app.workspace.team_id
    another_replica = SlackAccessGate(sessions)
    assert another_replica.open_for(team_id)
    swarm_app.driver.event({"type": "app_uninstalled", "event_ts": "1795430009.000100"})
    swarm_app.settle()
    assert not swarm_app.services.slack_queue.access.open_for(team_id)  # this replica's Slack work there waits
    assert not another_replica.open_for(team_id)  # and any other's: the pause is in the database
    assert team_id not in another_replica.active_teams()
    with sessions() as session:
        assert workspace(session, swarm_app.workspace.team_id).access is WorkspaceAccess.UNINSTALLED
    assert any("Slack access lost: the app was uninstalled" in r.getMessage() for r in caplog.records)


def test_work_queued_for_an_uninstalled_workspace_waits_without_holding_the_app_busy(swarm_app):  # noqa: F811
    """Its rows stay queued for a reinstall; "pending" (what settles a run, and what `wait_idle` waits for)
    counts only work that can go, so the app still settles."""
    queue = swarm_app.services.slack_queue
    swarm_app.driver.event({"type": "app_uninstalled", "event_ts": "1795430009.000100"})
    swarm_app.settle()
    queue.enqueue("slack.home_publish", {"user_id": swarm_app.people.agent}, team_id=swarm_app.workspace.team_id)
    assert queue.pending() == 0
    swarm_app.settle()


def test_a_revoked_bot_token_pauses_too_and_a_working_token_at_the_next_start_lifts_it(swarm_app,  # noqa: F811
                                                                                       sessions):
    swarm_app.driver.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [swarm_app.workspace.bot_user_id]},
                            "event_ts": "1795430010.000100"})
    swarm_app.settle()
    gate = SlackAccessGate(sessions)
    assert not gate.open_for(swarm_app.workspace.team_id)

    restarted = create_app(swarm_app.services.settings, sessions=sessions)  # a start with a token Slack accepts
    restarted.services.executor.shutdown(wait=True)

    assert gate.open_for(swarm_app.workspace.team_id)
    with sessions() as session:
        assert workspace(session, swarm_app.workspace.team_id).access is WorkspaceAccess.ACTIVE


def test_revoked_user_tokens_alone_pause_nothing(swarm_app, sessions):  # noqa: F811
    swarm_app.driver.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0DANA0001"], "bot": []},
                            "event_ts": "1795430011.000100"})
    swarm_app.settle()
    assert SlackAccessGate(sessions).open_for(swarm_app.workspace.team_id)


def test_a_bot_token_of_another_workspace_than_the_one_served_does_not_start(swarm_app, sessions):  # noqa: F811
    with sessions.begin() as session:  # the database serves Globex; the token is the stand-in workspace's
        session.add(SlackWorkspace(team_id="T0GLOBEX01", team_name="Globex", access_changed_at=utcnow()))

    with pytest.raises(WorkspaceNotServed, match="holds the data of Globex"):
        create_app(swarm_app.services.settings, sessions=sessions)

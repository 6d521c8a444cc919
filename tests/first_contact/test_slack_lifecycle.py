"""Stumble 8: a swarm channel archived, unarchived or renamed by hand, and the app uninstalled, are followed."""

from __future__ import annotations

from sqlalchemy import select

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


def test_an_uninstall_pauses_the_scheduled_slack_work_and_says_why(swarm_app, caplog):  # noqa: F811
    scheduler = swarm_app.services.scheduler
    assert scheduler.state == 1  # running
    swarm_app.driver.event({"type": "app_uninstalled", "event_ts": "1795430009.000100"})
    swarm_app.settle()
    assert scheduler.state == 2  # paused
    assert any("Slack access lost: the app was uninstalled" in r.getMessage() for r in caplog.records)

"""One swarm, one channel, one card: the same case opened by several people at once, or a command replayed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from swarms.models import Swarm


def swarm_channels(app, number: str):
    return [c for c in app.workspace.channels() if c.name.startswith(f"swarm-{number}")]


def cards_in(app, channel_id: str) -> list[dict]:
    return [m for m in app.workspace.messages(channel_id) if (m.get("metadata") or {}).get("event_type")
            == "case_swarm_card"]


def test_given_three_agents_typing_swarm_for_one_case_at_once_then_one_channel_one_card_and_all_are_in(swarm_app):
    people = [swarm_app.people.agent, swarm_app.people.expert, swarm_app.people.admin]
    forms = [swarm_app.driver.command_form("/swarm", "00001026", user=u, channel=swarm_app.workspace.general_id)
             for u in people]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(swarm_app.driver.send_command, forms))
    swarm_app.settle()
    assert all(r.status == 200 and r.acked_in_time for r in results)
    channels = swarm_channels(swarm_app, "00001026")
    assert len(channels) == 1
    assert len(cards_in(swarm_app, channels[0].id)) == 1
    assert set(people) <= set(swarm_app.workspace.members(channels[0].id))
    for person in people:  # each is told the channel (at once or when it opened)
        assert any(f"<#{channels[0].id}>" in text for text in swarm_app.answers(person)), swarm_app.answers(person)


def test_a_replayed_signed_swarm_command_does_its_work_once(swarm_app, sessions):
    form = swarm_app.driver.command_form("/swarm", "00001026", user=swarm_app.people.agent,
                                         channel=swarm_app.workspace.general_id)
    first = swarm_app.driver.send_command(form)
    replay = swarm_app.driver.send_command(form)  # same trigger_id, freshly signed: within Slack's 5 minutes
    swarm_app.settle()
    assert first.status == replay.status == 200
    channels = swarm_channels(swarm_app, "00001026")
    assert len(channels) == 1 and len(cards_in(swarm_app, channels[0].id)) == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Swarm)) == 1
    told = [t for t in swarm_app.answers() if f"<#{channels[0].id}>" in t]
    assert len(told) == 1, told

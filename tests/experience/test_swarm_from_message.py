"""Swarm on this case: a swarm started from any message, the message its first note and linked on the card."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.views.swarm_from_message import FromMessageAction, FromMessageBlock, FromMessageCallback
from swarms.models import Note, Swarm
from swarms.opening.case_numbers import find_case_numbers

SEARCH = {FromMessageBlock.SEARCH: {FromMessageAction.SEARCH: {"type": "external_select", "selected_option": None}}}


def _shortcut(app, user: str, channel: str, ts: str):
    app.driver.message_shortcut(FromMessageCallback.SHORTCUT, user=user, channel=channel, message_ts=ts)
    app.settle()
    return app.workspace.modal_stack(user)[-1]


def _pick(block: str, action: str, value: str, kind: str) -> dict:
    return {block: {action: {"type": kind, "selected_option": {"text": {"type": "plain_text", "text": value},
                                                                 "value": value}}}}


def _swarm_of(sessions, number: str) -> Swarm:
    with sessions() as session:
        return session.scalars(select(Swarm).where(Swarm.case_number == number)).one()


def test_a_customer_message_naming_a_case_opens_its_swarm_with_the_message_as_first_note(swarm_app, sessions):
    people, ws = swarm_app.people, swarm_app.workspace
    message = swarm_app.driver.user_posts(people.outsider, ws.general_id, "Customer on case 00001026 again: E-21 at 9am")
    swarm_app.settle()

    modal = _shortcut(swarm_app, people.agent, ws.general_id, message["ts"])
    assert modal["title"]["text"] == "Swarm on a case"
    [found] = [b for b in modal["blocks"] if b.get("block_id") == FromMessageBlock.FOUND]
    assert found["element"]["initial_option"]["value"] == "00001026"

    swarm_app.driver.view_submission(modal["id"], user=people.agent, values=_pick(
        FromMessageBlock.FOUND, FromMessageAction.FOUND, "00001026", "radio_buttons"))
    swarm_app.settle()

    swarm = _swarm_of(sessions, "00001026")
    with sessions() as session:
        [note] = session.scalars(select(Note).where(Note.swarm_id == swarm.id)).all()
    assert (note.source, note.message_ts, note.author_name) == ("shortcut", message["ts"], "Olaf Outsider")
    card = ws.messages(swarm.channel_id)[0]
    assert "Started from <" in card["blocks"][-1]["elements"][0]["text"]
    assert note.permalink in card["blocks"][-1]["elements"][0]["text"]
    assert any("Swarm for case *00001026* is open" in a for a in swarm_app.answers())


def test_an_alert_naming_two_cases_asks_which_one_and_names_the_app_as_the_author(swarm_app, sessions):
    people, ws = swarm_app.people, swarm_app.workspace
    alert = ws.post_message(ws.general_id, user="", text="", extra={
        "bot_id": "B0ALERTS01", "username": "SolarWatch", "subtype": "bot_message",
        "attachments": [{"title": "Fleet alarm", "text": "Cases #00001026 and 00001027 show E-21 (fw 3.2.10001)"}]})
    swarm_app.settle()

    modal = _shortcut(swarm_app, people.agent, ws.general_id, alert["ts"])
    [found] = [b for b in modal["blocks"] if b.get("block_id") == FromMessageBlock.FOUND]
    assert [o["value"] for o in found["element"]["options"]] == ["00001026", "00001027"]
    assert "initial_option" not in found["element"]

    refused = swarm_app.driver.view_submission(modal["id"], user=people.agent, values=SEARCH)
    assert refused.json()["errors"][FromMessageBlock.SEARCH].startswith("Pick the case")

    swarm_app.driver.view_submission(modal["id"], user=people.agent, values=_pick(
        FromMessageBlock.FOUND, FromMessageAction.FOUND, "00001027", "radio_buttons"))
    swarm_app.settle()
    swarm = _swarm_of(sessions, "00001027")
    with sessions() as session:
        [note] = session.scalars(select(Note).where(Note.swarm_id == swarm.id)).all()
    assert note.author_name == "SolarWatch" and "Fleet alarm" in note.text


def test_a_message_without_a_number_finds_the_case_by_searching_in_korean(swarm_app, sessions):
    people, ws = swarm_app.people, swarm_app.workspace
    channel, _ = ws.open_im(people.expert)
    message = swarm_app.driver.user_posts(people.expert, channel, "배터리가 또 80%에서 멈췄대요")
    swarm_app.settle()

    modal = _shortcut(swarm_app, people.expert, channel, message["ts"])
    assert modal["title"]["text"] == "케이스 스웜"
    assert not [b for b in modal["blocks"] if b.get("block_id") == FromMessageBlock.FOUND]
    options = swarm_app.driver.block_suggestion(modal["id"], FromMessageAction.SEARCH, "배터리", user=people.expert)
    assert [o["value"] for o in options.json()["options"]] == ["00001027"]

    swarm_app.driver.view_submission(modal["id"], user=people.expert, values=_pick(
        FromMessageBlock.SEARCH, FromMessageAction.SEARCH, "00001027", "external_select"))
    swarm_app.settle()
    assert _swarm_of(sessions, "00001027").opened_by == people.expert


def test_a_forged_pick_is_refused_and_a_closed_case_is_answered_in_words(swarm_app):
    people, ws = swarm_app.people, swarm_app.workspace
    message = swarm_app.driver.user_posts(people.agent, ws.general_id, "see 00000999")
    swarm_app.settle()
    modal = _shortcut(swarm_app, people.agent, ws.general_id, message["ts"])
    forged = swarm_app.driver.view_submission(modal["id"], user=people.agent, values=_pick(
        FromMessageBlock.SEARCH, FromMessageAction.SEARCH, "../../etc", "external_select"))
    assert forged.json()["errors"][FromMessageBlock.SEARCH] == "That isn't a case number I can open."

    swarm_app.driver.view_submission(modal["id"], user=people.agent, values=_pick(
        FromMessageBlock.FOUND, FromMessageAction.FOUND, "00000999", "radio_buttons"))
    swarm_app.settle()
    assert "closed" in swarm_app.answers()[-1].lower()


def test_case_numbers_are_read_alone_never_from_versions_dates_or_paths():
    text = "Ticket #35436, case 00001026; fw 3.2.10001, 2026-11-21, /logs/1234567, 010-1234-5678, 00001026 again"
    assert find_case_numbers(text) == ["35436", "00001026"]


def test_a_message_too_long_to_carry_is_read_again_and_kept_whole_or_the_person_is_told(swarm_app, sessions):
    people, ws = swarm_app.people, swarm_app.workspace
    floor = ws.add_channel("support-floor", members=[ws.bot_user_id, people.outsider, people.agent])
    long_text = "Case 00001026 log follows. " + "E-21 trip at 09:00, string 2 isolation 0.8 MOhm. " * 80
    for channel in (floor, ws.general_id):  # the bot is in the first, not in #general
        message = swarm_app.driver.user_posts(people.outsider, channel, long_text)
        swarm_app.settle()
        modal = _shortcut(swarm_app, people.agent, channel, message["ts"])
        swarm_app.driver.view_submission(modal["id"], user=people.agent, values=_pick(
            FromMessageBlock.FOUND, FromMessageAction.FOUND, "00001026", "radio_buttons"))
        swarm_app.settle()
    with sessions() as session:
        [note] = session.scalars(select(Note).where(Note.swarm_id == _swarm_of(sessions, "00001026").id)).all()
    assert note.text == long_text and note.channel_id == floor
    assert "couldn't read that message again" in swarm_app.answers()[-1]


def test_in_a_burst_that_slack_holds_back_the_message_is_kept_once_the_swarm_opens(sessions):
    from bot.demo.standin_run import start_standin_run
    from slack_standin import RateLimits
    from swarms.models import Case
    from swarms.settings import Settings

    numbers = [f"{3100000 + n:08d}" for n in range(12)]  # tier 2 lets 10 openings through, then one every 3 s
    with sessions.begin() as session:
        session.add_all(Case(number=n, subject=f"Fault {n}", status="New") for n in numbers[:11])
        session.add(Case(number=numbers[11], subject="Modbus TCP gateway offline at the Solaria site", status="New"))
    run = start_standin_run(sessions, settings=Settings.from_env({}, needs_slack=False), rate_limits=RateLimits())
    try:
        ws, driver = run.workspace, run.driver
        agent = ws.add_user("dana", locale="en-US")
        for number in numbers[:11]:
            driver.command("/swarm", number, user=agent, channel=ws.general_id)
        alert = driver.user_posts(agent, ws.general_id, f"Gateway offline again, see {numbers[11]}")
        driver.message_shortcut(FromMessageCallback.SHORTCUT, user=agent, channel=ws.general_id, message_ts=alert["ts"])
        run.settle(timeout=30)
        modal = ws.modal_stack(agent)[-1]
        driver.view_submission(modal["id"], user=agent, values=_pick(
            FromMessageBlock.FOUND, FromMessageAction.FOUND, numbers[11], "radio_buttons"))
        run.settle(timeout=30)
        told = [r["payload"].get("text", "") for r in run.standin.responses(agent)]
        # Held back by Slack's pace on a quiet machine (on a loaded one the bucket may have refilled meanwhile);
        # either way the message ends up as the swarm's first note and the card links it.
        assert any(numbers[11] in text for text in told), told
        swarm = _swarm_of(sessions, numbers[11])
        with sessions() as session:
            [note] = session.scalars(select(Note).where(Note.swarm_id == swarm.id)).all()
        assert note.message_ts == alert["ts"]
        assert "Started from <" in ws.messages(swarm.channel_id)[0]["blocks"][-1]["elements"][0]["text"]
    finally:
        run.stop()


def test_kept_for_later_the_message_waits_while_its_swarm_opens_then_becomes_its_first_note(swarm_app, sessions):
    from bot.listeners.swarm_from_message import START_FROM
    from bot.slack.work_queue import NotYet
    from bot.views.swarm_from_message import FromMessageState
    from swarms.db import utcnow
    from swarms.jobs.claimed_work import WorkItem
    from swarms.models import SwarmStatus

    people, ws = swarm_app.people, swarm_app.workspace
    swarm_app.swarm("00001026")
    swarm = _swarm_of(sessions, "00001026")
    message = swarm_app.driver.user_posts(people.outsider, ws.general_id, "Case 00001026: E-21 again")
    swarm_app.settle()
    state = FromMessageState(ws.general_id, message["ts"], user_id=people.outsider, text=message["text"])
    item = WorkItem(id=1, kind=START_FROM, team_id=ws.team_id,
                    payload={"case": "00001026", "state": state.dumps(), "user": people.agent}, attempts=0,
                    created_at=utcnow())
    handler = swarm_app.services.slack_queue.handlers[START_FROM]
    with sessions.begin() as session:
        session.get(Swarm, swarm.id).status = SwarmStatus.OPENING
    with pytest.raises(NotYet):
        handler(item)
    with sessions.begin() as session:
        session.get(Swarm, swarm.id).status = SwarmStatus.OPEN
    handler(item)
    swarm_app.settle()
    with sessions() as session:
        [note] = session.scalars(select(Note).where(Note.swarm_id == swarm.id)).all()
    assert note.message_ts == message["ts"]
    assert "Started from <" in ws.messages(swarm.channel_id)[0]["blocks"][-1]["elements"][0]["text"]

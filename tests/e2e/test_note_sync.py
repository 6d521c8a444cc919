"""Thread notes reach the case record exactly once, in order, through Slack retries and outages."""

from __future__ import annotations

from sqlalchemy import select

from swarms.models import Case, LocalCaseNote, OutboxItem, OutboxState


def open_swarm(app, number="00001026") -> str:
    app.swarm(number)
    channel = next(c for c in app.workspace.channels() if c.name.startswith(f"swarm-{number}"))
    app.workspace.join(channel.id, app.people.expert)
    return channel.id


def case_notes(sessions, number="00001026") -> list[LocalCaseNote]:
    with sessions() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        return list(session.scalars(select(LocalCaseNote).where(LocalCaseNote.case_id == case_id,
                                                                LocalCaseNote.revises_id.is_(None))
                                    .order_by(LocalCaseNote.id)))


def test_thread_replies_become_internal_notes_in_order_with_names_and_permalinks(swarm_app, sessions):
    channel = open_swarm(swarm_app)
    card_ts = swarm_app.workspace.messages(channel)[0]["ts"]
    people = swarm_app.people
    swarm_app.driver.user_posts(people.expert, channel, "E-21은 DC 절연 저항 경고입니다. 로그 확인 부탁드려요", thread_ts=card_ts)
    swarm_app.driver.user_posts(people.agent, channel, f"<@{people.expert}> log attached, FW 3.2.1", thread_ts=card_ts)
    swarm_app.settle()
    notes = case_notes(sessions)
    assert [n.author_name for n in notes] == ["김지우", "Dana Agent"]
    assert "E-21은 DC 절연 저항 경고입니다" in notes[0].body
    assert "@김지우 log attached" in notes[1].body and "/archives/" in notes[1].body
    assert not any(n.is_public for n in notes)
    # The case card and the bot's own messages are never synced.
    assert all("Inverter shows E-21" not in n.body for n in notes)


def test_a_slack_retry_of_the_same_event_never_doubles_a_note(swarm_app, sessions):
    channel = open_swarm(swarm_app)
    card_ts = swarm_app.workspace.messages(channel)[0]["ts"]
    message = swarm_app.driver.user_posts(swarm_app.people.expert, channel, "Check the DC isolation", thread_ts=card_ts)
    swarm_app.settle()
    event = {"type": "message", "channel": channel, "user": swarm_app.people.expert, "text": "Check the DC isolation",
             "ts": message["ts"], "thread_ts": card_ts, "channel_type": "group"}
    first = swarm_app.driver.event(event, event_id="Ev0RETRY0001")
    again = swarm_app.driver.event(event, event_id="Ev0RETRY0001", retry_num=1, retry_reason="http_timeout")
    swarm_app.settle()
    assert first.status == 200 and again.status == 200
    assert len(case_notes(sessions)) == 1


def test_an_edit_updates_the_note_and_a_deletion_retracts_it(swarm_app, sessions):
    channel = open_swarm(swarm_app)
    card_ts = swarm_app.workspace.messages(channel)[0]["ts"]
    people = swarm_app.people
    first = swarm_app.driver.user_posts(people.expert, channel, "Replace the fuse F2", thread_ts=card_ts)
    second = swarm_app.driver.user_posts(people.expert, channel, "Wrong case, ignore", thread_ts=card_ts)
    swarm_app.settle()
    swarm_app.driver.user_edits(people.expert, channel, first["ts"], "Replace the fuse F3 (not F2)")
    swarm_app.driver.user_deletes(people.expert, channel, second["ts"])
    swarm_app.settle()
    notes = case_notes(sessions)
    assert "Replace the fuse F3 (not F2)" in notes[0].body
    assert notes[1].retracted


def test_notes_written_while_the_case_system_is_down_arrive_in_order_once_it_is_back(flaky_swarm_app, sessions):
    app = flaky_swarm_app
    channel = open_swarm(app)
    card_ts = app.workspace.messages(channel)[0]["ts"]
    app.services.cases.down = True
    for n in range(5):
        app.driver.user_posts(app.people.expert, channel, f"step {n}", thread_ts=card_ts)
    app.settle()
    assert case_notes(sessions) == []
    with sessions() as session:
        assert {row.state for row in session.scalars(select(OutboxItem))} == {OutboxState.PENDING}
    app.services.cases.down = False
    with sessions.begin() as session:  # the backoff has run out
        for row in session.scalars(select(OutboxItem)):
            row.next_attempt_at = row.created_at
    app.services.worker.deliver_now()
    assert [n.body.splitlines()[0] for n in case_notes(sessions)] == [f"step {n}" for n in range(5)]


def test_swarm_status_says_what_is_synced_and_pending(flaky_swarm_app, sessions):
    app = flaky_swarm_app
    channel = open_swarm(app)
    card_ts = app.workspace.messages(channel)[0]["ts"]
    app.driver.user_posts(app.people.expert, channel, "first", thread_ts=card_ts)
    app.settle()
    app.services.cases.down = True
    app.driver.user_posts(app.people.expert, channel, "second", thread_ts=card_ts)
    app.settle()
    app.swarm("status", channel=channel)
    status = app.answers()[-1]
    assert "1 synced" in status and "1 pending" in status


def test_parked_notes_are_announced_and_sync_retry_resends_them(flaky_swarm_app, sessions):
    app = flaky_swarm_app
    channel = open_swarm(app)
    card_ts = app.workspace.messages(channel)[0]["ts"]
    app.services.cases.down = True
    app.driver.user_posts(app.people.expert, channel, "parked note", thread_ts=card_ts)
    app.settle()
    with sessions.begin() as session:  # as if it had failed many times already
        for row in session.scalars(select(OutboxItem)):
            row.attempts, row.next_attempt_at = 7, row.created_at
    app.services.worker.deliver_now()
    app.settle()
    assert any("sync retry" in m.get("text", "") for m in app.workspace.messages(channel))
    app.services.cases.down = False
    app.swarm("sync retry", channel=channel)
    assert "parked note" in case_notes(sessions)[0].body
    assert "1 note(s) sent" in app.answers()[-1] or "sent" in app.answers()[-1]


def test_status_outside_a_swarm_channel_is_a_clear_answer(swarm_app):
    swarm_app.swarm("status")
    assert "swarm channel" in swarm_app.answers()[-1].lower()


def test_add_to_case_syncs_a_message_from_another_channel(swarm_app, sessions):
    channel = open_swarm(swarm_app)
    general = swarm_app.workspace.general_id
    message = swarm_app.driver.user_posts(swarm_app.people.agent, general, "Customer called: E-21 again at 14:05")
    shortcut = swarm_app.driver.message_shortcut("add_to_case", user=swarm_app.people.agent, channel=general,
                                                 message_ts=message["ts"])
    swarm_app.settle()
    assert shortcut.status == 200
    [modal] = [v for v in swarm_app.workspace.modal_stack(swarm_app.people.agent)]
    option = modal["blocks"][-1]["element"]["options"][0]["value"]
    values = {"sync.pick": {"sync.pick_swarm": {"type": "static_select", "selected_option": {"value": option}}}}
    submitted = swarm_app.driver.view_submission(modal["id"], user=swarm_app.people.agent, values=values)
    swarm_app.settle()
    assert submitted.status == 200
    assert "E-21 again at 14:05" in case_notes(sessions)[0].body
    assert any("added a message" in m.get("text", "") for m in swarm_app.workspace.messages(channel))


def test_add_to_case_names_a_swarm_that_closed_or_vanished_while_the_picker_was_open(swarm_app, sessions):
    """Given the picker is open, when the chosen swarm closes (or the payload names one that never was),
    then the modal says so under the picker, and nothing is added."""
    channel = open_swarm(swarm_app)
    general = swarm_app.workspace.general_id
    message = swarm_app.driver.user_posts(swarm_app.people.agent, general, "Customer called again")
    swarm_app.driver.message_shortcut("add_to_case", user=swarm_app.people.agent, channel=general,
                                      message_ts=message["ts"])
    swarm_app.settle()
    [modal] = swarm_app.workspace.modal_stack(swarm_app.people.agent)
    swarm_app.driver.command("/swarm", "close", user=swarm_app.people.agent, channel=channel)
    swarm_app.settle()

    def submit(value: str) -> dict:
        values = {"sync.pick": {"sync.pick_swarm": {"type": "static_select", "selected_option": {"value": value}}}}
        return swarm_app.driver.view_submission(modal["id"], user=swarm_app.people.agent, values=values).json()

    closed = submit(modal["blocks"][-1]["element"]["options"][0]["value"])
    assert closed["response_action"] == "errors" and "has closed" in closed["errors"]["sync.pick"]
    gone = submit("99999")
    assert "no longer exists" in gone["errors"]["sync.pick"]
    forged = submit("²")  # a digit to str.isdigit, not to int()
    assert forged["response_action"] == "errors"
    assert not [n for n in case_notes(sessions) if "called again" in n.body]


def test_add_to_case_for_someone_in_no_swarm_says_so(swarm_app):
    general = swarm_app.workspace.general_id
    message = swarm_app.driver.user_posts(swarm_app.people.outsider, general, "hello")
    swarm_app.driver.message_shortcut("add_to_case", user=swarm_app.people.outsider, channel=general,
                                      message_ts=message["ts"])
    swarm_app.settle()
    assert "not in any open swarm" in swarm_app.answers(swarm_app.people.outsider)[-1]


def test_a_message_written_while_the_swarm_is_still_opening_is_synced_too(swarm_app, sessions):
    from swarms.models import Swarm, SwarmStatus

    channel = open_swarm(swarm_app)
    with sessions.begin() as session:  # as on another replica, between the channel and the card
        session.get_one(Swarm, session.scalar(select(Swarm.id).where(Swarm.channel_id == channel))).status = \
            SwarmStatus.OPENING
    swarm_app.services.caches.swarm_by_channel.clear()
    swarm_app.driver.user_posts(swarm_app.people.expert, channel, "첫 메모: 인버터 재부팅 후에도 E-21")
    swarm_app.settle()
    assert [n.author_name for n in case_notes(sessions)] == ["김지우"]

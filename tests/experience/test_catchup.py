"""Catch-up: someone who joins a swarm late reads where it stands, in their language."""

from __future__ import annotations

from datetime import UTC, datetime

from swarms.models import Note, Swarm, SwarmStatus
from swarms.opening.catchup import brief, catch_up, is_question
from tests.e2e.test_note_sync import open_swarm


def _swarm_channel(app) -> tuple[str, str]:
    channel = open_swarm(app)  # the agent opened it and the Korean expert joined
    return channel, app.workspace.messages(channel)[0]["ts"]


def test_a_late_joiner_reads_the_marked_cause_the_open_question_and_who_is_here_in_korean(swarm_app):
    channel, card_ts = _swarm_channel(swarm_app)
    people, driver = swarm_app.people, swarm_app.driver
    cause = driver.user_posts(people.expert, channel, "E-21 is the DC isolation warning after FW 3.2", thread_ts=card_ts)
    driver.user_posts(people.agent, channel, "Does the customer still have the FW 3.1 image?", thread_ts=card_ts)
    swarm_app.settle()
    driver.user_reacts(people.agent, channel, cause["ts"], "bulb")
    swarm_app.settle()

    driver.user_joins(people.expert2, channel, inviter=people.agent)
    swarm_app.settle()

    [shown] = swarm_app.workspace.ephemerals(people.expert2, channel)
    text = "\n".join(b["text"]["text"] for b in shown["blocks"] if b.get("type") == "section")
    assert "케이스 00001026 따라잡기" in shown["text"]
    assert "상태: *New* · 우선순위: *High*" in text
    assert "원인으로 표시된 메시지" in text and "DC isolation warning" in text
    assert "아직 답이 없는 질문" in text and "FW 3.1 image?" in text
    here = shown["blocks"][-1]["elements"][0]["text"]
    assert f"<@{people.agent}>" in here and f"<@{people.expert}>" in here and people.expert2 not in here


def test_the_opener_and_an_empty_swarm_get_no_catch_up(swarm_app):
    channel, _card_ts = _swarm_channel(swarm_app)  # nothing said yet when the expert joined
    assert swarm_app.workspace.ephemerals(swarm_app.people.expert, channel) == []
    assert swarm_app.workspace.ephemerals(swarm_app.people.agent, channel) == []


def test_swarm_catchup_on_demand_answers_in_english_and_names_a_case_system_that_is_down(flaky_swarm_app):
    app = flaky_swarm_app
    channel, card_ts = _swarm_channel(app)
    app.driver.user_posts(app.people.expert, channel, "Replace fuse F2 and reboot", thread_ts=card_ts)
    app.settle()
    app.services.cases.reads_down = True
    app.swarm("catchup", channel=channel)
    [shown] = [r["payload"] for r in app.standin.responses(app.people.agent) if "Catching up" in r["payload"]["text"]]
    text = "\n".join(b["text"]["text"] for b in shown["blocks"] if b.get("type") == "section")
    assert "Status: *unknown (the case system did not answer)*" in text
    assert "Replace fuse F2 and reboot" in text


def test_swarm_catchup_outside_a_swarm_channel_says_it_is_not_one(swarm_app):
    swarm_app.swarm("catchup")
    assert "isn't a swarm channel" in swarm_app.answers()[-1]


def _note(swarm_id: int, ts: str, user: str, text: str, thread_ts: str | None = None) -> Note:
    return Note(swarm_id=swarm_id, channel_id="C1", message_ts=ts, thread_ts=thread_ts, user_id=user,
                author_name=user, text=text, body=text, created_at=datetime(2026, 12, 1, tzinfo=UTC))


def test_a_question_counts_as_answered_only_when_someone_else_replies_in_its_thread(sessions):
    with sessions.begin() as session:
        swarm = Swarm(case_system="local", case_key="1", case_number="1", opened_by="U1", status=SwarmStatus.OPEN)
        session.add(swarm)
        session.flush()
        session.add_all([
            _note(swarm.id, "1700000001.000000", "U1", "Which firmware is installed?", thread_ts="1700000000.000000"),
            _note(swarm.id, "1700000002.000000", "U1", "Anyone?", thread_ts="1700000000.000000"),
            _note(swarm.id, "1700000003.000000", "U2", "펌웨어 버전 확인해 주실 수 있나요", thread_ts="1700000009.000000"),
            _note(swarm.id, "1700000004.000000", "U3", "3.2.1 입니다", thread_ts="1700000009.000000"),
            _note(swarm.id, "1700000005.000000", "U2", "로그를 보내 주실 수 있을까요?"),
        ])
        session.flush()
        catchup = catch_up(session, swarm.id)
    assert [q.text for q in catchup.open_questions] == ["Which firmware is installed?", "Anyone?",
                                                        "로그를 보내 주실 수 있을까요?"]


def test_questions_and_briefs_read_plain_text():
    assert is_question("Is the inverter on FW 3.2? Logs attached")
    assert is_question("재부팅 해 보셨나요")
    assert not is_question("Version 3.2?beta is out")
    assert not is_question("Replaced the fuse.")
    assert brief("<@U0JIWOO001> see <https://kb.example/1|the KB>") == "@U0JIWOO001 see the KB"
    assert brief("word " * 100).endswith("…") and len(brief("word " * 100)) <= 161

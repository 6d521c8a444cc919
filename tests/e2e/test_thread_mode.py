"""Thread mode: a swarm in a thread of the team channel where /swarm was typed, with the same card, sync,
marks, close, draft and stats as a swarm channel. Through the real Slack protocol (driver → Bolt → stand-in)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.views.case_card import CaseCardAction
from bot.views.existing_work import OfferAction
from bot.views.knowledge import KnowledgeAction, KnowledgeBlock, KnowledgeCallback
from swarms.knowledge.flows import archive_when_due
from swarms.knowledge.models import KnowledgeDraft
from swarms.models import Case, LocalCaseNote, Note, Swarm, SwarmMember, SwarmMode, SwarmStatus
from swarms.stats.contributions import Period, team_figures

CASE = "00001026"
KOREAN_CASE = "00001027"


@pytest.fixture
def support(swarm_app):
    """#support: the team's public channel, the bot in it with the agent and both experts."""
    ws, people = swarm_app.workspace, swarm_app.people
    return ws.add_channel("support", members=[ws.bot_user_id, people.agent, people.expert, people.expert2])


def case_notes(sessions, number=CASE) -> list[LocalCaseNote]:
    with sessions() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        return list(session.scalars(select(LocalCaseNote).where(LocalCaseNote.case_id == case_id,
                                                                LocalCaseNote.revises_id.is_(None))
                                    .order_by(LocalCaseNote.id)))


def the_swarm(sessions, number=CASE) -> Swarm:
    with sessions() as session:
        return session.scalar(select(Swarm).where(Swarm.case_number == number))


def swarm_channels(app) -> list:
    return [c for c in app.workspace.channels() if c.name.startswith("swarm-")]


def open_in_thread(app, channel, number=CASE, *, user=None) -> str:
    """`/swarm <case> --thread` in the channel; the card's ts (the thread's parent)."""
    app.swarm(f"{number} --thread", channel=channel, user=user)
    cards = [m for m in app.workspace.messages(channel) if number in m.get("text", "")]
    assert len(cards) == 1, cards
    return cards[0]["ts"]


def test_given_a_case_when_the_agent_runs_swarm_thread_in_support_then_the_card_is_a_message_there_and_a_reply_becomes_a_note(
        swarm_app, support, sessions):
    card_ts = open_in_thread(swarm_app, support)
    card = swarm_app.workspace.message(support, card_ts)
    assert card["user"] == swarm_app.workspace.bot_user_id
    assert "Inverter shows E-21" in str(card["blocks"]) and CaseCardAction.CATCH_UP in str(card["blocks"])
    assert KnowledgeAction.CLOSE_SWARM in str(card["blocks"])
    assert swarm_channels(swarm_app) == []  # no new channel, nobody invited anywhere
    assert not swarm_app.standin.calls("conversations.create") and not swarm_app.standin.calls("bookmarks.add")
    swarm = the_swarm(sessions)
    assert (swarm.mode, swarm.channel_id, swarm.thread_ts, swarm.status) == (SwarmMode.THREAD, support, card_ts,
                                                                              SwarmStatus.OPEN)
    answer = swarm_app.answers()[-1]
    assert f"<#{support}>" in answer and f"/archives/{support}/p{card_ts.replace('.', '')}" in answer

    swarm_app.driver.user_posts(swarm_app.people.expert, support, "E-21은 DC 절연 저항 경고입니다", thread_ts=card_ts)
    swarm_app.driver.user_posts(swarm_app.people.agent, support, "Lunch at noon?")  # the team channel's own talk
    swarm_app.settle()
    notes = case_notes(sessions)
    assert [n.author_name for n in notes] == ["김지우"]
    assert "E-21은 DC 절연 저항 경고입니다" in notes[0].body and not notes[0].is_public


def test_an_edit_in_the_thread_updates_the_note_and_a_deletion_retracts_it(swarm_app, support, sessions):
    card_ts = open_in_thread(swarm_app, support)
    people = swarm_app.people
    first = swarm_app.driver.user_posts(people.expert, support, "Replace the fuse F2", thread_ts=card_ts)
    second = swarm_app.driver.user_posts(people.expert, support, "Wrong case, ignore", thread_ts=card_ts)
    swarm_app.settle()
    swarm_app.driver.user_edits(people.expert, support, first["ts"], "Replace the fuse F3 (not F2)")
    swarm_app.driver.user_deletes(people.expert, support, second["ts"])
    swarm_app.settle()
    notes = case_notes(sessions)
    assert "Replace the fuse F3 (not F2)" in notes[0].body
    assert notes[1].retracted


def test_two_cases_swarm_in_two_threads_of_one_channel_and_each_reply_reaches_its_own_case(swarm_app, support,
                                                                                          sessions):
    first_card = open_in_thread(swarm_app, support, CASE)
    second_card = open_in_thread(swarm_app, support, KOREAN_CASE, user=swarm_app.people.expert)
    swarm_app.driver.user_posts(swarm_app.people.expert, support, "Check the DC isolation", thread_ts=first_card)
    swarm_app.driver.user_posts(swarm_app.people.expert2, support, "BMS 로그에서 셀 전압 편차가 보입니다",
                                thread_ts=second_card)
    swarm_app.settle()
    assert ["Check the DC isolation" in n.body for n in case_notes(sessions, CASE)] == [True]
    assert ["BMS 로그에서 셀 전압 편차가 보입니다" in n.body for n in case_notes(sessions, KOREAN_CASE)] == [True]
    # The Korean opener's swarm speaks Korean: its card and its answer.
    korean_card = swarm_app.workspace.message(support, second_card)
    assert "배터리 충전이 80%에서 멈춥니다" in str(korean_card["blocks"]) and "지금까지 상황 보기" in str(korean_card["blocks"])
    assert "스레드" in swarm_app.answers(swarm_app.people.expert)[-1]


def test_a_reaction_on_a_thread_reply_marks_it(swarm_app, support, sessions):
    card_ts = open_in_thread(swarm_app, support)
    fix = swarm_app.driver.user_posts(swarm_app.people.expert, support, "Install firmware 3.2.1", thread_ts=card_ts)
    swarm_app.settle()
    swarm_app.driver.user_reacts(swarm_app.people.agent, support, fix["ts"], "white_check_mark")
    swarm_app.settle()
    with sessions() as session:
        assert session.scalar(select(Note.marks).where(Note.message_ts == fix["ts"])) == ["resolution"]
    assert any(b.startswith("[Marked as resolution") for b in (n.body for n in case_notes(sessions)))
    told = swarm_app.workspace.ephemerals(swarm_app.people.agent, support)
    assert told and told[-1]["thread_ts"] == card_ts  # the marker is told in the thread, not the team channel


@pytest.mark.parametrize("summary_told_to_wait", [False, True], ids=["at_its_pace", "after_a_429"])
def test_closing_from_the_card_posts_in_the_thread_drafts_there_counts_in_the_stats_and_archives_nothing(
        swarm_app, support, sessions, tmp_path, summary_told_to_wait):
    settings = swarm_app.services.settings
    swarm_app.services.settings = replace(settings, knowledge=replace(settings.knowledge, folder=str(tmp_path)))
    app, people = swarm_app, swarm_app.people
    card_ts = open_in_thread(app, support)
    fix = app.driver.user_posts(people.expert, support, thread_ts=card_ts,
                                text="Fix:\n1. Install firmware 3.2.1\n2. Reboot the inverter twice.")
    app.settle()
    app.driver.user_reacts(people.agent, support, fix["ts"], "white_check_mark")
    app.driver.block_action(KnowledgeAction.CLOSE_SWARM, user=people.agent, channel=support, message_ts=card_ts)
    app.settle()
    view = app.workspace.modal_stack(people.agent)[-1]
    assert view["callback_id"] == KnowledgeCallback.CLOSE_VIEW and "this thread" in str(view["blocks"])
    if summary_told_to_wait:
        app.standin.rate_limit("chat.postMessage", retry_after=2)
    app.driver.view_submission(view["id"], user=people.agent, values={
        KnowledgeBlock.CLOSE_SUMMARY: {KnowledgeAction.SUMMARY_INPUT: {"type": "plain_text_input",
                                                                       "value": "Firmware 3.2.1 fixes E-21"}}})
    app.run.settle(timeout=60)  # closing drafts the article: the process's first draft loads the language models
    swarm = the_swarm(sessions)
    assert swarm.status == SwarmStatus.CLOSED and swarm.resolution_summary == "Firmware 3.2.1 fixes E-21"
    in_thread = [str(m.get("blocks")) for m in app.workspace.replies(support, card_ts)]
    assert any("Swarm closed" in text and "Firmware 3.2.1 fixes E-21" in text for text in in_thread)
    assert not any("archived" in text for text in in_thread)
    card = app.workspace.message(support, card_ts)
    assert KnowledgeAction.CLOSE_SWARM not in str(card["blocks"]) and "Closed by" in str(card["blocks"])
    assert [m["ts"] for m in app.workspace.messages(support)] == [card_ts]  # nothing else in the team channel
    with sessions() as session:
        draft = session.scalar(select(KnowledgeDraft))
        figures = team_figures(session, swarm.team_id, Period(7))
    assert draft is not None and draft.message_ts in [m["ts"] for m in app.workspace.replies(support, card_ts)]
    summary_ts = [m["ts"] for m in app.workspace.replies(support, card_ts) if "Swarm closed" in str(m.get("blocks"))]
    assert len(summary_ts) == 1 and float(summary_ts[0]) < float(draft.message_ts), "the summary, then the draft"
    assert "Install firmware 3.2.1" in str(app.workspace.message(support, draft.message_ts)["blocks"])
    assert (figures.swarms_opened, figures.swarms_closed) == (1, 1)
    assert "Closed in Slack by Dana Agent" in case_notes(sessions)[-1].body

    assert archive_when_due(app.services.sessions, app.services.knowledge, swarm.id, now=swarm.archive_due_at)
    assert the_swarm(sessions).status == SwarmStatus.ARCHIVED
    assert not app.standin.calls("conversations.archive")


def test_catch_me_up_on_the_card_answers_in_the_thread_and_slash_commands_in_the_channel_say_why_not(
        swarm_app, support):
    app, people = swarm_app, swarm_app.people
    card_ts = open_in_thread(app, support)
    question = app.driver.user_posts(people.agent, support, "Did anyone see E-21 after 3.2?", thread_ts=card_ts)
    app.driver.user_posts(people.expert, support, "원인: 절전 모드 설정입니다", thread_ts=card_ts)
    app.settle()
    app.driver.user_reacts(people.agent, support, question["ts"], "bulb")
    app.settle()
    app.driver.block_action(CaseCardAction.CATCH_UP, user=people.expert2, channel=support, message_ts=card_ts)
    app.settle()
    shown = [e for e in app.workspace.ephemerals(people.expert2, support) if e.get("thread_ts") == card_ts]
    assert shown and CASE in str(shown[-1]) and "Did anyone see E-21" in str(shown[-1])

    app.driver.command("/swarm", "catchup", user=people.agent, channel=support)
    app.settle()
    assert "threads" in app.answers()[-1] and CASE in app.answers()[-1] and "Catch me up" in app.answers()[-1]


def test_a_second_swarm_for_the_case_points_to_its_thread(swarm_app, support, sessions):
    card_ts = open_in_thread(swarm_app, support)
    swarm_app.swarm(CASE, user=swarm_app.people.expert2, channel=support)  # no flag: SWARM_MODE is channel
    assert swarm_channels(swarm_app) == []
    answer = swarm_app.answers(swarm_app.people.expert2)[-1]
    assert "이미 스웜이 있습니다" in answer and f"p{card_ts.replace('.', '')}" in answer
    with sessions() as session:
        members = set(session.scalars(select(SwarmMember.user_id)))
    assert members == {swarm_app.people.agent, swarm_app.people.expert2}


def test_swarm_thread_in_a_channel_without_the_bot_says_how_to_add_it_and_opens_nothing(swarm_app, sessions):
    general = swarm_app.workspace.general_id  # the bot was never added to #general
    swarm_app.swarm(f"{CASE} --thread", channel=general)
    swarm_app.swarm(f"{KOREAN_CASE} --thread", channel=general, user=swarm_app.people.expert)
    assert "/invite @case-swarm" in swarm_app.answers()[-1] and f"/swarm {CASE} --channel" in swarm_app.answers()[-1]
    assert "/invite @case-swarm" in swarm_app.answers(swarm_app.people.expert)[-1]
    assert "채널에 있어야 합니다" in swarm_app.answers(swarm_app.people.expert)[-1]
    assert the_swarm(sessions) is None and not swarm_app.workspace.messages(general)


def test_flags_are_checked_and_answered_at_once_in_the_persons_language(swarm_app, support):
    expert = swarm_app.people.expert
    swarm_app.swarm("help", user=expert)  # the bot learns that the expert reads Korean
    answers = [swarm_app.swarm(text, channel=support, user=user).json()["text"] for text, user in (
        (f"{CASE} --threads", None), (f"{CASE} —thread --channel", expert), ("--thread", None))]
    assert "I don't know `--threads`" in answers[0]
    assert "하나만 고르세요" in answers[1]  # a phone's em dash reads as --
    assert "add the case number" in answers[2]
    assert swarm_channels(swarm_app) == [] and len(swarm_app.workspace.messages(support)) == 0


@pytest.mark.parametrize("swarm_app", [{"SWARM_MODE": "thread"}], indirect=True)
def test_with_swarm_mode_thread_a_plain_swarm_opens_a_thread_and_channel_overrides_it(swarm_app, support, sessions):
    swarm_app.swarm(CASE, channel=support)
    assert the_swarm(sessions, CASE).mode == SwarmMode.THREAD and swarm_channels(swarm_app) == []
    swarm_app.swarm(f"{KOREAN_CASE} --channel", channel=support)
    assert the_swarm(sessions, KOREAN_CASE).mode == SwarmMode.CHANNEL
    assert [c.name for c in swarm_channels(swarm_app)] == ["swarm-00001027-배터리-충전이-80-에서-멈춥니다"]


def test_a_thread_swarm_of_a_closed_case_is_refused_like_a_channel_one(swarm_app, support, sessions):
    swarm_app.swarm("00000999 --thread", channel=support)
    assert "closed" in swarm_app.answers()[-1].lower()
    with sessions() as session:
        assert session.scalar(select(Swarm)) is None
    assert not swarm_app.workspace.messages(support)


def test_a_repeat_report_is_offered_the_thread_swarm_and_open_anyway_keeps_the_thread(swarm_app, support, sessions):
    with sessions.begin() as session:
        session.add(Case(number="00002001", subject="Inverter E-21 error after the firmware update", status="New",
                         priority="High", product="SolarMax 5000", description="FW 3.2 installed, E-21 every hour"))
    admin = swarm_app.people.admin
    swarm_app.workspace.join(support, admin)
    card_ts = open_in_thread(swarm_app, support)
    swarm_app.swarm("00002001 --thread", channel=support, user=admin)
    [offer] = [r["payload"] for r in swarm_app.standin.responses(admin)
               if OfferAction.OPEN_ANYWAY in str(r["payload"].get("blocks"))][-1:]
    join, anyway = (_element(offer, action) for action in (OfferAction.JOIN, OfferAction.OPEN_ANYWAY))
    assert anyway["value"] == "00002001 --thread"

    swarm_app.driver.block_action(OfferAction.JOIN, user=admin, channel=support, message_ts="1.0",
                                  value=join["value"], ephemeral=True)
    swarm_app.settle()
    assert f"p{card_ts.replace('.', '')}" in swarm_app.answers(admin)[-1]
    swarm_app.driver.block_action(OfferAction.OPEN_ANYWAY, user=admin, channel=support, message_ts="1.0",
                                  value=anyway["value"], ephemeral=True)
    swarm_app.settle()
    assert the_swarm(sessions, "00002001").mode == SwarmMode.THREAD and swarm_channels(swarm_app) == []
    assert len(swarm_app.workspace.messages(support)) == 2  # two cards, two threads


def _element(payload: dict, action_id: str) -> dict:
    for block in payload["blocks"]:
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} in the offer")


def test_if_slack_refuses_the_card_because_the_bot_just_left_the_agent_is_told_and_nothing_is_kept(
        swarm_app, support, sessions):
    swarm_app.standin.fail_next("chat.postMessage", "not_in_channel")
    swarm_app.swarm(f"{CASE} --thread", channel=support)
    assert "/invite @case-swarm" in swarm_app.answers()[-1]
    assert the_swarm(sessions) is None and not swarm_app.workspace.messages(support)
    open_in_thread(swarm_app, support)  # once the bot is back, the same command opens it

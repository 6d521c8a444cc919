"""Closing, marks and the draft review through the real Slack protocol (driver → Bolt → stand-in)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select, update

from bot.listeners.note_sync import poll_and_post
from bot.views.knowledge import DraftRef, KnowledgeAction, KnowledgeBlock, KnowledgeCallback
from swarms.case_systems.local import LocalCaseSystem, set_case_field
from swarms.db import utcnow
from swarms.jobs.claimed_work import ClaimedWork, WorkState
from swarms.knowledge.flows import ARCHIVE_CHANNEL, poll_reopened
from swarms.knowledge.models import DraftState, KnowledgeDraft
from swarms.models import Case, LocalCaseNote, Note, Swarm, SwarmStatus
from tests.e2e.conftest import start_swarm_app, swarm_app  # noqa: F401  (the running bot fixture)
from tests.fakes import FlakyCaseSystem

CASE = "00001026"


@pytest.fixture
def knowledge_folder(tmp_path):
    return tmp_path / "kb"


@pytest.fixture
def opened(swarm_app, knowledge_folder):  # noqa: F811
    settings = swarm_app.services.settings
    swarm_app.services.settings = replace(settings, knowledge=replace(settings.knowledge, folder=str(knowledge_folder)))
    swarm_app.swarm(CASE)
    channel = next(c for c in swarm_app.workspace.channels() if c.name.startswith(f"swarm-{CASE}"))
    swarm_app.workspace.join(channel.id, swarm_app.people.expert, inviter=swarm_app.people.agent)
    card = swarm_app.workspace.messages(channel.id)[0]
    ws = swarm_app.workspace
    ws.post_message(channel.id, user=swarm_app.people.expert, text="Could it be the new power-saving mode?",
                    thread_ts=card["ts"])
    fix = ws.post_message(channel.id, user=swarm_app.people.expert, thread_ts=card["ts"],
                          text="Fix:\n1. Install firmware 3.2.1\n2. Reboot the inverter twice. Min-ji Park confirmed.")
    swarm_app.settle()
    return swarm_app, channel.id, card["ts"], fix["ts"]


def swarm_row(sessions):
    with sessions() as session:
        return session.scalar(select(Swarm).where(Swarm.case_number == CASE))


def draft_row(sessions):
    with sessions() as session:
        return session.scalar(select(KnowledgeDraft))


def queued_archives(sessions) -> list[ClaimedWork]:
    with sessions() as session:
        return list(session.scalars(select(ClaimedWork).where(ClaimedWork.kind == ARCHIVE_CHANNEL)))


def archive_falls_due(app, sessions) -> None:
    """Days pass: the swarm's archive and the queued work that does it are due now."""
    with sessions.begin() as session:
        session.execute(update(Swarm).where(Swarm.archive_due_at.is_not(None)).values(archive_due_at=utcnow()))
        session.execute(update(ClaimedWork).where(ClaimedWork.kind == ARCHIVE_CHANNEL).values(due_at=utcnow()))
    app.services.slack_queue.run_due()
    app.settle()


def test_the_owner_closes_with_the_command_and_everything_follows(opened, sessions):
    app, channel, card_ts, fix_ts = opened
    app.workspace.add_reaction(channel, fix_ts, "white_check_mark", user=app.people.agent)
    app.settle()
    result = app.driver.command("/swarm", "close Firmware 3.2.1 fixes E-21", user=app.people.agent, channel=channel)
    app.settle()
    assert result.acked_in_time
    swarm = swarm_row(sessions)
    assert swarm.status == SwarmStatus.CLOSED and swarm.resolution_summary == "Firmware 3.2.1 fixes E-21"
    assert [(w.state, w.due_at) for w in queued_archives(sessions)] == [(WorkState.QUEUED, swarm.archive_due_at)]
    with sessions() as session:
        assert session.scalar(select(Case.status).where(Case.number == CASE)) == "Closed"
        bodies = [n.body for n in session.scalars(select(LocalCaseNote).order_by(LocalCaseNote.id))]
        assert session.scalar(select(Note.marks).where(Note.message_ts == fix_ts)) == ["resolution"]
    assert any(b.startswith("[Marked as resolution") for b in bodies)
    assert "Closed in Slack by Dana Agent" in bodies[-1]
    texts = [str(m.get("blocks")) for m in app.workspace.messages(channel)]
    assert any("Swarm closed" in t and "Firmware 3.2.1 fixes E-21" in t for t in texts)
    card = app.workspace.message(channel, card_ts)
    assert KnowledgeAction.CLOSE_SWARM not in str(card["blocks"]) and "Closed by" in str(card["blocks"])
    draft = draft_row(sessions)
    assert draft is not None and draft.message_ts
    review = str(app.workspace.message(channel, draft.message_ts)["blocks"])
    assert "Install firmware 3.2.1" in review and "Min-ji Park" not in review and "[NAME-1]" in review
    assert any("00001026" in t for t in app.answers())


def test_closing_while_the_case_system_is_down_keeps_the_card_as_it_was(sessions):
    """Given an open swarm, when the case system stops answering and the owner closes the swarm, then the
    card keeps its priority, status, account and description, loses its Close button and says it is closed."""
    cases = FlakyCaseSystem(LocalCaseSystem(sessions))
    app = start_swarm_app(sessions, {}, case_system=cases)
    try:
        app.swarm(CASE)
        channel = next(c for c in app.workspace.channels() if c.name.startswith(f"swarm-{CASE}")).id
        card = app.workspace.messages(channel)[0]
        cases.reads_down = True
        app.driver.command("/swarm", "close rolled back the firmware", user=app.people.agent, channel=channel)
        app.settle()
        after = app.workspace.message(channel, card["ts"])
    finally:
        app.run.stop()
    assert swarm_row(sessions).status == SwarmStatus.CLOSED
    kept = [b for b in after["blocks"] if b.get("block_id") in ("case_card.fields", "case_card.description")]
    assert kept == [b for b in card["blocks"] if b.get("block_id") in ("case_card.fields", "case_card.description")]
    assert "Hanbit Energy" in str(kept) and after["text"] == card["text"]
    assert KnowledgeAction.CLOSE_SWARM in str(card["blocks"]) and KnowledgeAction.CLOSE_SWARM not in str(after)
    assert "Closed by" in str(after["blocks"][-1])


def test_closing_twice_answers_already_closed(opened, sessions):
    app, channel, _, _ = opened
    app.driver.command("/swarm", "close", user=app.people.agent, channel=channel)
    app.settle()
    app.driver.command("/swarm", "close", user=app.people.admin, channel=channel)
    app.settle()
    assert any("already closed" in t for t in app.answers(app.people.admin))


def test_someone_else_is_refused_and_the_swarm_stays_open(opened, sessions):
    app, channel, _, _ = opened
    app.driver.command("/swarm", "close", user=app.people.outsider, channel=channel)
    app.settle()
    assert any("Only the swarm owner" in t for t in app.answers(app.people.outsider))
    assert swarm_row(sessions).status == SwarmStatus.OPEN


def test_the_close_button_opens_a_modal_prefilled_with_top_contributors_and_closes(opened, sessions):
    app, channel, card_ts, _ = opened
    app.driver.block_action(KnowledgeAction.CLOSE_SWARM, user=app.people.agent, channel=channel, message_ts=card_ts)
    app.settle()
    view = app.workspace.modal_stack(app.people.agent)[-1]
    assert view["callback_id"] == KnowledgeCallback.CLOSE_VIEW
    credit = next(b for b in view["blocks"] if b.get("block_id") == KnowledgeBlock.CLOSE_CREDIT)
    assert credit["element"]["initial_users"] == [app.people.expert]
    app.driver.view_submission(view["id"], user=app.people.agent, values={
        KnowledgeBlock.CLOSE_SUMMARY: {KnowledgeAction.SUMMARY_INPUT: {"type": "plain_text_input",
                                                                       "value": "Rolled out 3.2.1"}},
        KnowledgeBlock.CLOSE_CREDIT: {KnowledgeAction.CREDIT_INPUT: {"type": "multi_users_select",
                                                                     "selected_users": [app.people.expert]}}})
    app.settle()
    swarm = swarm_row(sessions)
    assert swarm.status == SwarmStatus.CLOSED and swarm.resolution_summary == "Rolled out 3.2.1"


def test_the_close_button_refuses_a_non_owner_without_a_modal(opened):
    app, channel, card_ts, _ = opened
    app.driver.block_action(KnowledgeAction.CLOSE_SWARM, user=app.people.outsider, channel=channel,
                            message_ts=card_ts)
    app.settle()
    assert not app.workspace.modal_stack(app.people.outsider)
    assert any("Only the swarm owner" in t for t in app.answers(app.people.outsider))


def test_the_case_closing_in_the_case_system_closes_the_swarm_and_reopening_keeps_the_channel(opened, sessions):
    app, channel, _, _ = opened
    with sessions.begin() as session:
        set_case_field(session, CASE, "status", "Closed", author="Agent in the case store")
    poll_and_post(app.services)
    app.settle()
    swarm = swarm_row(sessions)
    assert swarm.status == SwarmStatus.CLOSED and swarm.closed_by == "case-system"
    assert [w.state for w in queued_archives(sessions)] == [WorkState.QUEUED]
    with sessions.begin() as session:
        set_case_field(session, CASE, "status", "Open")
    assert poll_reopened(app.services.sessions, app.services.cases, app.services.knowledge) == [swarm.id]
    app.settle()
    assert swarm_row(sessions).status == SwarmStatus.OPEN
    assert any("reopened" in m.get("text", "") for m in app.workspace.messages(channel))
    archive_falls_due(app, sessions)
    assert not app.workspace.channel(channel).is_archived, "the reopened swarm's channel stays"
    assert app.standin.calls("conversations.archive") == []
    assert [w.state for w in queued_archives(sessions)] == [WorkState.DONE]


def draft_text(sessions) -> str:
    return str(draft_row(sessions).draft)


def test_a_message_deleted_or_edited_after_closing_leaves_the_draft(opened, sessions):
    """Given a closed swarm whose draft is up for review, when the expert deletes the fix they wrote and edits
    another message, then the draft is written again without the deleted words and with the new ones."""
    app, channel, card_ts, fix_ts = opened
    app.driver.command("/swarm", "close", user=app.people.agent, channel=channel)
    app.settle()
    first = draft_row(sessions)
    assert "Install firmware 3.2.1" in draft_text(sessions)
    guess = app.driver.user_posts(app.people.expert, channel, "Cause: the power-saving mode", thread_ts=card_ts)
    app.settle()
    app.driver.user_deletes(app.people.expert, channel, fix_ts)
    app.driver.user_edits(app.people.expert, channel, guess["ts"], "Cause: a loose DC connector, not power-saving")
    app.settle()
    again = draft_row(sessions)
    assert again.id == first.id and again.message_ts == first.message_ts  # the same review message, updated
    assert "Install firmware 3.2.1" not in draft_text(sessions)
    review = str(app.workspace.message(channel, again.message_ts)["blocks"])
    assert "Install firmware 3.2.1" not in review


def test_a_change_after_a_reviewer_edited_the_draft_keeps_their_edits_and_tells_them(opened, sessions):
    app, channel, _, fix_ts = opened
    app.driver.command("/swarm", "close", user=app.people.agent, channel=channel)
    app.settle()
    draft = draft_row(sessions)
    from swarms.knowledge.drafts import edit_draft

    with sessions.begin() as session:
        edit_draft(session, draft.id, app.people.agent, app.services.permissions, {"title": "E-21: reflash 3.2.1"},
                   team_id=app.workspace.team_id)
    app.driver.user_deletes(app.people.expert, channel, fix_ts)
    app.settle()
    assert draft_row(sessions).draft["title"] == "E-21: reflash 3.2.1"
    replies = [m for m in app.workspace.messages(channel) if m.get("thread_ts") == draft.message_ts]
    assert any("keeps" in m.get("text", "") and app.people.agent in m.get("text", "") for m in replies)


def test_closing_again_after_a_reopening_drafts_afresh_beside_the_published_article(opened, sessions):
    """Given a published draft, when the case reopens, the swarm finds a better fix and closes again, then a new
    draft is posted for review with the new fix, and the earlier article is listed beside it."""
    app, channel, card_ts, _ = opened
    app.driver.command("/swarm", "close Firmware 3.2.1", user=app.people.agent, channel=channel)
    app.settle()
    first = draft_row(sessions)
    app.driver.block_action(KnowledgeAction.PUBLISH, user=app.people.agent, channel=channel,
                            message_ts=first.message_ts, value=DraftRef(first.id).dumps())
    app.settle()
    published = draft_row(sessions)
    assert published.state == DraftState.PUBLISHED
    with sessions.begin() as session:
        set_case_field(session, CASE, "status", "Open")
    assert poll_reopened(app.services.sessions, app.services.cases, app.services.knowledge) == [first.swarm_id]
    app.driver.user_posts(app.people.expert, channel, "The real fix is firmware 3.2.2 plus a BMS reset",
                          thread_ts=card_ts)
    app.settle()
    app.driver.command("/swarm", "close Firmware 3.2.2 plus a BMS reset", user=app.people.agent, channel=channel)
    app.settle()
    fresh = draft_row(sessions)
    assert fresh.state == DraftState.DRAFTED and fresh.message_ts and fresh.message_ts != first.message_ts
    assert "3.2.2" in str(fresh.draft)
    assert fresh.similar[0]["location"] == published.export_location
    review = str(app.workspace.message(channel, fresh.message_ts)["blocks"])
    assert "before the swarm was reopened" in review


def test_the_channel_is_archived_once_due_once_only_and_without_a_goodbye(opened, sessions):
    app, channel, _, _ = opened
    app.driver.command("/swarm", "close", user=app.people.agent, channel=channel)
    app.settle()
    assert not app.workspace.channel(channel).is_archived, "not before SWARM_ARCHIVE_DAYS"
    posts_before = len(app.standin.calls("chat.postMessage"))
    archive_falls_due(app, sessions)
    assert app.workspace.channel(channel).is_archived
    assert swarm_row(sessions).status == SwarmStatus.ARCHIVED
    archive_falls_due(app, sessions)
    assert len(app.standin.calls("conversations.archive")) == 1, "once only"
    # The closing summary said when the channel would be archived; Slack shows who archived it.
    assert len(app.standin.calls("chat.postMessage")) == posts_before


def test_a_forged_publish_from_a_non_owner_is_refused_and_the_owner_publishes(opened, sessions, knowledge_folder):
    app, channel, _, _ = opened
    app.driver.command("/swarm", "close Firmware 3.2.1", user=app.people.agent, channel=channel)
    app.settle()
    draft = draft_row(sessions)
    value = DraftRef(draft.id).dumps()
    app.driver.block_action(KnowledgeAction.PUBLISH, user=app.people.outsider, channel=channel,
                            message_ts=draft.message_ts, value=value)
    app.settle()
    assert draft_row(sessions).state == DraftState.DRAFTED
    assert any("Only the swarm owner" in t for t in app.answers(app.people.outsider))
    assert not knowledge_folder.exists() or not list(knowledge_folder.iterdir())
    app.driver.block_action(KnowledgeAction.PUBLISH, user=app.people.agent, channel=channel,
                            message_ts=draft.message_ts, value=value)
    app.settle()
    published = draft_row(sessions)
    assert published.state == DraftState.PUBLISHED
    assert list(knowledge_folder.glob("*.md"))
    assert any("published the knowledge draft" in m.get("text", "") for m in app.workspace.messages(channel))


def test_marking_the_case_card_as_the_resolution_says_why_it_cannot_be(opened, sessions):
    app, channel, card_ts, _ = opened
    app.driver.message_shortcut(KnowledgeCallback.MARK_RESOLUTION, user=app.people.agent, channel=channel,
                                message_ts=card_ts)
    app.settle()
    assert "can't be marked as the resolution" in app.answers(app.people.agent)[-1]
    with sessions() as session:
        assert session.scalar(select(Note.marks).where(Note.message_ts == card_ts)) is None


def test_mark_as_resolution_shortcut_and_reaction_removal(opened, sessions):
    app, channel, _, fix_ts = opened
    app.driver.message_shortcut(KnowledgeCallback.MARK_RESOLUTION, user=app.people.expert, channel=channel,
                                message_ts=fix_ts)
    app.settle()
    with sessions() as session:
        assert session.scalar(select(Note.marks).where(Note.message_ts == fix_ts)) == ["resolution"]
    app.workspace.add_reaction(channel, fix_ts, "bulb", user=app.people.agent)
    app.settle()
    app.workspace.remove_reaction(channel, fix_ts, "bulb", user=app.people.agent)
    app.settle()
    with sessions() as session:
        assert session.scalar(select(Note.marks).where(Note.message_ts == fix_ts)) == ["resolution"]


@pytest.mark.parametrize("swarm_app", [{"SWARM_ARCHIVE_DAYS": "0"}], indirect=True)
@pytest.mark.parametrize("summary_told_to_wait", [False, True], ids=["at_its_pace", "after_a_429"])
def test_archiving_at_once_waits_for_the_closing_summary_and_the_draft_review(opened, sessions,
                                                                            summary_told_to_wait):
    """Given SWARM_ARCHIVE_DAYS=0, when the owner closes the swarm (and Slack tells the closing summary to
    wait), then the closing summary and the draft for review are posted in the channel, and only after
    them is the channel archived."""
    app, channel, _, _ = opened
    if summary_told_to_wait:
        app.standin.rate_limit("chat.postMessage", retry_after=2)
    app.driver.command("/swarm", "close Firmware 3.2.1 fixes E-21", user=app.people.agent, channel=channel)
    app.settle()

    assert app.workspace.channel(channel).is_archived
    assert swarm_row(sessions).status == SwarmStatus.ARCHIVED
    draft = draft_row(sessions)
    assert draft is not None and draft.message_ts
    texts = [str(m.get("blocks")) for m in app.workspace.messages(channel)]
    assert any("Swarm closed" in t for t in texts), "the closing summary"
    assert app.workspace.message(channel, draft.message_ts), "the draft's review"
    assert [c for c in app.standin.api.errors_answered() if c[1] == "is_archived"] == []
    calls = [method for method, args in app.standin.calls() if args.get("channel") == channel
             and method in ("chat.postMessage", "chat.update", "conversations.archive")]
    assert calls[-1] == "conversations.archive" and calls.count("conversations.archive") == 1

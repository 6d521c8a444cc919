"""Reactions and the shortcut mark messages; marks are per person and reach the case as notices, once."""

import pytest
from sqlalchemy import select

from knowledge_export.models import Mark
from swarms.knowledge.marks import add_mark, mark_emoji, mark_for_reaction, marks_of, note_text, remove_mark
from swarms.knowledge.models import MarkVia, NoteMark
from swarms.models import LocalCaseNote, Note, OutboxItem, Swarm
from swarms.note_sync.capture import CapturedMessage
from swarms.note_sync.delivery import deliver_due
from swarms.settings import KnowledgeSettings, Settings, SettingsError, SettingsReader
from tests.knowledge.conftest import CHANNEL, EXPERT, HELPER, OWNER, post

TS = "1700000001.000100"


def mark(sessions, swarm_id, *, user=OWNER, which=Mark.RESOLUTION, event_id="", ts=TS, via=MarkVia.REACTION,
         message=None):
    with sessions.begin() as session:
        return add_mark(session, session.get_one(Swarm, swarm_id), channel_id=CHANNEL, ts=ts, mark=which,
                        user_id=user, user_name=f"name of {user}", via=via, event_id=event_id, message=message)


def unmark(sessions, swarm_id, *, user=OWNER, which=Mark.RESOLUTION, event_id=""):
    with sessions.begin() as session:
        return remove_mark(session, session.get_one(Swarm, swarm_id), channel_id=CHANNEL, ts=TS, mark=which,
                           user_id=user, user_name=f"name of {user}", event_id=event_id)


def note_marks(sessions):
    with sessions() as session:
        return session.scalar(select(Note.marks).where(Note.message_ts == TS))


def notices(sessions):
    with sessions() as session:
        return list(session.scalars(select(Note.body).where(Note.source == "notice").order_by(Note.id)))


def test_a_reaction_marks_the_note_and_a_notice_goes_to_the_case(sessions, swarm_id, cases):
    post(sessions, swarm_id, TS, "Set <https://fw.example/2.3.1|firmware 2.3.1> and reboot")
    change = mark(sessions, swarm_id, event_id="EvR1")
    assert change.changed and note_marks(sessions) == ["resolution"]
    deliver_due(sessions, cases)
    with sessions() as session:
        bodies = list(session.scalars(select(LocalCaseNote.body).order_by(LocalCaseNote.id)))
    assert len(bodies) == 2, "the message, then the mark notice, in order"
    assert bodies[1].startswith("[Marked as resolution] name of U0OWNER1 marked a message by Jiwoo Kim")


def test_a_retried_reaction_event_or_a_second_reaction_by_the_same_person_changes_nothing(sessions, swarm_id):
    post(sessions, swarm_id, TS, "the fix")
    mark(sessions, swarm_id, event_id="EvR1")
    again = mark(sessions, swarm_id, event_id="EvR1")
    assert not again.recorded
    same_person = mark(sessions, swarm_id, event_id="EvR2")
    assert not same_person.recorded
    assert len(notices(sessions)) == 1


def test_removing_a_reaction_keeps_the_mark_while_someone_else_still_holds_it(sessions, swarm_id):
    post(sessions, swarm_id, TS, "the fix")
    mark(sessions, swarm_id, user=OWNER)
    mark(sessions, swarm_id, user=HELPER)
    assert not unmark(sessions, swarm_id, user=OWNER).changed
    assert note_marks(sessions) == ["resolution"]
    assert unmark(sessions, swarm_id, user=HELPER).changed
    assert note_marks(sessions) == []
    bodies = notices(sessions)
    assert len(bodies) == 2 and bodies[1].startswith("[Mark removed: resolution]")


def test_several_marks_on_one_message_are_kept_apart(sessions, swarm_id):
    note_id = post(sessions, swarm_id, TS, "the cause and the fix")
    mark(sessions, swarm_id, which=Mark.CAUSE)
    mark(sessions, swarm_id, which=Mark.KEY_NOTE, user=EXPERT)
    assert note_marks(sessions) == ["cause", "key_note"]
    with sessions() as session:
        assert marks_of(session, note_id) == {"cause": [OWNER], "key_note": [EXPERT]}


def test_the_shortcut_and_a_reaction_are_separate_marks_of_the_same_person(sessions, swarm_id):
    post(sessions, swarm_id, TS, "the fix")
    mark(sessions, swarm_id, via=MarkVia.SHORTCUT)
    mark(sessions, swarm_id, via=MarkVia.REACTION)
    unmark(sessions, swarm_id)  # taking back the ✅ does not undo "Mark as resolution"
    assert note_marks(sessions) == ["resolution"]


def test_a_message_not_captured_yet_is_captured_first_then_marked(sessions, swarm_id):
    message = CapturedMessage(channel_id=CHANNEL, ts=TS, user_id=EXPERT, author_name="Jiwoo Kim",
                              text="said before the bot saw it", body="said before the bot saw it", source="channel")
    change = mark(sessions, swarm_id, event_id="EvR9", message=message)
    assert change.changed
    with sessions() as session:
        rows = list(session.scalars(select(OutboxItem.idempotency_key).order_by(OutboxItem.id)))
    assert rows == [f"{CHANNEL}-{TS}:add", f"{CHANNEL}-mark-1:add"]


def test_a_mark_on_an_unknown_message_without_its_text_is_ignored(sessions, swarm_id):
    change = mark(sessions, swarm_id)
    assert not change.recorded
    with sessions() as session:
        assert session.scalar(select(NoteMark.id)) is None


def test_the_emoji_are_settings_and_skin_tones_count_as_the_base_emoji():
    emoji = mark_emoji(KnowledgeSettings.read(SettingsReader({"MARK_EMOJI_CAUSE": ":mag:"})))
    assert emoji == {"white_check_mark": Mark.RESOLUTION, "mag": Mark.CAUSE, "pushpin": Mark.KEY_NOTE}
    assert mark_for_reaction("white_check_mark::skin-tone-3", emoji) == Mark.RESOLUTION
    assert mark_for_reaction("tada", emoji) is None


def test_one_emoji_for_two_marks_is_refused():
    with pytest.raises(SettingsError, match=r"MARK_EMOJI_KEY_NOTE.*already used for the cause mark"):
        Settings.from_env({"MARK_EMOJI_CAUSE": "pushpin"}, needs_slack=False)


def test_the_note_text_leaves_out_what_the_case_record_adds():
    note = Note(body="Reboot twice\nAttached: log.txt (https://f)\nSlack: https://p", permalink="https://p",
                files=[{"name": "log.txt"}])
    assert note_text(note) == "Reboot twice"

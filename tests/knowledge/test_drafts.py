"""The draft of a closed swarm: built from the database, stored once, reviewed only by those allowed."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from knowledge_export.exporters.base import ExportError, ExportResult
from knowledge_export.models import ArticleDraft, Mark
from knowledge_export.similar import ExistingArticle
from swarms.errors import SwarmOfAnotherWorkspace
from swarms.knowledge.closing import CloseRequest, CloseSource, close_swarm
from swarms.knowledge.drafts import (
    DraftIncomplete,
    DraftNotEditable,
    ExportFailed,
    RequiredSectionsEmptied,
    ReviewNotAllowed,
    build_transcript,
    check_may_review,
    discard_draft,
    edit_draft,
    get_draft,
    make_draft,
    publish_draft,
)
from swarms.knowledge.marks import add_mark
from swarms.knowledge.models import DraftState, KnowledgeDraft, MarkVia
from swarms.models import Note, Swarm
from tests.knowledge.conftest import CHANNEL, EDITOR, EXPERT, HELPER, OWNER, STRANGER, TEAM, post

WEEK = timedelta(days=7)


@dataclass
class FakeExporter:
    name: str = "fake"
    articles: list = field(default_factory=list)
    fail: str = ""
    exported: list = field(default_factory=list)

    def export(self, draft: ArticleDraft) -> ExportResult:
        if self.fail:
            raise ExportError(self.fail)
        self.exported.append(draft)
        return ExportResult(id=draft.draft_id, location=f"/kb/{draft.draft_id}.md", created=True, system="fake")

    def existing_articles(self):
        return self.articles


@pytest.fixture
def closed_swarm(sessions, swarm_id, permissions):
    post(sessions, swarm_id, "1700000001.000100", "Could it be the new power-saving mode? 절전 모드 때문일까요?")
    post(sessions, swarm_id, "1700000001.000200", "Root cause: 2.3.0 enables deep sleep at 4am, call Minji Park at "
         "+82 10-1234-5678 to confirm")
    post(sessions, swarm_id, "1700000001.000300", "Fix:\n1. Install firmware 2.3.1\n2. Reboot the inverter twice")
    post(sessions, swarm_id, "1700000001.000400", "great, thanks", user=HELPER, name="Sam Helper")
    with sessions.begin() as session:
        swarm = session.get_one(Swarm, swarm_id)
        for ts, which in (("1700000001.000200", Mark.CAUSE), ("1700000001.000300", Mark.RESOLUTION)):
            add_mark(session, swarm, channel_id=CHANNEL, ts=ts, mark=which, user_id=OWNER, user_name="Dana Owner",
                     via=MarkVia.REACTION)
        note = session.scalar(select(Note).where(Note.message_ts == "1700000001.000400"))
        note.deleted_at = note.created_at
        close_swarm(session, CloseRequest(swarm_id, OWNER, CloseSource.COMMAND, "Firmware 2.3.1 fixes E-21",
                                          (EXPERT,), team_id=TEAM), permissions=permissions, case_system="local",
                    archive_delay=WEEK)
    return swarm_id


def test_the_transcript_comes_from_the_database_with_marks_credits_and_the_summary(sessions, closed_swarm, cases):
    with sessions() as session:
        transcript = build_transcript(session, closed_swarm, cases.get_case("00001001"))
    assert [m.ts for m in transcript.messages] == ["1700000001.000100", "1700000001.000200", "1700000001.000300"]
    assert transcript.messages[2].marks == {"resolution"} and transcript.messages[1].marks == {"cause"}
    assert transcript.messages[2].text == "Fix:\n1. Install firmware 2.3.1\n2. Reboot the inverter twice"
    assert "절전 모드" in transcript.messages[0].text
    assert transcript.credited == ("Jiwoo Kim",)
    assert transcript.closing_summary == "Firmware 2.3.1 fixes E-21"
    assert (transcript.owner_id, transcript.closed_by) == (OWNER, "Dana Owner")
    assert transcript.case.contact_name == "Minji Park"


def test_the_draft_is_stored_once_redacted_with_similar_articles(sessions, closed_swarm, cases):
    exporter = FakeExporter(articles=[ExistingArticle("kb-1", "Inverter shows E-21 after firmware update",
                                                       "E-21 after update", url="https://kb/1")])
    draft_id = make_draft(sessions, cases, closed_swarm, exporter=exporter)
    assert make_draft(sessions, cases, closed_swarm, exporter=exporter) == draft_id
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(KnowledgeDraft)) == 1
        record = get_draft(session, draft_id)
    assert record.state == DraftState.DRAFTED
    assert record.similar[0]["location"] == "https://kb/1"
    text = " ".join([record.draft.cause, record.draft.resolution, *record.draft.steps])
    assert "Minji Park" not in text and "1234-5678" not in text
    assert {r.kind for r in record.draft.redactions} >= {"name", "phone"}
    assert "Install firmware 2.3.1" in record.draft.steps[0]


def test_only_the_owner_or_a_knowledge_editor_may_review(sessions, closed_swarm, cases, permissions):
    draft_id = make_draft(sessions, cases, closed_swarm)
    with sessions.begin() as session:
        with pytest.raises(ReviewNotAllowed):
            check_may_review(session, draft_id, STRANGER, permissions, team_id=TEAM)
        with pytest.raises(ReviewNotAllowed):
            discard_draft(session, draft_id, EXPERT, permissions, team_id=TEAM)
        assert check_may_review(session, draft_id, EDITOR, permissions, team_id=TEAM).id == draft_id


def test_a_review_button_from_another_workspace_is_refused_even_for_the_owner(sessions, closed_swarm, cases,
                                                                             permissions):
    draft_id = make_draft(sessions, cases, closed_swarm)
    exporter = FakeExporter()
    with pytest.raises(SwarmOfAnotherWorkspace):
        publish_draft(sessions, draft_id, OWNER, permissions, exporter, team_id="T0GLOBEX01")
    with sessions.begin() as session:
        for review in (lambda: check_may_review(session, draft_id, OWNER, permissions, team_id="T0GLOBEX01"),
                       lambda: discard_draft(session, draft_id, OWNER, permissions, team_id="T0GLOBEX01"),
                       lambda: edit_draft(session, draft_id, OWNER, permissions, {"title": "x"}, team_id="T0GLOBEX01")):
            with pytest.raises(SwarmOfAnotherWorkspace):
                review()
    assert exporter.exported == []
    with sessions() as session:
        assert get_draft(session, draft_id).state == DraftState.DRAFTED


def test_a_forged_publish_from_a_non_owner_is_refused_and_nothing_is_exported(sessions, closed_swarm, cases,
                                                                              permissions):
    draft_id = make_draft(sessions, cases, closed_swarm)
    exporter = FakeExporter()
    with pytest.raises(ReviewNotAllowed):
        publish_draft(sessions, draft_id, STRANGER, permissions, exporter, team_id=TEAM)
    assert exporter.exported == []
    with sessions() as session:
        assert get_draft(session, draft_id).state == DraftState.DRAFTED


def test_edits_replace_sections_and_clear_their_guess_flags(sessions, closed_swarm, cases, permissions):
    draft_id = make_draft(sessions, cases, closed_swarm)
    with sessions.begin() as session:
        record = edit_draft(session, draft_id, OWNER, permissions,
                            {"environment": "SolarMax 5000, firmware 2.3.0", "steps": ("Install 2.3.1",)}, team_id=TEAM)
    assert record.draft.environment == "SolarMax 5000, firmware 2.3.0"
    assert record.draft.steps == ("Install 2.3.1",)
    assert "environment" not in record.draft.guessed_sections | record.draft.missing_sections


def test_publish_exports_once_and_a_second_publish_is_refused(sessions, closed_swarm, cases, permissions):
    draft_id = make_draft(sessions, cases, closed_swarm)
    exporter = FakeExporter()
    record = publish_draft(sessions, draft_id, EDITOR, permissions, exporter, team_id=TEAM)
    assert (record.state, record.reviewer) == (DraftState.PUBLISHED, EDITOR)
    assert record.export_location.endswith(".md")
    with pytest.raises(DraftNotEditable):
        publish_draft(sessions, draft_id, OWNER, permissions, exporter, team_id=TEAM)
    assert len(exporter.exported) == 1


def test_an_export_failure_keeps_the_draft_for_a_retry(sessions, closed_swarm, cases, permissions):
    draft_id = make_draft(sessions, cases, closed_swarm)
    exporter = FakeExporter(fail="knowledge base refused the section")
    with pytest.raises(ExportFailed, match="refused the section"):
        publish_draft(sessions, draft_id, OWNER, permissions, exporter, team_id=TEAM)
    with sessions() as session:
        record = get_draft(session, draft_id)
    assert record.state == DraftState.DRAFTED and "refused" in record.last_error
    exporter.fail = ""
    assert publish_draft(sessions, draft_id, OWNER, permissions, exporter, team_id=TEAM).state == DraftState.PUBLISHED


def test_a_discarded_draft_cannot_be_published_or_edited(sessions, closed_swarm, cases, permissions):
    draft_id = make_draft(sessions, cases, closed_swarm)
    with sessions.begin() as session:
        assert discard_draft(session, draft_id, OWNER, permissions, team_id=TEAM).state == DraftState.DISCARDED
    with pytest.raises(DraftNotEditable):
        publish_draft(sessions, draft_id, OWNER, permissions, FakeExporter(), team_id=TEAM)
    with sessions.begin() as session, pytest.raises(DraftNotEditable):
        edit_draft(session, draft_id, OWNER, permissions, {"title": "x"}, team_id=TEAM)


def test_an_empty_swarm_still_gets_a_draft_that_says_what_is_missing(sessions, swarm_id, cases, permissions):
    with sessions.begin() as session:
        close_swarm(session, CloseRequest(swarm_id, OWNER, CloseSource.COMMAND, team_id=TEAM), permissions=permissions,
                    case_system="local", archive_delay=WEEK)
    draft_id = make_draft(sessions, cases, swarm_id)
    with sessions() as session:
        draft = get_draft(session, draft_id).draft
    assert "resolution" in draft.missing_sections


def test_a_draft_without_a_resolution_is_not_published_until_someone_writes_it(sessions, swarm_id, cases,
                                                                              permissions):
    """Given an empty swarm's draft (no resolution found), Publish is refused in words; once the owner writes
    the problem and the resolution, it goes out. A section emptied by an edit counts as missing again."""
    with sessions.begin() as session:
        close_swarm(session, CloseRequest(swarm_id, OWNER, CloseSource.COMMAND, team_id=TEAM), permissions=permissions,
                    case_system="local", archive_delay=WEEK)
    draft_id = make_draft(sessions, cases, swarm_id)
    exporter = FakeExporter()
    with pytest.raises(DraftIncomplete):
        publish_draft(sessions, draft_id, OWNER, permissions, exporter, team_id=TEAM)
    with sessions.begin() as session, pytest.raises(RequiredSectionsEmptied) as emptied:
        edit_draft(session, draft_id, OWNER, permissions, {"problem": "E-21 every hour", "resolution": ""}, team_id=TEAM)
    assert emptied.value.sections == ["resolution"]
    with sessions.begin() as session:
        edit_draft(session, draft_id, OWNER, permissions,
                   {"problem": "E-21 every hour", "resolution": "Flash 3.2.1", "cause": ""}, team_id=TEAM)
    with sessions() as session:
        draft = get_draft(session, draft_id).draft
    assert "cause" in draft.missing_sections and "resolution" not in draft.missing_sections
    assert publish_draft(sessions, draft_id, OWNER, permissions, exporter, team_id=TEAM).state == DraftState.PUBLISHED
    assert exporter.exported and exporter.exported[0].resolution == "Flash 3.2.1"


def test_a_resolution_holding_only_a_placeholder_cannot_be_published(sessions, closed_swarm, cases, permissions):
    draft_id = make_draft(sessions, cases, closed_swarm)
    with sessions.begin() as session, pytest.raises(RequiredSectionsEmptied) as emptied:
        edit_draft(session, draft_id, OWNER, permissions, {"resolution": "[NAME-1].", "steps": ()}, team_id=TEAM)
    assert emptied.value.sections == ["resolution"]
    with sessions.begin() as session:
        row = session.get_one(KnowledgeDraft, draft_id)
        row.draft = {**row.draft, "resolution": "[NAME-1] 🙏", "steps": ["[PHONE-1]"]}
    exporter = FakeExporter()
    with pytest.raises(DraftIncomplete):
        publish_draft(sessions, draft_id, OWNER, permissions, exporter, team_id=TEAM)
    assert exporter.exported == []


def test_a_reviewer_restores_one_false_positive_and_the_choice_is_recorded(sessions, closed_swarm, cases,
                                                                           permissions):
    draft_id = make_draft(sessions, cases, closed_swarm)
    with sessions() as session:
        before = get_draft(session, draft_id).draft
    name = next(r for r in before.redactions if r.kind == "name")
    phone = next(r for r in before.redactions if r.kind == "phone")
    assert name.placeholder in before.cause
    with sessions.begin() as session:
        edit_draft(session, draft_id, EDITOR, permissions, {}, restore=name.placeholder, team_id=TEAM)
    with sessions() as session:
        after = get_draft(session, draft_id).draft
    assert "Minji Park" in after.cause and phone.placeholder in after.cause, "only the one picked comes back"
    restored = next(r for r in after.redactions if r.placeholder == name.placeholder)
    assert restored.restored_by == EDITOR and restored.restored_at
    with sessions.begin() as session, pytest.raises(ValueError):
        edit_draft(session, draft_id, EDITOR, permissions, {}, restore=name.placeholder, team_id=TEAM)
    with sessions.begin() as session, pytest.raises(ReviewNotAllowed):
        edit_draft(session, draft_id, STRANGER, permissions, {}, restore=phone.placeholder, team_id=TEAM)

"""Builders of closing and the draft review: within Slack's limits, EN and KO, long drafts as a file, forged state refused."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.views.blocks import MAX_MESSAGE_BLOCKS, MAX_SECTION_TEXT, MAX_VIEW_BLOCKS
from bot.views.case_card import case_card_blocks
from bot.views.knowledge import (
    CloseState,
    DraftRef,
    EditState,
    KnowledgeAction,
    KnowledgeBlock,
    card_closed_line,
    close_modal,
    close_submission,
    closed_message,
)
from bot.views.knowledge_review import RESTORE_BLOCK, draft_message, edit_modal, edit_submission
from knowledge_export.models import ArticleDraft, Redaction
from knowledge_export.rendering import ArticleOptions
from swarms.case_systems.base import CaseRecord
from swarms.knowledge.closing import ClosedSwarm, CloseSource
from swarms.knowledge.drafts import DraftRecord
from swarms.knowledge.models import DraftState

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def record(draft: ArticleDraft, *, lang="en", state=DraftState.DRAFTED, similar=(), **kw) -> DraftRecord:
    values = dict(id=7, swarm_id=3, case_number="00001001", swarm_owner="U0OWNER1", language=lang, draft=draft,
                  similar=tuple(similar), state=state, reviewer="U0EDITOR1", export_location="", last_error="",
                  channel_id="C0SWARM1", message_ts="", as_file=False)
    values.update(kw)
    return DraftRecord(**values)


def a_draft(**kw) -> ArticleDraft:
    values = dict(title="Inverter shows E-21 after a firmware update", problem="E-21 every morning.",
                  environment="SolarMax 5000, firmware 2.3.0", cause="Deep sleep at 4am.",
                  resolution="Install firmware 2.3.1.", steps=("Install 2.3.1", "Reboot twice"),
                  contributors=("Jiwoo Kim",), case_url="https://cases.example/00001001", case_number="00001001",
                  guessed_sections=frozenset({"environment"}), draft_id="kb-abc123",
                  redactions=(Redaction("phone", "[PHONE-1]", 2, "•••• 5678", original="010-1234-5678"),
                              Redaction("name", "[NAME-1]", 1, original="Field")))
    values.update(kw)
    return ArticleDraft(**values)


def all_text(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_a_short_draft_is_one_message_with_preview_review_notes_redactions_similar_and_buttons():
    message = draft_message(record(a_draft(), similar=[{"title": "E-21 fix", "location": "https://kb/1",
                                                        "score": 0.61}]))
    assert not message.file_name and message.text
    text = all_text(message.blocks)
    for expected in ("Problem", "Environment", "Guessed", "Install 2.3.1", "[PHONE-1]", "•••• 5678", "https://kb/1",
                     "cases.example/00001001", "*Phone* ×2", "*Name* ×1", "Jiwoo Kim"):
        assert expected in text
    assert "010-1234-5678" not in text, "the original of a redaction never shows"
    buttons = message.blocks[-1]["elements"]
    assert [b["action_id"] for b in buttons] == [KnowledgeAction.EDIT, KnowledgeAction.PUBLISH,
                                                 KnowledgeAction.DISCARD]
    assert DraftRef.loads(buttons[1]["value"]) == DraftRef(7)
    assert len(message.blocks) <= MAX_MESSAGE_BLOCKS


def test_the_preview_is_the_exported_body_and_the_internal_parts_stay_in_the_notes():
    message = draft_message(record(a_draft(missing_sections=frozenset({"cause"}), cause="")))
    preview_end = next(i for i, b in enumerate(message.blocks) if b["type"] == "divider")
    preview = all_text(message.blocks[:preview_end])
    notes = all_text(message.blocks[preview_end:])
    assert "*Problem*" in preview and "1. Install 2.3.1" in preview
    for internal in ("Jiwoo Kim", "cases.example", "Guessed", "*Cause*"):
        assert internal not in preview
    assert "Jiwoo Kim" in notes and "not named in the article" in notes and "Cause" in notes
    credited = all_text(draft_message(record(a_draft()), ArticleOptions(credit_contributors=True)).blocks)
    assert "*Contributors*\\nJiwoo Kim" in credited and "credited at the end of the article" in credited


def test_a_draft_without_a_usable_resolution_says_publish_is_blocked():
    draft = a_draft(resolution="[NAME-1]", steps=())
    assert "Publish is blocked" in all_text(draft_message(record(draft)).blocks)
    assert "Publish is blocked" not in all_text(draft_message(record(a_draft())).blocks)


def test_a_long_draft_goes_up_as_a_file_with_a_short_summary_never_cut():
    long = "The inverter logged E-21 again. " * 200  # ~6,400 characters
    draft = a_draft(resolution=long)
    message = draft_message(record(draft))
    assert message.file_name == "kb-abc123.md"
    assert long.strip() in message.file_content.replace("  \n", "\n")
    assert "[PHONE-1]" in message.file_content and "Jiwoo Kim" in message.file_content
    assert all(len(b.get("text", {}).get("text", "")) <= MAX_SECTION_TEXT for b in message.blocks)
    assert "kb-abc123.md" in all_text(message.blocks)
    assert message.blocks[-1]["block_id"] == KnowledgeBlock.DRAFT_ACTIONS


def test_many_redactions_stay_inside_the_block_limit():
    some = tuple(Redaction("email", f"[EMAIL-{i}]", 1, f"u{i}@e***.com") for i in range(100))
    message = draft_message(record(a_draft(redactions=some)))
    assert not message.file_name and "[EMAIL-99]" in all_text(message.blocks), "100 fit in a few sections"
    many = tuple(Redaction("email", f"[EMAIL-{i}]", 1, f"u{i}@e***.com") for i in range(3000))
    message = draft_message(record(a_draft(redactions=many)))
    assert len(message.blocks) <= MAX_MESSAGE_BLOCKS
    assert message.file_name, "too many to show: the full list goes in the file"
    assert "[EMAIL-2999]" in message.file_content and "attached file" in all_text(message.blocks)


def test_the_draft_message_speaks_korean_and_keeps_korean_text():
    draft = a_draft(title="배터리 충전이 80%에서 멈춤", problem="충전이 80%에서 멈춥니다.", language="ko")
    text = all_text(draft_message(record(draft, lang="ko")).blocks)
    assert "지식 문서 초안" in text and "배터리 충전이 80%에서 멈춤" in text and "문제" in text


@pytest.mark.parametrize(("state", "expected"), [(DraftState.PUBLISHED, "Published by"),
                                                 (DraftState.DISCARDED, "Discarded by")])
def test_a_reviewed_draft_has_no_buttons_left(state, expected):
    message = draft_message(record(a_draft(), state=state, export_location="/kb/x.md"))
    assert expected in all_text(message.blocks)
    assert "actions" not in [b["type"] for b in message.blocks]


def test_a_failed_export_is_shown_with_the_buttons_kept():
    message = draft_message(record(a_draft(), last_error="section 42 not found"))
    text = all_text(message.blocks)
    assert "section 42 not found" in text and KnowledgeAction.PUBLISH in text


def test_the_edit_modal_round_trips_the_sections():
    view = edit_modal(record(a_draft()))
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS and len(view["title"]["text"]) <= 24
    values = {b["block_id"]: {KnowledgeAction.SECTION_INPUT: {"value": b["element"].get("initial_value")}}
              for b in view["blocks"]}
    values[f"{KnowledgeBlock.EDIT_PREFIX}steps.1"][KnowledgeAction.SECTION_INPUT]["value"] = "One\n\nTwo\n"
    submitted = edit_submission({"private_metadata": view["private_metadata"], "state": {"values": values}})
    assert submitted.draft_id == 7 and submitted.restore == ""
    assert submitted.sections["title"] == "Inverter shows E-21 after a firmware update"
    assert submitted.sections["steps"] == ("One", "Two")


def test_the_edit_modal_offers_each_redaction_still_in_the_text_to_restore_one_at_a_time():
    draft = a_draft(problem="Call [PHONE-1] or ask [NAME-1].")
    view = edit_modal(record(draft))
    restore = next(b for b in view["blocks"] if b["block_id"] == RESTORE_BLOCK)
    assert restore["element"]["type"] == "static_select" and restore["optional"]
    assert [o["value"] for o in restore["element"]["options"]] == ["[PHONE-1]", "[NAME-1]"]
    assert "010-1234-5678" not in all_text(view)
    values = {RESTORE_BLOCK: {KnowledgeAction.RESTORE_INPUT: {"selected_option": {"value": "[NAME-1]"}}}}
    submitted = edit_submission({"private_metadata": view["private_metadata"], "state": {"values": values}})
    assert submitted.restore == "[NAME-1]"
    restored = draft.restore("[NAME-1]", by="U0EDITOR1", at="2026-11-23T09:00:00+00:00")
    assert restored.problem == "Call [PHONE-1] or ask Field."
    assert [o["value"] for o in
            next(b for b in edit_modal(record(restored))["blocks"] if b["block_id"] == RESTORE_BLOCK)["element"][
                "options"]] == ["[PHONE-1]"]


def test_a_long_section_is_split_over_several_inputs_and_joined_back():
    long = "\n".join(f"Line {i}: the inverter logged E-21 at 04:0{i % 10}." for i in range(300))
    view = edit_modal(record(a_draft(resolution=long)))
    inputs = [b for b in view["blocks"] if b["block_id"].startswith(f"{KnowledgeBlock.EDIT_PREFIX}resolution.")]
    assert len(inputs) > 1
    assert all(len(b["element"].get("initial_value", "")) <= 3000 for b in inputs)
    values = {b["block_id"]: {KnowledgeAction.SECTION_INPUT: {"value": b["element"].get("initial_value")}}
              for b in view["blocks"]}
    submitted = edit_submission({"private_metadata": view["private_metadata"], "state": {"values": values}})
    assert submitted.sections["resolution"] == long


def test_a_draft_too_long_for_a_modal_is_refused_rather_than_cut():
    assert edit_modal(record(a_draft(resolution="x" * 3000 * 101))) is None


@pytest.mark.parametrize("raw", ["", "[]", '{"d": "7"}', '{"d": -1}', '{"d": true}', "not json"])
def test_forged_draft_references_are_refused(raw):
    with pytest.raises(ValueError):
        DraftRef.loads(raw)


@pytest.mark.parametrize("raw", ['{"d": 7, "p": {"secret": 1}}', '{"d": 7, "p": {"title": 0}}', '{"d": 7}'])
def test_forged_edit_state_is_refused(raw):
    with pytest.raises(ValueError):
        EditState.loads(raw)


def test_the_close_modal_is_prefilled_with_the_top_contributors_and_reads_back():
    view = close_modal(3, "00001001", ["U0EXPERT1", "U0HELPER1"], lang="ko", archive_days=7)
    assert view["title"]["text"] == "스웜 닫기"
    credit = next(b for b in view["blocks"] if b.get("block_id") == KnowledgeBlock.CLOSE_CREDIT)
    assert credit["element"]["initial_users"] == ["U0EXPERT1", "U0HELPER1"]
    submitted = {"private_metadata": view["private_metadata"], "state": {"values": {
        KnowledgeBlock.CLOSE_SUMMARY: {KnowledgeAction.SUMMARY_INPUT: {"value": " 펌웨어 2.3.1 "}},
        KnowledgeBlock.CLOSE_CREDIT: {KnowledgeAction.CREDIT_INPUT: {"selected_users": ["U0EXPERT1"]}}}}}
    assert close_submission(submitted) == (CloseState(3), "펌웨어 2.3.1", ("U0EXPERT1",))
    with pytest.raises(ValueError):
        close_submission({**submitted, "private_metadata": '{"s": "3"}'})


def closed(**kw):
    values = dict(swarm_id=3, channel_id="C0SWARM1", card_ts="1.1", case_number="00001001", language="en",
                  closed_by="U0OWNER1", closed_at=NOW, summary="Firmware 2.3.1", credited=("U0EXPERT1",),
                  archive_due_at=NOW + timedelta(days=7), source=CloseSource.COMMAND)
    values.update(kw)
    return ClosedSwarm(**values)


def test_the_closing_summary_names_closer_resolution_credits_and_archive_date():
    text, blocks = closed_message(closed(), system="the case store")
    rendered = all_text(blocks)
    assert "<@U0OWNER1>" in rendered and "Firmware 2.3.1" in rendered and "<@U0EXPERT1>" in rendered
    assert "<!date^" in rendered and text


def test_a_case_system_close_says_so_in_korean():
    _, blocks = closed_message(closed(closed_by="case-system", language="ko", summary="", credited=()),
                               system="Salesforce")
    rendered = all_text(blocks)
    assert "Salesforce에서" in rendered and "해결 요약이 입력되지 않았습니다" in rendered


def test_the_case_card_has_a_close_button_until_the_swarm_is_closed():
    case = CaseRecord(key="1", number="00001001", subject="E-21", url="https://cases.example/1")
    open_card = all_text(case_card_blocks(case, lang="en"))
    assert KnowledgeAction.CLOSE_SWARM in open_card
    closed_card = case_card_blocks(case, lang="en", closed_line=card_closed_line(closed()))
    assert KnowledgeAction.CLOSE_SWARM not in all_text(closed_card)
    assert "Closed by <@U0OWNER1>" in all_text(closed_card)

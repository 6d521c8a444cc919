"""Slack markup becomes readable case text; the sync views stay within Slack's limits and survive forgery."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.slack.markup import message_permalink, note_body, readable_text
from bot.views.note_sync import AddToCaseState, add_to_case_modal, case_change_text, picked_swarm_id, status_text
from swarms.case_systems.base import CaseChange
from swarms.note_sync.capture import SwarmChoice, SyncStatus

NAMES = {"U1": "Jiwoo Kim", "U2": "Dana Agent"}


def readable(text: str) -> str:
    return readable_text(text, user_name=NAMES.get, channel_name=lambda c: {"C1": "support"}.get(c, c))


def test_mentions_links_and_entities_are_made_readable():
    text = "<@U1> see <#C1> and <https://kb.example.com/a|the article> &lt;now&gt; <!here> <mailto:a@b.co|a@b.co>"
    assert readable(text) == "@Jiwoo Kim see #support and the article (https://kb.example.com/a) <now> @here a@b.co"


def test_korean_text_passes_through_untouched():
    assert readable("<@U2> 인버터 펌웨어 3.2.1 업데이트 후 재부팅 필요 &amp; 확인") == \
        "@Dana Agent 인버터 펌웨어 3.2.1 업데이트 후 재부팅 필요 & 확인"


def test_the_note_body_carries_files_and_the_permalink():
    link = message_permalink("https://acme.slack.com/", "C9", "1712345678.000100", "1712345600.000001")
    assert link == "https://acme.slack.com/archives/C9/p1712345678000100?thread_ts=1712345600.000001&cid=C9"
    body = note_body("Firmware log attached", files=[{"name": "inverter.log", "permalink": "https://f/1"}],
                     permalink=link)
    assert body.splitlines() == ["Firmware log attached", "Attached: inverter.log (https://f/1)", f"Slack: {link}"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_status_says_what_is_synced_pending_and_parked(lang):
    text = status_text("00001026", SyncStatus(12, 2, 1, "503 Service Unavailable",
                                              datetime(2026, 11, 23, 9, tzinfo=UTC)), system="salesforce", lang=lang)
    assert "12" in text and "2" in text and "1" in text and "503" in text and "/swarm sync retry" in text


def test_add_to_case_state_round_trips_and_refuses_forgery():
    state = AddToCaseState("C0SWARM1", "1712345678.000100", "", "U0EXPERT1", "고객 로그 확인",
                           ({"name": "a.log", "permalink": "p"},))
    assert AddToCaseState.loads(state.dumps()) == state
    long = AddToCaseState("C0SWARM1", "1.2", text="x" * 5000)
    assert AddToCaseState.loads(long.dumps()).text is None  # too long to carry: re-read from Slack on submit
    for forged in ('{"c": 1, "ts": "1"}', '{"c": "C0SWARM1"}', '{"c": "C0SWARM1", "ts": "1.2", "x": 5}', "[]",
                   '{"c": "C0SWARM1", "ts": "1.2", "f": [{"name": 7}]}', "[" * 3000 + "]" * 3000):
        with pytest.raises(ValueError):
            AddToCaseState.loads(forged)


def test_the_modal_lists_at_most_100_swarms_and_reads_back_the_choice():
    choices = [SwarmChoice(i, f"{i:08d}", "인버터 오류 " * 20, f"C{i}") for i in range(1, 150)]
    view = add_to_case_modal(choices, AddToCaseState("C1", "1.2"), excerpt="hello", lang="ko")
    select = view["blocks"][-1]["element"]
    assert len(select["options"]) == 100 and all(len(o["text"]["text"]) <= 75 for o in select["options"])
    assert len(view["title"]["text"]) <= 24 and json.loads(view["private_metadata"])["c"] == "C1"
    state = {"values": {"sync.pick": {"sync.pick_swarm": {"selected_option": {"value": "7"}}}}}
    assert picked_swarm_id({"state": state}) == 7
    assert picked_swarm_id({"state": {"values": {}}}) is None
    forged = {"values": {"sync.pick": {"sync.pick_swarm": {"selected_option": {"value": "7; DROP"}}}}}
    assert picked_swarm_id({"state": forged}) is None
    superscript = {"values": {"sync.pick": {"sync.pick_swarm": {"selected_option": {"value": "²"}}}}}
    assert picked_swarm_id({"state": superscript}) is None


def test_case_changes_read_like_a_sentence_in_both_languages():
    at = datetime(2026, 11, 23, tzinfo=UTC)
    status = CaseChange("500x", "status", "New", "Working", at, "Dana Agent", "sf:1")
    assert case_change_text("00001026", status, lang="en") == "🔔 Case 00001026: status *New* → *Working* (by Dana Agent)"
    comment = CaseChange("500x", "public_comment", "", "재부팅 후에도 같은 오류가 납니다.\n사진 첨부", at, "박민지")
    text = case_change_text("00001026", comment, lang="ko")
    assert "재부팅 후에도 같은 오류가 납니다." in text and ">사진 첨부" in text

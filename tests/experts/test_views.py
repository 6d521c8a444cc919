"""Block Kit of the expert finder as plain functions: limits, both languages, forged values refused."""

from __future__ import annotations

import json

import pytest

from bot.listeners.experts import parse_mentions
from bot.views.blocks import MAX_BUTTON_VALUE, MAX_MESSAGE_BLOCKS, MAX_MODAL_TITLE, MAX_SECTION_TEXT
from bot.views.experts import (
    AnswerValue,
    DeclineState,
    ExpertsAction,
    InviteValue,
    decline_modal,
    decline_reason,
    invite_result_text,
    join_request_blocks,
    notice_blocks,
    notice_text,
    suggestion_blocks,
    suggestions_after_invite,
    suggestions_text,
)
from expert_finder.models import Reason, Suggestion
from swarms.experts.invites import ExpertNotice, InviteResult, JoinRequest, SwarmInfo

INFO = SwarmInfo(7, "T0ACME0001", "CSWARM", "swarm-00001001-inverter", "00001001", "Inverter <E-21> after FW & update",
                 "https://cases.example/00001001", "en", "U0AGENT")
REASONS = (Reason("skill_match", {"skill": "inverter firmware", "percent": 92}),
           Reason("history", {"count": 3, "days_ago": 12}), Reason("load", {"active": 1}))


def _suggestion(i: int) -> Suggestion:
    return Suggestion(f"U0EXP{i:04d}", f"Expert {i}", 1.0 - i / 100, REASONS, ("inverter firmware",))


def _all_text(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _buttons(blocks) -> list[str]:
    """Who still has an Invite button, then 'all' for an Invite all button and whom it names."""
    named = [InviteValue.loads(b["accessory"]["value"]).user_ids[0] for b in blocks
             if b.get("accessory", {}).get("action_id") == ExpertsAction.INVITE]
    for block in blocks:
        if block.get("block_id") == "experts.invite_all":
            named += ["all", *InviteValue.loads(block["elements"][0]["value"]).user_ids]
    return named


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_after_invite_all_the_suggestions_say_who_asked_whom_and_keep_no_button(lang):
    posted = suggestion_blocks(7, "00001001", [_suggestion(1), _suggestion(2), _suggestion(3)], [], lang=lang)
    result = InviteResult(asked=("U0EXP0001", "U0EXP0002"), skipped=(("U0EXP0003", "member"),))

    after = suggestions_after_invite(posted, result, by="U0AGENT", lang=lang)

    assert _buttons(after) == []
    said = after[-1]["elements"][0]["text"]
    assert said == (":envelope: <@U0AGENT> asked <@U0EXP0001>, <@U0EXP0002> by DM to join." if lang == "en" else
                    ":envelope: <@U0AGENT> 님이 <@U0EXP0001>, <@U0EXP0002> 님에게 DM으로 참여를 요청했습니다.")
    assert "92%" in _all_text(after), "the reasons stay"


def test_one_invite_takes_away_that_button_and_narrows_invite_all():
    posted = suggestion_blocks(7, "00001001", [_suggestion(1), _suggestion(2), _suggestion(3)], [], lang="en")

    once = suggestions_after_invite(posted, InviteResult(added=("U0EXP0002",)), by="U0AGENT", lang="en")
    assert _buttons(once) == ["U0EXP0001", "U0EXP0003", "all", "U0EXP0001", "U0EXP0003"]
    assert once[-1]["elements"][0]["text"] == ":white_check_mark: <@U0AGENT> added <@U0EXP0002> to the swarm."

    twice = suggestions_after_invite(once, InviteResult(asked=("U0EXP0001",)), by="U0LEAD", lang="en")
    assert _buttons(twice) == ["U0EXP0003"], "one person left: no Invite all for one"
    assert [b["elements"][0]["text"] for b in twice[-2:]] == [
        ":white_check_mark: <@U0AGENT> added <@U0EXP0002> to the swarm.",
        ":envelope: <@U0LEAD> asked <@U0EXP0001> by DM to join."]


def test_after_invite_a_button_the_app_did_not_write_is_left_as_it_is():
    forged = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"},
               "accessory": {"type": "button", "action_id": "experts.invite", "value": "{not json"}}, "not a block"]
    after = suggestions_after_invite(forged, InviteResult(asked=("U0EXP0001",)), by="U0AGENT", lang="en")
    assert after[0] == forged[0] and len(after) == 2


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_suggestions_show_reasons_in_the_channel_language_with_invite_buttons(lang):
    blocks = suggestion_blocks(7, "00001001", [_suggestion(1), _suggestion(2)], ["modbus"], lang=lang)
    text = _all_text(blocks)
    assert ("92% match" if lang == "en" else "92% 일치") in text
    assert ("Invite all" if lang == "en" else "모두 초대") in text
    invites = [b["accessory"] for b in blocks if b.get("accessory", {}).get("action_id") == ExpertsAction.INVITE]
    assert [InviteValue.loads(b["value"]).user_ids for b in invites] == [("U0EXP0001",), ("U0EXP0002",)]
    assert "*modbus*" in text, "skills nobody covers are listed"
    assert "Expert 1" in suggestions_text("00001001", [_suggestion(1)], lang)


def test_many_suggestions_stay_within_slack_limits():
    blocks = suggestion_blocks(7, "1" * 64, [_suggestion(i) for i in range(60)], ["x" * 3000] * 30, lang="en")
    assert len(blocks) <= MAX_MESSAGE_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            assert len(element.get("value", "")) <= MAX_BUTTON_VALUE


def test_an_empty_ranking_says_so():
    assert "No one in the expert directory" in _all_text(suggestion_blocks(7, "1", [], [], lang="en"))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_dm_names_the_case_who_asks_and_why_with_join_and_decline(lang):
    request = JoinRequest(42, "U0FW", "U0AGENT", INFO, REASONS)
    blocks = join_request_blocks(request, lang)
    text = _all_text(blocks)
    assert "&lt;E-21&gt;" in text and "&amp;" in text, "case text is escaped"
    assert ("helped on 3 similar cases" if lang == "en" else "비슷한 사례 3건") in text
    buttons = blocks[3]["elements"]
    assert [b["action_id"] for b in buttons] == [ExpertsAction.JOIN, ExpertsAction.DECLINE, ExpertsAction.OPEN_CASE]
    assert AnswerValue.loads(buttons[0]["value"]) == AnswerValue(42, "00001001")
    by_hand = _all_text(join_request_blocks(JoinRequest(43, "U0FW", "U0AGENT", INFO, ()), lang))
    assert "<@U0AGENT>" in by_hand


def test_the_decline_modal_round_trips_its_state_and_reason():
    state = DeclineState(42, "D0123ABC", "1700000000.000100", "00001001")
    modal = decline_modal(state, "ko")
    assert len(modal["title"]["text"]) <= MAX_MODAL_TITLE
    assert DeclineState.loads(modal["private_metadata"]) == state
    view = {"state": {"values": {"experts.decline_reason": {"experts.decline_reason_input": {"value": " on leave "}}}}}
    assert decline_reason(view) == "on leave"
    assert decline_reason({}) == ""


@pytest.mark.parametrize("raw", [
    "", "not json", "[]", '{"s": "7", "u": ["U0FW"]}', '{"s": 7, "u": []}', '{"s": 7, "u": ["robert; drop"]}',
    '{"s": -1, "u": ["U0FW"]}', '{"s": 7, "u": ' + json.dumps([f"U0X{i:03d}" for i in range(11)]) + "}",
    '{"s": true, "u": ["U0FW"]}',
])
def test_forged_invite_values_are_refused(raw):
    with pytest.raises(ValueError):
        InviteValue.loads(raw)


@pytest.mark.parametrize("raw", ['{"o": "1"}', '{"o": 0}', '{"o": 1, "n": 5}', "{}"])
def test_forged_answer_values_are_refused(raw):
    with pytest.raises(ValueError):
        AnswerValue.loads(raw)


@pytest.mark.parametrize("raw", ['{"o": 1, "c": "not a channel"}', '{"o": 1, "t": "yesterday"}', '{"o": 1, "c": 5}'])
def test_forged_decline_state_is_refused(raw):
    with pytest.raises(ValueError):
        DeclineState.loads(raw)


def test_escaped_mentions_from_slash_commands_are_parsed():
    assert parse_mentions(["<@U0AAA|minji>", "<@W0BBB>", "hello", "<@U0AAA|minji>", "<#C0CHAN|general>"]) == \
        ["U0AAA", "W0BBB"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_invite_results_and_notices_read_well(lang):
    result = InviteResult(asked=("U0A",), skipped=(("U0B", "member"), ("U0C", "pending")),
                          failed=(("U0D", "deactivated"), ("U0E", "cant_invite")))
    text = invite_result_text(result, lang)
    assert all(f"<@{u}>" in text for u in ("U0A", "U0B", "U0C", "U0D", "U0E"))
    assert "cant_invite" in text
    notice = ExpertNotice("declined", INFO, ("U0FW",), reason="on leave", next=_suggestion(3))
    blocks = notice_blocks(notice, lang, with_next=True)
    assert "on leave" in _all_text(blocks)
    assert InviteValue.loads(blocks[1]["accessory"]["value"]) == InviteValue(7, ("U0EXP0003",))
    alone = notice_blocks(ExpertNotice("ignored", INFO, ("U0FW",)), lang, with_next=True)
    assert "/swarm invite" in _all_text(alone)


def test_people_skipped_or_invited_despite_an_opt_out_are_each_named_in_the_readers_language():
    result = InviteResult(asked=("U0A",), skipped=(("U0B", "opted_out"), ("U0C", "opted_out")))
    assert invite_result_text(result, "en").splitlines()[1:] == [
        "<@U0B> has opted out of expert suggestions, so I did not ask them.",
        "<@U0C> has opted out of expert suggestions, so I did not ask them.",
    ]
    assert "<@U0B> 님은 전문가 추천을 받지 않기로" in invite_result_text(result, "ko")
    by_hand = invite_result_text(InviteResult(asked=("U0A",), opted_out=("U0A",)), "en")
    assert "Note: <@U0A> has opted out of expert suggestions" in by_hand
    notice = ExpertNotice("opted_out", INFO, ("U0B",))
    assert notice_text(notice, "en") == "<@U0B> has opted out of expert suggestions, so I did not ask them."
    assert notice_text(notice, "en") in _all_text(notice_blocks(notice, "en", with_next=False))


def test_a_big_added_notice_names_everyone_and_never_cuts_a_mention():
    people = tuple(f"U{n:09d}" for n in range(400))
    blocks = notice_blocks(ExpertNotice("added", INFO, people), "en", with_next=False)
    texts = [b["text"]["text"] for b in blocks]
    assert all(len(text) <= MAX_SECTION_TEXT for text in texts) and len(blocks) <= MAX_MESSAGE_BLOCKS
    shown = " ".join(texts)
    assert all(f"<@{user}>" in shown for user in people)
    assert texts[0].startswith(":heavy_plus_sign: Added to the swarm: <@U000000000>")

"""The thread swarm's card and place, as plain builder functions: both languages, Slack's link shape."""

from bot.views.case_card import CaseCardAction, CaseCardBlock, case_card_blocks
from bot.views.knowledge import KnowledgeAction
from bot.views.swarm_place import place_text
from swarms.case_systems.base import CaseRecord

CASE = CaseRecord(key="00001026", number="00001026", subject="Inverter shows E-21", url="https://cases/1026")


def test_a_thread_swarms_card_has_catch_me_up_and_says_replies_are_notes_in_both_languages():
    for lang, button, hint in (("en", "Catch me up", "replies become internal notes"),
                               ("ko", "지금까지 상황 보기", "내부 메모로 동기화됩니다")):
        blocks = case_card_blocks(CASE, lang=lang, in_thread=True)
        actions = next(b for b in blocks if b.get("block_id") == CaseCardBlock.ACTIONS)
        ids = [e["action_id"] for e in actions["elements"]]
        assert CaseCardAction.CATCH_UP in ids and KnowledgeAction.CLOSE_SWARM in ids
        assert button in str(actions) and hint in str(blocks)


def test_a_channel_swarms_card_stays_as_it_was():
    blocks = case_card_blocks(CASE, lang="en")
    assert CaseCardAction.CATCH_UP not in str(blocks) and CaseCardBlock.THREAD_HINT not in str(blocks)


def test_a_place_is_the_channel_or_the_threads_permalink():
    assert place_text("C0SWARM", None, workspace_url="https://acme.slack.com/", lang="en") == "<#C0SWARM>"
    thread = place_text("C0SUPPORT", "1795430000.000100", workspace_url="https://acme.slack.com/", lang="ko")
    assert "<https://acme.slack.com/archives/C0SUPPORT/p1795430000000100|스레드 열기>" in thread
    assert "<#C0SUPPORT>" in place_text("C0SUPPORT", "1795430000.000100", workspace_url="", lang="en")

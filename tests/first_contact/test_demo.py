"""Stumble 10: the demo tells its story in order, in English or Korean, as people would see it."""

from __future__ import annotations

import re

import pytest

from tests.first_contact.conftest import REPO  # noqa: F401

RAW_MARKUP = re.compile(r"<#C|<@U|<!date")  # Slack's mention and date markup, which Slack never shows as is
SWARM_CHANNEL = "#swarm-00001026-inverter-shows-e-21-after-firmware-update"


def steps(out: str) -> dict[str, str]:
    """The demo's output cut at its numbered titles: {"1": text of step 1, ...}."""
    parts = re.split(r"═+\n(\d+b?)\. [^\n]*\n═+\n", out)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("lang", ["ko"])  # English is played by the Socket Mode demo test too
def test_the_demo_plays_its_story_in_order(case_swarm, lang):
    ran = case_swarm("demo", "--lang", lang)
    assert (ran.code, ran.err) == (0, "")
    story = steps(ran.out)
    assert list(story)[:6] == ["1", "2", "3", "4", "5", "5b"]
    assert RAW_MARKUP.findall(ran.out) == [], "mentions and dates are rendered as Slack shows them"
    # Step 1: Dana's answer names the new channel as Slack shows it; the thread swarm names its team channel.
    opened = "is open: " if lang == "en" else "스웜이 열렸습니다: "
    assert f"{opened}{SWARM_CHANNEL}" in story["1"]
    assert "#support" in story["3"].split("Dana runs /swarm 00001030 --thread", 1)[1].split("The channel", 1)[0]
    # Step 2: the DMs, each in its reader's language, and the answer to Invite all where it happened.
    assert "The DM 김지우 gets, in their language:" in story["2"] and "님이 케이스 *00001026* 지원을 요청했습니다" in story["2"]
    assert "The DM Sam Field gets, in their language:" in story["2"] and "asks you to help on case" in story["2"]
    invited = "Asked @jiwoo, @sam by DM" if lang == "en" else "@jiwoo, @sam"
    assert invited in story["2"] and "by DM" not in story["4"] and "DM으로" not in story["4"]
    # Invite all, once used, is gone from the suggestions everyone sees, which now say who asked whom.
    invite_all = "[Invite all]" if lang == "en" else "[모두 초대]"
    assert invite_all in story["1"]
    updated = story["2"].split("updated for everyone in the channel (its buttons used):", 1)[1].split("The DM", 1)[0]
    assert invite_all not in updated and "[초대]" not in updated and "[Invite]" not in updated
    assert ("@dana asked @jiwoo, @sam by DM to join." if lang == "en"
            else "@dana 님이 @jiwoo, @sam 님에게 DM으로 참여를 요청했습니다.") in updated
    # Meanwhile (in step 3), a swarm in a thread of #support: the card is the thread's parent there, no new
    # channel, and the reply in the thread is a note on the case.
    thread = story["3"].split("Dana runs /swarm 00001030 --thread", 1)[1]
    card = "[case-swarm bot] *Case 00001030:" if lang == "en" else "[case-swarm bot] *케이스 00001030:"
    assert card in thread.split("The thread under the case card:", 1)[0]
    assert "swarm-00001030" not in ran.out
    reply = "The portal draws each day in UTC"
    assert reply in thread.split("The thread under the case card:", 1)[1].split("The case record 00001030", 1)[0]
    assert f"internal note · Sam Field\n    │ {reply}" in thread.split("The case record 00001030", 1)[1]
    # Step 4: the marks are acknowledged to the one who marked, and the case record shows the closing.
    assert story["4"].count("[only Dana sees]") == 2
    closing = "[Swarm closed] Closed in Slack by Dana Agent." if lang == "en" else "[스웜 종료] Dana Agent 님이"
    assert "notes added since:" in story["4"] and closing in story["4"]
    # Step 4: the channel shows the closing summary, which says the draft follows, and then the draft review.
    channel = story["4"].split("The channel shows:", 1)[1].split("The case record", 1)[0]
    summary, review = ("*Swarm closed*", "*Knowledge article draft*") if lang == "en" else ("*스웜을 닫았습니다*",
                                                                                            "*지식 문서 초안*")
    assert channel.count(summary) == 1 and channel.count(review) == 1
    assert channel.index(summary) < channel.index(review)
    if lang == "ko":
        assert "스웜" in story["1"] and "Swarm a case" not in ran.out

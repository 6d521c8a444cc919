"""Reasons in words, English and Korean."""

from __future__ import annotations

from expert_finder.explain import reason_text, suggestion_line
from expert_finder.models import Reason, Suggestion

SUGGESTION = Suggestion(
    "U1",
    "Ana",
    1.2,
    (
        Reason("skill_match", {"skill": "inverter firmware", "percent": 92}),
        Reason("history", {"count": 3, "days_ago": 12}),
        Reason("load", {"active": 1}),
    ),
    ("inverter firmware",),
)


def test_suggestion_line_in_english():
    assert suggestion_line(SUGGESTION, "en") == (
        "skill *inverter firmware* 92% match · helped on 3 similar cases, latest 12 days ago · 1 active swarm"
    )


def test_suggestion_line_in_korean():
    assert suggestion_line(SUGGESTION, "ko") == (
        "스킬 *inverter firmware* 92% 일치 · 비슷한 사례 3건 지원, 최근 12일 전 · 진행 중인 스웜 1개"
    )


def test_plurals_today_and_fallbacks():
    assert reason_text(Reason("history", {"count": 1, "days_ago": 0}), "en") == "helped on 1 similar case, today"
    assert reason_text(Reason("load", {"active": 0}), "en") == "no active swarms"
    assert reason_text(Reason("load", {"active": 2}), "ko-KR") == "진행 중인 스웜 2개"
    assert reason_text(Reason("at_limit", {"active": 3, "max": 3}), "en") == "at swarm limit (3/3)"
    assert reason_text(Reason("language", {"language": "ko"}), "en") == "speaks Korean"
    assert reason_text(Reason("language", {"language": "ko"}), "ko") == "한국어 가능"
    assert (
        reason_text(Reason("outside_hours", {"timezone": "Asia/Seoul"}), "fr") == "outside working hours (Asia/Seoul)"
    )
    assert reason_text(Reason("something_new", {}), "en") == "something_new"

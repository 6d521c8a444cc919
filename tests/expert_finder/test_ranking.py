"""Ranking: fuzzy and multilingual matching, exclusions and policy, ties by load, set cover."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from expert_finder.history import HistoryIndex
from expert_finder.models import CaseQuery, ExpertProfile, PastHelp, RankingPolicy, Skill, WorkingHours
from expert_finder.normalize import expand, use_morphemes
from expert_finder.ranking import rank_experts

NOW = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)  # a Tuesday, 10:00 UTC


def expert(user_id: str, *skills: tuple[str, int], **kw) -> ExpertProfile:
    return ExpertProfile(user_id, user_id.title(), tuple(Skill(n, lvl) for n, lvl in skills), **kw)


def ids(ranking) -> list[str]:
    return [s.user_id for s in ranking.suggestions]


@pytest.mark.parametrize("subject", ["inverter firmware", "Inverter FW update", "firmware of the inverter"])
def test_inverter_firmware_spellings_meet(subject):
    profiles = [expert("u_fw", ("inverter firmware", 4)), expert("u_bat", ("battery management", 4))]
    ranking = rank_experts(CaseQuery(subject), profiles, [], now=NOW)
    assert ids(ranking) == ["u_fw"]
    assert ranking.suggestions[0].reasons[0].kind == "skill_match"
    assert ranking.suggestions[0].reasons[0].params["percent"] >= 90


@pytest.mark.parametrize("skill", ["inverter FW", "firmware of the inverter", "Inverter Firmware"])
def test_skill_spellings_match_the_case(skill):
    ranking = rank_experts(CaseQuery("Inverter firmware update fails"), [expert("u", (skill, 3))], [], now=NOW)
    assert ids(ranking) == ["u"]


def test_korean_skill_matches_korean_subject():
    profiles = [expert("u_ko", ("배터리 관리", 4)), expert("u_en", ("grid compliance", 4))]
    ranking = rank_experts(CaseQuery("배터리 관리 시스템 오류가 발생했습니다"), profiles, [], now=NOW)
    assert ids(ranking) == ["u_ko"]


def test_korean_case_finds_english_skill_through_synonyms():
    ranking = rank_experts(
        CaseQuery("인버터 펌웨어 업데이트 실패"), [expert("u", ("inverter firmware", 3))], [], now=NOW
    )
    assert ids(ranking) == ["u"]


def test_korean_words_meet_through_their_morphemes():
    """Given a skill `결제 실패`, a case that says `결제가 실패했습니다` (particle, ending) finds it."""
    assert expand("결제가 실패했습니다") == expand("결제 실패") == "결제 실패"
    assert expand("펌웨어가 멈췄어요") == "firmware 멈추"
    profiles = [expert("pay", ("결제 실패", 3)), expert("other", ("배송 지연", 3))]
    assert ids(rank_experts(CaseQuery("카드 결제가 실패했습니다"), profiles, [], now=NOW)) == ["pay"]


def test_korean_words_can_be_left_whole_to_measure_the_analyser():
    try:
        use_morphemes(False)
        assert expand("결제가 실패했습니다") == "결제가 실패했습니다"
    finally:
        use_morphemes(True)
    assert expand("결제가 실패했습니다") == "결제 실패"


def test_queue_accounts_are_never_suggested():
    """Given a default assignee `nobody` and a `support-inbox` with the best history, neither is suggested."""
    history = [PastHelp(f"C{i}", "modbus timeout on gateway", "", who, "resolved", NOW - timedelta(days=i + 1))
               for i, who in enumerate(["nobody", "support-inbox", "nobody", "support-inbox", "sam"])]
    profiles = [expert("nobody", ("modbus", 5)), expert("support-inbox", ("modbus", 5)), expert("sam", ("modbus", 2))]
    ranking = rank_experts(CaseQuery("modbus timeout"), profiles, history, now=NOW)
    assert ids(ranking) == ["sam"]
    assert ("nobody", "queue_account") in ranking.excluded and ("support-inbox", "queue_account") in ranking.excluded


def test_accents_and_punctuation_do_not_matter():
    ranking = rank_experts(
        CaseQuery("Problème de COMMUNICATION!!"), [expert("u", ("probleme de communication", 3))], [], now=NOW
    )
    assert ids(ranking) == ["u"]


def test_requester_members_and_opted_out_are_excluded():
    profiles = [
        expert("req", ("modbus", 5)),
        expert("mem", ("modbus", 5)),
        expert("out", ("modbus", 5), opted_out=True),
        expert("ok", ("modbus", 2)),
    ]
    case = CaseQuery("modbus timeout", requester_id="req", member_ids=frozenset({"mem"}))
    ranking = rank_experts(case, profiles, [], now=NOW)
    assert ids(ranking) == ["ok"]
    assert set(ranking.excluded) == {("req", "requester"), ("mem", "member"), ("out", "opted_out")}


def test_at_limit_excluded_by_default_and_downweighted_when_configured():
    profiles = [expert("busy", ("modbus", 5), active_swarms=3, max_concurrent=3), expert("free", ("modbus", 3))]
    ranking = rank_experts(CaseQuery("modbus"), profiles, [], now=NOW)
    assert ids(ranking) == ["free"] and ranking.excluded == (("busy", "at_limit"),)
    ranking = rank_experts(CaseQuery("modbus"), profiles, [], now=NOW, policy=RankingPolicy(at_limit="downweight"))
    assert ids(ranking) == ["free", "busy"]
    assert "at_limit" in [r.kind for r in ranking.suggestions[1].reasons]


def test_outside_hours_downweighted_or_excluded():
    seoul = WorkingHours("Asia/Seoul", time(9), time(18))  # 10:00 UTC is 19:00 in Seoul
    profiles = [expert("night", ("modbus", 5), hours=seoul), expert("day", ("modbus", 4))]
    ranking = rank_experts(CaseQuery("modbus"), profiles, [], now=NOW)
    assert ids(ranking) == ["day", "night"]
    assert "outside_hours" in [r.kind for r in ranking.suggestions[1].reasons]
    ranking = rank_experts(CaseQuery("modbus"), profiles, [], now=NOW, policy=RankingPolicy(outside_hours="exclude"))
    assert ids(ranking) == ["day"] and ranking.excluded == (("night", "outside_hours"),)


def test_working_hours_in_own_timezone_and_night_shift():
    assert WorkingHours("Asia/Seoul").is_working(datetime(2025, 3, 4, 1, 0, tzinfo=UTC))  # 10:00 KST Tuesday
    assert not WorkingHours("Asia/Seoul").is_working(datetime(2025, 3, 8, 1, 0, tzinfo=UTC))  # Saturday
    night = WorkingHours("UTC", time(22), time(6), frozenset({4}))  # Friday night shift
    assert night.is_working(datetime(2025, 3, 8, 3, 0, tzinfo=UTC))  # Saturday 03:00 belongs to Friday
    assert not night.is_working(datetime(2025, 3, 7, 3, 0, tzinfo=UTC))


def test_ties_go_to_the_less_loaded():
    profiles = [
        expert("a", ("modbus", 4), active_swarms=2),
        expert("b", ("modbus", 4), active_swarms=0),
        expert("c", ("modbus", 4), active_swarms=1),
    ]
    assert ids(rank_experts(CaseQuery("modbus"), profiles, [], now=NOW)) == ["b", "c", "a"]


def test_history_on_similar_cases_counts_and_decays():
    history = [
        PastHelp(
            "C1", "Inverter reboots after firmware update", "Hybrid 5K", "recent", "resolved", NOW - timedelta(days=12)
        ),
        PastHelp(
            "C2", "Inverter reboots after firmware update v2", "Hybrid 5K", "old", "resolved", NOW - timedelta(days=700)
        ),
        PastHelp("C3", "EV charger RFID card rejected", "EV", "other", "resolved", NOW - timedelta(days=5)),
    ]
    profiles = [expert("old"), expert("recent"), expert("other")]
    ranking = rank_experts(CaseQuery("inverter reboots after the firmware update"), profiles, history, now=NOW)
    assert ids(ranking)[:2] == ["recent", "old"]
    reason = next(r for r in ranking.suggestions[0].reasons if r.kind == "history")
    assert reason.params == {"count": 1, "days_ago": 12}


def test_declines_lower_availability_and_prepared_index_gives_same_answer():
    history = [PastHelp(f"D{i}", "anything", "", "shy", "declined", NOW - timedelta(days=i)) for i in range(3)]
    profiles = [expert("shy", ("modbus", 4)), expert("keen", ("modbus", 4))]
    ranking = rank_experts(CaseQuery("modbus"), profiles, history, now=NOW)
    assert ids(ranking) == ["keen", "shy"]
    assert "declined_recently" in [r.kind for r in ranking.suggestions[1].reasons]
    assert rank_experts(CaseQuery("modbus"), profiles, HistoryIndex.build(history), now=NOW) == ranking


def test_set_cover_puts_a_small_covering_team_first_and_lists_uncovered_skills():
    profiles = [
        expert("fw1", ("inverter firmware", 5)),
        expert("fw2", ("inverter firmware", 5)),
        expert("both", ("inverter firmware", 3), ("modbus", 3)),
        expert("bat", ("battery management", 4)),
        expert("gone", ("grid code", 5), opted_out=True),
    ]
    case = CaseQuery(
        "Inverter FW update fails", needed_skills=("inverter firmware", "modbus", "battery management", "grid code")
    )
    ranking = rank_experts(case, profiles, [], now=NOW)
    assert ids(ranking)[:2] == ["both", "bat"]
    assert ranking.suggestions[0].covers == ("inverter firmware", "modbus")
    assert ranking.uncovered_skills == ("grid code",)


def test_limit_and_nobody_relevant():
    profiles = [expert(f"u{i}", ("modbus", 3)) for i in range(10)]
    assert len(rank_experts(CaseQuery("modbus"), profiles, [], now=NOW, policy=RankingPolicy(limit=3)).suggestions) == 3
    assert rank_experts(CaseQuery("warranty claim"), profiles, [], now=NOW).suggestions == ()


def test_product_and_language_reasons():
    profiles = [expert("u", ("inverter firmware", 3), products=("Hybrid 5K",), languages=("ko", "en"))]
    ranking = rank_experts(CaseQuery("inverter firmware", product="hybrid 5k", language="ko-KR"), profiles, [], now=NOW)
    kinds = {r.kind: r.params for r in ranking.suggestions[0].reasons}
    assert kinds["product"] == {"product": "Hybrid 5K"} and kinds["language"] == {"language": "ko-KR"}

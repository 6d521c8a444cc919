"""Ranking over a prepared DirectoryIndex: same answers as plain profiles, vectorised hours and history evidence."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import numpy as np
import pytest

from bench.expert_rank import naive_rank, synthetic_cases, synthetic_directory, synthetic_history
from expert_finder.directory_index import DirectoryIndex
from expert_finder.evidence import evidence_rows, user_rows
from expert_finder.history import HistoryIndex, days
from expert_finder.models import (
    HISTORY_FEATURES,
    HISTORY_KINDS,
    KIND_WEIGHTS,
    CaseQuery,
    ExpertProfile,
    PastHelp,
    RankingPolicy,
    Skill,
    WorkingHours,
)
from expert_finder.profiles import Cases, ProfileModel
from expert_finder.ranking import rank_experts

NOW = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)  # a Tuesday, 10:00 UTC
ZONES = ["UTC", "Asia/Seoul", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]


def expert(user_id: str, *skills: tuple[str, int], **kw) -> ExpertProfile:
    return ExpertProfile(user_id, user_id.title(), tuple(Skill(n, lvl) for n, lvl in skills), **kw)


def test_prepared_directory_gives_the_same_ranking_as_profiles():
    profiles = [
        expert("fw", ("inverter firmware", 5), products=("Hybrid 5K",), languages=("ko",)),
        expert("both", ("Inverter FW", 3), ("modbus", 3), active_swarms=1),
        expert("bat", ("battery management", 4), hours=WorkingHours("Asia/Seoul")),
        expert("busy", ("modbus", 5), active_swarms=3, max_concurrent=3),
    ]
    history = [PastHelp("C1", "inverter firmware update fails", "Hybrid 5K", "bat", "resolved", NOW - timedelta(3))]
    case = CaseQuery(
        "Inverter FW update fails",
        product="hybrid 5k",
        language="ko",
        needed_skills=("inverter firmware", "modbus", "grid code"),
    )
    plain = rank_experts(case, profiles, history, now=NOW)
    prepared = rank_experts(case, DirectoryIndex.build(profiles), HistoryIndex.build(history), now=NOW)
    assert prepared == plain
    assert [s.user_id for s in plain.suggestions][:1] == ["both"] and plain.uncovered_skills == ("grid code",)


def test_a_prepared_directory_follows_a_new_history_index():
    directory = DirectoryIndex.build([expert("a", ("modbus", 3)), expert("b", ("modbus", 3))])
    for helper in ("a", "b"):
        history = HistoryIndex.build([PastHelp("C", "modbus timeout", "", helper, "resolved", NOW - timedelta(1))])
        assert rank_experts(CaseQuery("modbus timeout"), directory, history, now=NOW).suggestions[0].user_id == helper


def test_reason_names_the_first_spelling_among_those_not_left_out():
    profiles = [expert("req", ("Inverter FW", 5)), expert("u", ("inverter firmware", 3))]
    ranking = rank_experts(
        CaseQuery("inverter firmware", requester_id="req"), DirectoryIndex.build(profiles), [], now=NOW
    )
    assert ranking.suggestions[0].reasons[0].params["skill"] == "inverter firmware"
    assert ranking.suggestions[0].covers == ("inverter firmware",)


def test_working_hours_for_everyone_at_once_match_is_working():
    rng = random.Random(3)
    profiles = [
        ExpertProfile(
            f"u{i}",
            "x",
            hours=WorkingHours(
                rng.choice(ZONES),
                time(rng.randint(0, 23), rng.choice((0, 30))),
                time(rng.randint(0, 23), rng.choice((0, 30))),
                frozenset(rng.sample(range(7), rng.randint(0, 7))),
            ),
        )
        for i in range(200)
    ]
    directory = DirectoryIndex.build(profiles)
    for _ in range(100):
        now = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 525_600))
        if rng.random() < 0.2:
            now = now.replace(tzinfo=None)  # naive means UTC
        assert directory.working(now).tolist() == [p.hours.is_working(now) for p in profiles]


def test_the_apps_history_evidence_is_the_evaluated_model_fitted_on_the_positive_rows():
    rng = random.Random(5)
    users = [f"u{i}" for i in range(30)]
    texts = ["inverter firmware update", "modbus timeout", "배터리 관리 오류", "EV charger RFID"]
    history = [
        PastHelp(f"C{rng.randint(0, 40)}", rng.choice(texts), "Hybrid 5K", rng.choice(users), kind, at)
        for kind, at in (
            (rng.choice(sorted(HISTORY_KINDS)), NOW - timedelta(days=rng.uniform(0, 400))) for _ in range(300)
        )
    ]
    index = HistoryIndex.build(history)
    positive = [h for h in history if KIND_WEIGHTS[h.kind] > 0]
    model = ProfileModel(k=20).fit(
        Cases([f"{h.text} {h.product}" for h in positive], [h.product for h in positive],
              np.array([days(h.at) for h in positive]), [h.user_id for h in positive],
              np.array([KIND_WEIGHTS[h.kind] for h in positive]))
    )
    text = "inverter firmware fails Hybrid 5K"
    expected = model.features(Cases([text], ["Hybrid 5K"], np.array([days(NOW)])), half_life=90)
    position = {u: i for i, u in enumerate(users[:25])}  # five history users are not in the directory
    got = evidence_rows(index, user_rows(index, position), len(position), text, "Hybrid 5K", now=NOW,
                        half_life_days=90, min_similarity=0.1)
    for user, row in position.items():
        if user in model.people:
            for name in HISTORY_FEATURES:
                assert got.features[name][row] == pytest.approx(expected[name][0, model.people.index(user)])
        declined = [h for h in history if h.user_id == user and h.kind in ("declined", "ignored")]
        assert (got.availability[row] < 1.0) == bool(declined)
        assert got.get(user).declines <= len(declined)
    assert evidence_rows(index, user_rows(index, position), len(position), text, "", now=NOW - timedelta(days=401),
                         half_life_days=90, min_similarity=0.1).features["knn"].sum() == 0, "nothing before then"


@pytest.mark.parametrize("size", [300])
def test_the_benchmarks_naive_loop_ranks_as_the_index_does(size):
    rng = random.Random(size)
    profiles = synthetic_directory(size, rng)
    index = HistoryIndex.build(synthetic_history(500, [p.user_id for p in profiles], rng))
    directory = DirectoryIndex.build(profiles)
    policy = RankingPolicy()
    for case in synthetic_cases(20, profiles, rng):
        fast = rank_experts(case, directory, index, now=datetime(2025, 3, 4, 10, tzinfo=UTC), policy=policy)
        assert [s.user_id for s in fast.suggestions] == naive_rank(case, profiles, index, policy)

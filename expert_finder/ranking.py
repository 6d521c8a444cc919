"""Rank the experts of a directory for one case, with reasons, fair to busy people.

Relevance is a weighted sum of the directory's evidence (skill match, fuzzy and level-weighted; product
match; a small language bonus) and the history model's (`profiles.ProfileModel`, the model the evaluation
measures: profile centroids, similar past cases, product share, recent activity), with the weights of
`RankingPolicy.weights` (defaults, or those `case-swarm experts tune` stored). Availability (outside
hours, at the swarm limit, often declining) then scales it and each active swarm costs a little, so equal
relevance goes to the less loaded. Queue accounts are never suggested. When the case lists several needed
skills, a greedy set cover puts a small team that covers them first.

`python -m expert_finder.evaluate --ranker app` ranks with `rank_experts` itself.

Everything up to the order is numpy over a prepared `DirectoryIndex`; Python objects are built only for
the suggestions shown, so a ranking over 100k experts costs a few passes over arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from rapidfuzz import fuzz, process

from expert_finder.directory_index import LANGUAGE_NAMES, DirectoryIndex, language_code
from expert_finder.evidence import Evidence, HistoryEvidence, evidence_rows
from expert_finder.history import HistoryIndex
from expert_finder.matching import match_scores
from expert_finder.models import (
    HISTORY_FEATURES,
    CaseQuery,
    ExpertProfile,
    PastHelp,
    Ranking,
    RankingPolicy,
    Reason,
    Suggestion,
)
from expert_finder.normalize import expand

__all__ = ["LANGUAGE_NAMES", "DirectoryIndex", "language_code", "rank_experts"]

PRODUCT_CUTOFF = 90.0
EXCLUSIONS = ("", "requester", "member", "opted_out", "queue_account", "at_limit", "outside_hours")  # by code
# Scores are ordered by their value rounded to 4 places; anything this far below the k-th cannot overtake it.
_ROUNDING_MARGIN = 2e-4


@dataclass
class CaseFeatures:
    """Every ranking evidence for one case, per directory row, and what the reasons need."""

    values: dict[str, np.ndarray]  # RANKING_FEATURES -> float per directory row
    code: np.ndarray  # per row, index into EXCLUSIONS (0: in the pool)
    working: np.ndarray  # bool per row
    skill_vocab: np.ndarray  # case text × distinct skill names, 0-1
    skill_best: np.ndarray  # per expert, best weighted match of the case text (before needed skills)
    coverage: np.ndarray  # experts × needed skills, 0-1
    product_vocab: np.ndarray | None  # case product × distinct product names, 0-1
    evidence: Evidence


def _exclusions(case: CaseQuery, d: DirectoryIndex, working: np.ndarray, policy: RankingPolicy) -> np.ndarray:
    """Per expert, the index into EXCLUSIONS of why they are left out (0: in the pool)."""
    code = np.zeros(len(d), dtype=np.int8)
    if policy.outside_hours == "exclude":
        code[~working] = 6
    if policy.at_limit == "exclude":
        code[d.active >= d.max_concurrent] = 5
    code[d.queue_mask(policy.queue_accounts)] = 4
    code[d.opted_out] = 3
    code[[d.position[u] for u in case.member_ids if u in d.position]] = 2
    if case.requester_id in d.position:
        code[d.position[case.requester_id]] = 1
    return code


def case_features(
    case: CaseQuery, d: DirectoryIndex, index: HistoryIndex, *, now: datetime, policy: RankingPolicy
) -> CaseFeatures:
    """The directory's evidence (skills, products, languages) beside the history model's, for one case."""
    n, needed = len(d), case.needed_skills
    working = d.working(now)
    vocab = match_scores([case.text, *needed], d.skills.flat.names, policy.skill_cutoff)
    best = d.skills.best(vocab[0]) if d.skills.flat.names else np.zeros(n)
    coverage = np.zeros((n, len(needed)), dtype=np.float32)
    for j in range(len(needed)):
        coverage[:, j] = d.skills.best(vocab[j + 1]) if d.skills.flat.names else 0.0
    product_vocab, product = None, np.zeros(n)
    if case.product and d.products.flat.names:
        raw = process.cdist(
            [expand(case.product)], d.products.flat.names, scorer=fuzz.token_sort_ratio, score_cutoff=PRODUCT_CUTOFF
        )
        product_vocab = raw[0] / 100.0
        product = d.products.best(product_vocab)
    lang = language_code(case.language) if case.language else ""
    evidence = evidence_rows(
        index,
        d.history_rows(index),
        n,
        case.text + " " + case.product,
        case.product,
        now=now,
        half_life_days=policy.history_half_life_days,
        min_similarity=policy.history_min_similarity,
    )
    values = {
        "skill": np.maximum(best, coverage.mean(axis=1)) if needed else best,
        "product": product,
        "language": (d.speakers(lang) if lang else np.zeros(n, dtype=bool)).astype(np.float64),
        **evidence.features,
    }
    code = _exclusions(case, d, working, policy)
    return CaseFeatures(values, code, working, vocab[0] if len(vocab) else vocab, best, coverage, product_vocab,
                        evidence)


def relevance(values: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Directory evidence plus the history model's (faded by `gate` for who stopped helping); the language
    bonus only for someone relevant already."""
    history = sum(weights.get(name, 0.0) * values[name] for name in HISTORY_FEATURES)
    gate = weights.get("gate", 0.0)
    if gate:
        history = history * (values["recency"] + 1e-3) ** gate
    total = weights.get("skill", 0.0) * values["skill"] + weights.get("product", 0.0) * values["product"] + history
    return np.where(total > 0, total + weights.get("language", 0.0) * values["language"], 0.0)


def _first_in_order(candidates: np.ndarray, final: np.ndarray, active: np.ndarray, k: int) -> list[int]:
    """The first `k` of `candidates` by (score rounded to 4 places, descending; fewer active swarms; row)."""
    if k <= 0 or candidates.size == 0:
        return []
    if candidates.size > k:
        values = final[candidates]
        kth = np.partition(values, values.size - k)[values.size - k]
        candidates = candidates[values >= kth - _ROUNDING_MARGIN]
    return sorted(candidates.tolist(), key=lambda i: (-round(final[i], 4), active[i], i))[:k]


def _cover_first(
    candidates: np.ndarray, coverage: np.ndarray, final: np.ndarray, active: np.ndarray, limit: int
) -> list[int]:
    """Greedy set cover: repeatedly take whoever covers the most still-uncovered skills (best score first),
    then the rest in score order; only the first `limit` are worked out."""
    team: list[int] = []
    if coverage.shape[1]:
        has = coverage[candidates] > 0
        covered = np.zeros(coverage.shape[1], dtype=bool)
        taken = np.zeros(candidates.size, dtype=bool)
        while not covered.all() and len(team) < limit:
            gains = np.where(taken, 0, (has & ~covered).sum(axis=1))
            if gains.size == 0 or gains.max() == 0:
                break
            rows = np.flatnonzero(gains == gains.max())
            pick = _first_in_order(candidates[rows], final, active, 1)[0]
            team.append(pick)
            taken[np.searchsorted(candidates, pick)] = True
            covered |= coverage[pick] > 0
    chosen = set(team)
    rest = [i for i in _first_in_order(candidates, final, active, limit + len(team)) if i not in chosen]
    return (team + rest)[:limit]


def _reasons(case: CaseQuery, i: int, d: DirectoryIndex, s: CaseFeatures, pool: np.ndarray, ev: HistoryEvidence,
             flags):
    p: ExpertProfile = d.profiles[i]
    which = d.skills.which(i, s.skill_vocab, s.skill_best[i]) if d.skills.flat.names else -1
    shown = d.skills.label(which, pool) if which >= 0 else None
    reasons: list[Reason] = []
    if shown is not None:
        reasons.append(Reason("skill_match", {"skill": shown, "percent": round(100 * s.skill_vocab[which])}))
    for j, needed in enumerate(case.needed_skills):
        if s.coverage[i, j] > 0 and needed != shown:
            reasons.append(Reason("skill_match", {"skill": needed, "percent": round(100 * s.coverage[i, j])}))
    product = d.products.which(i, s.product_vocab, s.values["product"][i]) if s.product_vocab is not None else -1
    if product >= 0:
        reasons.append(Reason("product", {"product": d.products.label(product, pool)}))
    if ev.similar_cases:
        reasons.append(Reason("history", {"count": ev.similar_cases, "days_ago": ev.days_ago}))
    if s.values["language"][i]:
        reasons.append(Reason("language", {"language": case.language}))
    reasons.append(Reason("load", {"active": p.active_swarms}))
    outside, at_limit = flags
    if outside:
        reasons.append(Reason("outside_hours", {"timezone": p.hours.timezone}))
    if at_limit:
        reasons.append(Reason("at_limit", {"active": p.active_swarms, "max": p.max_concurrent}))
    if ev.declines:
        reasons.append(Reason("declined_recently", {"count": ev.declines}))
    covers = tuple(case.needed_skills[j] for j in np.flatnonzero(s.coverage[i] > 0))
    if not case.needed_skills and shown is not None:
        covers = (shown,)
    return tuple(reasons), covers


def warm_up() -> None:
    """Load what the first ranking would (the Korean analyser's model: seconds of CPU), so that no swarm
    waits on it: `serve` calls it in the background, the demo and the stand-in before their first swarm."""
    expand("준비 완료되었습니다")


def rank_experts(
    case: CaseQuery,
    profiles: Sequence[ExpertProfile] | DirectoryIndex,
    history: Sequence[PastHelp] | HistoryIndex,
    *,
    now: datetime,
    policy: RankingPolicy = RankingPolicy(),  # noqa: B008 - frozen, shared safely
) -> Ranking:
    """The best available experts for `case`, each with reasons; who was left out and which skills nobody has.

    `profiles` may be a prepared `DirectoryIndex` and `history` a prepared `HistoryIndex` (build each once
    with `.build`), so repeated rankings skip flattening the directory and refitting TF-IDF.
    """
    d = profiles if isinstance(profiles, DirectoryIndex) else DirectoryIndex.build(profiles)
    index = history if isinstance(history, HistoryIndex) else HistoryIndex.build(history)
    scores = case_features(case, d, index, now=now, policy=policy)
    pool = scores.code == 0
    out = np.flatnonzero(~pool)
    excluded = tuple(zip(d.user_ids[out].tolist(), [EXCLUSIONS[c] for c in scores.code[out].tolist()], strict=True))
    relevant = np.where(pool, relevance(scores.values, policy.weights), 0.0)
    working, at_limit = scores.working, d.active >= d.max_concurrent
    factor = scores.evidence.availability * np.where(working, 1.0, policy.outside_hours_factor)
    factor = factor * np.where(at_limit, policy.at_limit_factor, 1.0)
    final = np.where(relevant > 0, np.maximum(relevant * factor - policy.load_penalty * d.active, 1e-6), 0.0)
    candidates = np.flatnonzero(relevant > 0)
    suggestions = []
    for i in _cover_first(candidates, scores.coverage, final, d.active, policy.limit):
        p = d.profiles[i]
        ev = scores.evidence.get(p.user_id)
        reasons, covers = _reasons(case, i, d, scores, pool, ev, (not working[i], at_limit[i]))
        suggestions.append(Suggestion(p.user_id, p.name, round(float(final[i]), 4), reasons, covers))
    has = scores.coverage[candidates].any(axis=0) if candidates.size else np.zeros(len(case.needed_skills), bool)
    uncovered = tuple(skill for j, skill in enumerate(case.needed_skills) if not has[j])
    return Ranking(tuple(suggestions), uncovered, excluded)

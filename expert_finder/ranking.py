"""Rank the experts of a directory for one case, with reasons, fair to busy people.

Relevance = skill match (fuzzy, level-weighted) + product match + history on similar cases + a small
language bonus; then availability (outside hours, at the swarm limit, often declining) scales it and each
active swarm costs a little, so equal relevance goes to the less loaded. When the case lists several
needed skills, a greedy set cover puts a small team that covers them first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from rapidfuzz import fuzz, process

from expert_finder.history import HistoryEvidence, HistoryIndex, gather
from expert_finder.matching import FlatTerms, flatten_products, flatten_skills, match_scores
from expert_finder.models import CaseQuery, ExpertProfile, PastHelp, Ranking, RankingPolicy, Reason, Suggestion
from expert_finder.normalize import expand

LANGUAGE_NAMES = {"english": "en", "korean": "ko", "한국어": "ko", "영어": "en", "japanese": "ja", "german": "de"}
PRODUCT_CUTOFF = 90.0
_NO_EVIDENCE = HistoryEvidence(score=0.0, similar_cases=0, days_ago=None, declines=0, availability=1.0)


def language_code(value: str) -> str:
    value = value.strip().casefold().replace("_", "-")
    return LANGUAGE_NAMES.get(value, value.split("-")[0])


@dataclass
class _Scores:
    relevance: np.ndarray
    skill: np.ndarray
    skill_which: np.ndarray
    skill_percent: np.ndarray
    product: np.ndarray
    product_label: list[str | None]
    coverage: np.ndarray  # experts × needed skills, 0-1
    language: np.ndarray  # bool


def _exclusion(case: CaseQuery, p: ExpertProfile, now: datetime, policy: RankingPolicy) -> str | None:
    if p.user_id == case.requester_id:
        return "requester"
    if p.user_id in case.member_ids:
        return "member"
    if p.opted_out:
        return "opted_out"
    if policy.at_limit == "exclude" and p.active_swarms >= p.max_concurrent:
        return "at_limit"
    if policy.outside_hours == "exclude" and not p.hours.is_working(now):
        return "outside_hours"
    return None


def _skill_scores(case: CaseQuery, flat: FlatTerms, cutoff: float) -> tuple[np.ndarray, ...]:
    queries = [case.text, *case.needed_skills]
    scores = match_scores(queries, flat.names, cutoff)
    best, which = flat.best(scores[0]) if flat.names else (np.zeros(flat.n_owners), np.full(flat.n_owners, -1))
    percent = np.where(which >= 0, scores[0][np.maximum(which, 0)] if flat.names else 0.0, 0.0)
    coverage = np.zeros((flat.n_owners, len(case.needed_skills)), dtype=np.float32)
    for j in range(len(case.needed_skills)):
        coverage[:, j] = flat.best(scores[j + 1])[0] if flat.names else 0.0
    return best, which, percent, coverage


def _product_scores(case: CaseQuery, flat: FlatTerms) -> tuple[np.ndarray, list[str | None]]:
    if not case.product or not flat.names:
        return np.zeros(flat.n_owners), [None] * flat.n_owners
    raw = process.cdist(
        [expand(case.product)], flat.names, scorer=fuzz.token_sort_ratio, score_cutoff=PRODUCT_CUTOFF, workers=1
    )
    best, which = flat.best(raw[0] / 100.0)
    return best, [flat.labels[w] if w >= 0 else None for w in which]


def _score(
    case: CaseQuery, profiles: Sequence[ExpertProfile], evidence: dict[str, HistoryEvidence], policy: RankingPolicy
) -> tuple[_Scores, FlatTerms]:
    skills = flatten_skills(profiles)
    skill, skill_which, percent, coverage = _skill_scores(case, skills, policy.skill_cutoff)
    if coverage.shape[1]:
        skill = np.maximum(skill, coverage.mean(axis=1))
    product, product_label = _product_scores(case, flatten_products(profiles))
    history = np.array([evidence.get(p.user_id, _NO_EVIDENCE).score for p in profiles], dtype=np.float64)
    lang = language_code(case.language) if case.language else ""
    speaks = np.array([bool(lang) and lang in {language_code(x) for x in p.languages} for p in profiles], dtype=bool)
    relevance = (
        policy.weight_skill * skill + policy.weight_product * product + policy.weight_history * (1.0 - np.exp(-history))
    )
    relevance = np.where(relevance > 0, relevance + policy.weight_language * speaks, 0.0)
    # Keep the skill arrays so reasons can name the matching skill.
    return _Scores(relevance, skill, skill_which, percent, product, product_label, coverage, speaks), skills


def _reasons(i: int, p: ExpertProfile, s: _Scores, skills: FlatTerms, ev: HistoryEvidence, flags: dict) -> tuple:
    reasons: list[Reason] = []
    if s.skill_which[i] >= 0:
        reasons.append(
            Reason(
                "skill_match", {"skill": skills.labels[s.skill_which[i]], "percent": round(100 * s.skill_percent[i])}
            )
        )
    shown = skills.labels[s.skill_which[i]] if s.skill_which[i] >= 0 else None
    for j, needed in enumerate(flags["needed"]):
        if s.coverage[i, j] > 0 and needed != shown:
            reasons.append(Reason("skill_match", {"skill": needed, "percent": round(100 * s.coverage[i, j])}))
    if s.product_label[i] is not None:
        reasons.append(Reason("product", {"product": s.product_label[i]}))
    if ev.similar_cases:
        reasons.append(Reason("history", {"count": ev.similar_cases, "days_ago": ev.days_ago}))
    if s.language[i]:
        reasons.append(Reason("language", {"language": flags["language"]}))
    reasons.append(Reason("load", {"active": p.active_swarms}))
    if flags["outside"]:
        reasons.append(Reason("outside_hours", {"timezone": p.hours.timezone}))
    if flags["at_limit"]:
        reasons.append(Reason("at_limit", {"active": p.active_swarms, "max": p.max_concurrent}))
    if ev.declines:
        reasons.append(Reason("declined_recently", {"count": ev.declines}))
    return tuple(reasons)


def _cover_first(order: list[int], coverage: np.ndarray) -> list[int]:
    """Greedy set cover: repeatedly take whoever covers the most still-uncovered skills (best score first)."""
    if coverage.shape[1] == 0:
        return order
    covered = np.zeros(coverage.shape[1], dtype=bool)
    team: list[int] = []
    remaining = list(order)
    while not covered.all():
        gains = [int(((coverage[i] > 0) & ~covered).sum()) for i in remaining]
        if not gains or max(gains) == 0:
            break
        pick = remaining[gains.index(max(gains))]  # `remaining` is in score order, so ties go to the better
        team.append(pick)
        remaining.remove(pick)
        covered |= coverage[pick] > 0
    return team + remaining


def rank_experts(
    case: CaseQuery,
    profiles: Sequence[ExpertProfile],
    history: Sequence[PastHelp] | HistoryIndex,
    *,
    now: datetime,
    policy: RankingPolicy = RankingPolicy(),  # noqa: B008 - frozen, shared safely
) -> Ranking:
    """The best available experts for `case`, each with reasons; who was left out and which skills nobody has.

    `history` may be a prepared `HistoryIndex` (build it once with `HistoryIndex.build`) so repeated
    rankings skip refitting TF-IDF.
    """
    index = history if isinstance(history, HistoryIndex) else HistoryIndex.build(history)
    excluded: list[tuple[str, str]] = []
    pool: list[ExpertProfile] = []
    for p in profiles:
        why = _exclusion(case, p, now, policy)
        if why:
            excluded.append((p.user_id, why))
        else:
            pool.append(p)
    evidence = gather(
        index,
        case.text + " " + case.product,
        now=now,
        half_life_days=policy.history_half_life_days,
        kind_weights=policy.kind_weights,
        min_similarity=policy.history_min_similarity,
    )
    scores, skills = _score(case, pool, evidence, policy)
    final, flags = _availability(case, pool, scores, evidence, now, policy)
    order = sorted(np.flatnonzero(scores.relevance > 0), key=lambda i: (-round(final[i], 4), pool[i].active_swarms))
    order = _cover_first([int(i) for i in order], scores.coverage)
    suggestions = []
    for i in order[: policy.limit]:
        p = pool[i]
        ev = evidence.get(p.user_id, _NO_EVIDENCE)
        covers = tuple(case.needed_skills[j] for j in np.flatnonzero(scores.coverage[i] > 0))
        if not case.needed_skills and scores.skill_which[i] >= 0:
            covers = (skills.labels[scores.skill_which[i]],)
        suggestions.append(
            Suggestion(
                p.user_id, p.name, round(float(final[i]), 4), _reasons(i, p, scores, skills, ev, flags[i]), covers
            )
        )
    available = scores.coverage[scores.relevance > 0]
    has = available.any(axis=0) if available.size else np.zeros(len(case.needed_skills), dtype=bool)
    uncovered = tuple(skill for j, skill in enumerate(case.needed_skills) if not has[j])
    return Ranking(tuple(suggestions), uncovered, tuple(excluded))


def _availability(
    case: CaseQuery,
    pool: Sequence[ExpertProfile],
    scores: _Scores,
    evidence: dict[str, HistoryEvidence],
    now: datetime,
    policy: RankingPolicy,
) -> tuple[np.ndarray, list[dict]]:
    final = scores.relevance.astype(np.float64).copy()
    flags: list[dict] = []
    for i, p in enumerate(pool):
        outside = not p.hours.is_working(now)
        at_limit = p.active_swarms >= p.max_concurrent
        factor = evidence.get(p.user_id, _NO_EVIDENCE).availability
        factor *= policy.outside_hours_factor if outside else 1.0
        factor *= policy.at_limit_factor if at_limit else 1.0
        final[i] = max(final[i] * factor - policy.load_penalty * p.active_swarms, 1e-6) if final[i] > 0 else 0.0
        flags.append(
            {"outside": outside, "at_limit": at_limit, "language": case.language, "needed": case.needed_skills}
        )
    return final, flags

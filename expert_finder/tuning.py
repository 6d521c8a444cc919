"""Choose the app's ranking weights on past cases, by the app's own relevance (`ranking.relevance`).

Shared by `case-swarm experts tune` (monthly, on the team's own resolved swarms) and by the evaluation
(`--ranker app` replays that monthly tuning on the cases before each month): each sample is one past
case's `ranking.case_features` values over a fixed set of directory rows, from the history before it, with
the rows of the people who resolved it. `retune` is the whole decision both make: tune on all but the
newest samples, measure before and after on those, take the new weights only when they rank them at least
as well. The search is coordinate ascent (a few rounds, each weight tried over a ladder of values) on MRR +
top-5, with `centroid` fixed at 1 as the scale, since scaling every weight together changes no order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from expert_finder.models import DEFAULT_WEIGHTS, TUNE_MEASURE_LAST, TUNE_MEASURE_SHARE, TUNE_MIN_SAMPLES
from expert_finder.ranking import relevance

STEPS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.0, 4.0)
ROUNDS = 3
SCALE = "centroid"


@dataclass(frozen=True)
class Sample:
    """One past case: every ranking feature over the same directory rows, who may be ranked, who resolved it."""

    values: dict[str, np.ndarray]
    pool: np.ndarray  # bool per row
    truth: frozenset[int]  # rows of the people credited with the resolution


@dataclass(frozen=True)
class Figures:
    cases: int
    top1: float
    top5: float
    mrr: float

    def as_dict(self) -> dict[str, float]:
        return {"cases": self.cases, "top1": self.top1, "top5": self.top5, "mrr": self.mrr}


@dataclass(frozen=True)
class Stacked:
    """Samples stacked once into samples × rows arrays, so each weight tried in a search costs a few passes."""

    values: dict[str, np.ndarray]
    pool: np.ndarray  # samples × rows, bool
    truth: np.ndarray  # samples × rows, bool: the rows credited with the resolution

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Stacked:
        pool = np.stack([s.pool for s in samples])
        truth = np.zeros(pool.shape, dtype=bool)
        for i, s in enumerate(samples):
            truth[i, list(s.truth)] = True
        return cls({n: np.stack([s.values[n] for s in samples]) for n in samples[0].values}, pool, truth)


def best_ranks(samples: Sequence[Sample] | Stacked, weights: dict[str, float]) -> np.ndarray:
    """Per sample, the 1-based rank of its best-placed resolver (ties counted against it); 0: not ranked."""
    if not isinstance(samples, Stacked):
        if not samples:
            return np.zeros(0, dtype=np.int64)
        samples = Stacked.of(samples)
    scores = np.where(samples.pool, relevance(samples.values, weights), 0.0)
    own = np.where(samples.truth & samples.pool & (scores > 0), scores, -np.inf).max(axis=1)
    ranks = (scores >= own[:, None]).sum(axis=1)
    return np.where(np.isfinite(own), ranks, 0).astype(np.int64)


def figures(samples: Sequence[Sample] | Stacked, weights: dict[str, float]) -> Figures:
    rank = best_ranks(samples, weights)
    if not rank.size:
        return Figures(0, 0.0, 0.0, 0.0)
    hit = rank > 0
    return Figures(
        int(rank.size),
        float(np.mean(hit & (rank <= 1))),
        float(np.mean(hit & (rank <= 5))),
        float(np.mean(np.where(hit, 1.0 / np.maximum(rank, 1), 0.0))),
    )


def tune_weights(samples: Sequence[Sample], start: dict[str, float] | None = None) -> dict[str, float]:
    """Weights that rank the samples' resolvers best (MRR + top-5), from `start` (the defaults)."""
    best = dict(start or DEFAULT_WEIGHTS)
    best[SCALE] = 1.0
    if not samples:
        return best
    samples = Stacked.of(samples)

    def objective(weights: dict[str, float]) -> float:
        f = figures(samples, weights)
        return f.mrr + f.top5

    best_score = objective(best)
    for _ in range(ROUNDS):
        improved = False
        for name in best:
            if name == SCALE:
                continue
            for step in STEPS:
                trial = {**best, name: step}
                score = objective(trial)
                if score > best_score + 1e-9:
                    best, best_score, improved = trial, score, True
        if not improved:
            break
    return best


def needed_samples(min_samples: int = TUNE_MIN_SAMPLES, measure_last: int = TUNE_MEASURE_LAST) -> int:
    """How many resolved cases a tuning needs: enough to tune on beside the ones it measures on."""
    return max(min_samples, measure_last + 10)


@dataclass(frozen=True)
class Retuned:
    """What a tuning decided: the weights to rank with from now on, and the figures it decided on."""

    status: Literal["stored", "kept", "too_few"]
    weights: dict[str, float]
    tuned_on: int = 0
    before: Figures | None = None  # on the held-out newest samples, with the weights in use
    after: Figures | None = None  # the same, with the newly tuned weights


def held_out(samples: int, measure_last: int = TUNE_MEASURE_LAST, share: float = TUNE_MEASURE_SHARE) -> int:
    """How many of the newest samples a tuning is measured on: `share` of them, at least `measure_last`.
    On 15 cases a weighting's top-5 moves 7 points a case, so keep-or-store would be a coin toss; on 60 of
    400, a case moves it under 2."""
    return max(measure_last, round(share * samples))


def retune(
    samples: Sequence[Sample],
    current: dict[str, float],
    *,
    min_samples: int = TUNE_MIN_SAMPLES,
    measure_last: int = TUNE_MEASURE_LAST,
    share: float = TUNE_MEASURE_SHARE,
) -> Retuned:
    """Tune from `current` on all but the newest `held_out` samples (oldest first), measure both on those;
    the new weights are taken ("stored") only when they rank them at least as well (MRR + top-5)."""
    last = held_out(len(samples), measure_last, share)
    train, held = samples[:-last], samples[-last:]
    if len(samples) < needed_samples(min_samples, measure_last) or len(train) < 10:
        return Retuned("too_few", dict(current))
    new = tune_weights(train, current)
    before, after = figures(held, current), figures(held, new)
    if after.mrr + after.top5 < before.mrr + before.top5:
        return Retuned("kept", dict(current), len(train), before, after)
    return Retuned("stored", new, len(train), before, after)

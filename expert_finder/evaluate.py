"""Replay resolved cases through the finder and three baselines; print top-k accuracy and MRR.

    python -m expert_finder.evaluate --data tests/data/support_cases.csv [--split chrono|random]
        [--seed N] [--repeats R] [--json]

The history part (first 80% by time for ``chrono``, a seeded 80% for ``random``) is all any method sees;
the rest is the test. Methods, all in the same run on the same split:

- ``finder``: history-only profiles (`profiles.ProfileModel`: character n-gram and word TF-IDF centroids,
  recency-decayed similar cases, component prior, activity around the case's time and since each person's
  latest case), weights tuned on the history's own tail (never on the test part);
- ``random``: a seeded random order of the people in the history;
- ``frequent``: the most frequent resolver for the case's product/component (overall when absent);
- ``similar``: TF-IDF nearest neighbours over the history (word uni- and bigrams, k=20), summing their
  resolvers' similarity.

A test case whose resolver never appears in the history counts as a miss for every method; how many
there are is printed, with the ceiling they leave (the share of test cases any history-based method can
get right), since no history-based method can find them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from expert_finder.datasets import Dataset, load_dataset
from expert_finder.normalize import expand
from expert_finder.profiles import Cases, ProfileModel, ranks_of, top_k_dense, tune

METHODS = ("finder", "similar", "frequent", "random")
CUTOFFS = (1, 3, 5, 10)
SIMILAR_K = 20
TIME_HALF_LIFE_DAYS = 365.0
POSITION_HALF_LIFE_SHARE = 0.15  # without timestamps, recency is counted in cases: 15% of the data set
FINDER_K = 20


@dataclass(frozen=True)
class Split:
    history: np.ndarray
    test: np.ndarray


def split_indices(n: int, how: str, seed: int, share: float = 0.8) -> Split:
    cut = round(n * share)
    if how == "chrono":
        order = np.arange(n)
    elif how == "random":
        order = np.random.default_rng(seed).permutation(n)
    else:
        raise ValueError(f"unknown split {how!r}")
    return Split(order[:cut], order[cut:])


def _columns(data: Dataset) -> tuple[list[str], list[str], np.ndarray, list[str]]:
    texts = [f"{c.text} {c.product} {c.component}" for c in data.cases]
    keys = [f"{c.product}/{c.component}" if (c.product or c.component) else "" for c in data.cases]
    if data.has_time:
        times = np.array([c.created.timestamp() / 86400.0 for c in data.cases])
    else:
        times = np.arange(len(data.cases), dtype=np.float64)
    return texts, keys, times, [c.resolver for c in data.cases]


def _cases(cols: tuple, idx: np.ndarray, with_people: bool) -> Cases:
    texts, keys, times, people = cols
    return Cases(
        [texts[i] for i in idx], [keys[i] for i in idx], times[idx], [people[i] for i in idx] if with_people else None
    )


def similar_cases_scores(history: Cases, test: Cases, people: list[str], k: int = SIMILAR_K) -> np.ndarray:
    """The baseline: word TF-IDF cosine to each past case, top k, summed per resolver."""
    vec = TfidfVectorizer(preprocessor=expand, ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    h = vec.fit_transform(history.texts)
    sim = top_k_dense((vec.transform(test.texts) @ h.T).toarray(), k)
    where = {p: i for i, p in enumerate(people)}
    owner = np.zeros((len(history.texts), len(people)), dtype=np.float32)
    owner[np.arange(len(history.texts)), [where[p] for p in history.people]] = 1.0
    return sim @ owner


def metrics(scores: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    rank = ranks_of(scores, truth)
    out = {f"top{k}": float(np.mean((rank > 0) & (rank <= k))) for k in CUTOFFS}
    out["mrr"] = float(np.mean(np.where(rank > 0, 1.0 / np.maximum(rank, 1), 0.0)))
    return out


def evaluate_split(data: Dataset, how: str, seed: int) -> dict:
    """One split: every method's figures, plus sizes and unseen-resolver counts."""
    cols = _columns(data)
    split = split_indices(len(data.cases), how, seed)
    history = _cases(cols, split.history, True)
    test = _cases(cols, split.test, True)
    half_life = TIME_HALF_LIFE_DAYS if data.has_time else max(POSITION_HALF_LIFE_SHARE * len(data.cases), 10.0)
    started = time.perf_counter()
    weights = tune(history, k=FINDER_K, half_life=half_life)
    model = ProfileModel(k=FINDER_K, half_life=half_life, weights=weights).fit(history)
    people = model.people
    where = {p: i for i, p in enumerate(people)}
    truth = np.array([where.get(p, -1) for p in test.people])
    rng = np.random.default_rng(seed + 1)
    scores = {
        "finder": model.score(test),
        "similar": similar_cases_scores(history, test, people),
        "frequent": model.features(test)["prior"],
        "random": rng.random((len(test.texts), len(people))),
    }
    unseen = [p for p in test.people if p not in where]
    return {
        "data": data.name,
        "split": how,
        "seed": seed,
        "history_cases": len(split.history),
        "test_cases": len(split.test),
        "people_in_history": len(people),
        "unseen_test_cases": len(unseen),
        "unseen_resolvers": len(set(unseen)),
        "ceiling": 1.0 - len(unseen) / max(len(split.test), 1),
        "finder_weights": weights,
        "seconds": round(time.perf_counter() - started, 2),
        "methods": {name: metrics(scores[name], truth) for name in METHODS},
    }


def evaluate(data: Dataset, how: str, seed: int = 0, repeats: int = 1) -> dict:
    """Figures averaged over `repeats` seeds (seed, seed+1, …); a chronological split has one answer."""
    runs = [evaluate_split(data, how, seed + r) for r in range(1 if how == "chrono" else repeats)]
    result = dict(runs[0])
    if len(runs) > 1:
        result["seed"] = [r["seed"] for r in runs]
        for key in ("unseen_test_cases", "unseen_resolvers", "ceiling", "seconds"):
            result[key] = round(float(np.mean([r[key] for r in runs])), 3)
        result["methods"] = {
            m: {k: float(np.mean([r["methods"][m][k] for r in runs])) for k in runs[0]["methods"][m]} for m in METHODS
        }
        result["finder_weights"] = [r["finder_weights"] for r in runs]
    return result


def format_table(result: dict) -> str:
    lines = [
        f"{result['data']}: {result['split']} split, seed {result['seed']}, "
        f"{result['history_cases']} history / {result['test_cases']} test cases, "
        f"{result['people_in_history']} people in history",
        f"test cases whose resolver never appears in the history: {result['unseen_test_cases']} "
        f"({result['unseen_resolvers']} people); ceiling for any history-based method {result['ceiling']:.3f}",
        f"{'method':<10}" + "".join(f"{f'top-{k}':>8}" for k in CUTOFFS) + f"{'MRR':>8}",
    ]
    for name in METHODS:
        m = result["methods"][name]
        lines.append(f"{name:<10}" + "".join(f"{m[f'top{k}']:>8.3f}" for k in CUTOFFS) + f"{m['mrr']:>8.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m expert_finder.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="generic CSV, or the JDT/GCC zip of shared/reference")
    parser.add_argument("--split", choices=("chrono", "random"), default="chrono")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1, help="random split: average over this many seeds")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    result = evaluate(load_dataset(args.data), args.split, args.seed, args.repeats)
    print(json.dumps(result) if args.json else format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

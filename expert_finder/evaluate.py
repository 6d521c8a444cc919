"""Replay resolved cases through the finder and three baselines; print top-k accuracy and MRR.

    python -m expert_finder.evaluate --data tests/data/support_cases.csv [--split chrono|random|replay]
        [--ranker app|research] [--seed N] [--repeats R] [--refit-every K] [--retune-every T] [--json]
        [--queue-accounts A,B] [--id-col …] [--time-col …] [--text-cols …] [--resolver-col …]

The history part (first 80% by time for ``chrono``, a seeded 80% for ``random``) is all any method sees;
the rest is the test. Methods, all in the same run on the same split:

- ``app`` (``--ranker app``, the default): the app's own `rank_experts`, over the directory as it stood
  before each case (`evaluate_app`), with the weights its monthly self-tuning (`tuning.retune`, the
  decision `case-swarm experts tune` makes) gives it on the cases before: once on the history for
  ``chrono`` and ``random``, and under ``replay`` again at each new month;
- ``app_default``: the same ranking with the built-in weights (the app with tuning off);
- ``finder``: the research model, history-only profiles (`profiles.ProfileModel`: character n-gram and
  word TF-IDF centroids, recency-decayed similar cases, component prior, activity before the case's time
  and since each person's latest case), weights tuned on the history's own tail (never on the test part);
- ``random``: a seeded random order of the people in the history;
- ``frequent``: the most frequent resolver for the case's product/component (overall when absent);
- ``similar``: TF-IDF nearest neighbours over the history (word uni- and bigrams, k=20), summing their
  resolvers' similarity.

No method looks into the future: the time-based evidences read only history cases created before the
case ranked, in every split (random included). The random split is averaged over ``--repeats`` seeds
(5 by default) and reports the spread (standard deviation, min and max) beside each mean.

Queue accounts (`queues`: the default patterns such as ``nobody`` and ``*-inbox``, ``--queue-accounts``,
those a data set names, and accounts detected by a large share across many products) are never ranked by
any method; figures are given over every test case (a case a queue resolved is a miss) and without the
cases they resolved.

``replay`` is the walk-forward chronological replay a support team lives: the test cases are the same
last 20% as ``chrono``, but each is ranked from every case before it, so the history grows through the
test part. Every method (finder and baselines alike) is refitted every ``--refit-every K`` test cases on
all cases before that block (K=1 is exact; a larger K only trades a little freshness for speed). The
research finder's weights are tuned on the initial history's tail exactly as for ``chrono``, then tuned
again every ``--retune-every T`` test cases (at the first block boundary after T more cases), each time on
the tail of the cases before that block alone (T=0 keeps the first weights for the whole replay); the
app's are tuned as the app's monthly job tunes them, at the first block of each month (`evaluate_app`).
No tuning ever sees the block it ranks or any later case. There a test case counts as unseen when its
resolver appears in no case before it.

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

from expert_finder.datasets import Dataset, DatasetError, load_dataset
from expert_finder.evaluate_app import AppPath
from expert_finder.evaluate_report import add_column_flags, average_runs, columns_from, format_table
from expert_finder.normalize import expand
from expert_finder.profiles import SMALL_HISTORY, Cases, ProfileModel, ranks_of, top_k_dense, tune
from expert_finder.queues import DEFAULT_PATTERNS, queue_accounts
from expert_finder.tfidf import CountedTexts, TermSpec, product

METHODS = ("app", "app_default", "finder", "similar", "frequent", "random")
RESEARCH_METHODS = METHODS[2:]
CUTOFFS = (1, 3, 5, 10)
SIMILAR_K = 20
TIME_HALF_LIFE_DAYS = 365.0
POSITION_HALF_LIFE_SHARE = 0.15  # without timestamps, recency is counted in cases: 15% of the data set
FINDER_K = 20
MIN_CASES = 20  # below this, an 80/20 split leaves too few cases to learn from or to measure
RETUNE_EVERY = 50  # replay: tune the finder's weights again after this many more test cases


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


SIMILAR_TERMS = TermSpec("word", (1, 2))  # words and word pairs, every one kept


def similar_cases_scores(
    history: Cases, test: Cases, people: list[str], k: int = SIMILAR_K, counted: CountedTexts | None = None
) -> np.ndarray:
    """The baseline: word TF-IDF cosine to each past case, top k, summed per resolver.

    `counted`: `SIMILAR_TERMS` counts over a superset of the texts (a replay's refits slice them)."""
    vec = (counted or CountedTexts(SIMILAR_TERMS, [*history.texts, *test.texts])).fit(history.texts)
    h = vec.transform(history.texts)
    sim = top_k_dense(product(vec.transform(test.texts), h.transposed()), k)
    where = {p: i for i, p in enumerate(people)}
    owner = np.zeros((len(history.texts), len(people)), dtype=np.float32)
    owner[np.arange(len(history.texts)), [where[p] for p in history.people]] = 1.0
    return sim @ owner


def metrics(scores: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    return rank_metrics(ranks_of(scores, truth))


def rank_metrics(rank: np.ndarray) -> dict[str, float]:
    """Top-k accuracy and MRR from 1-based ranks (0: the resolver was not rankable, a miss)."""
    out = {f"top{k}": float(np.mean((rank > 0) & (rank <= k))) for k in CUTOFFS}
    out["mrr"] = float(np.mean(np.where(rank > 0, 1.0 / np.maximum(rank, 1), 0.0)))
    return out


def _half_life(data: Dataset) -> float:
    return TIME_HALF_LIFE_DAYS if data.has_time else max(POSITION_HALF_LIFE_SHARE * len(data.cases), 10.0)


def _queues(data: Dataset, history: np.ndarray, people: list[str], patterns: tuple[str, ...]) -> frozenset[str]:
    """Queue accounts among the history's people: named by patterns or the data set, or detected."""
    named = (*DEFAULT_PATTERNS, *sorted(data.queue_accounts), *patterns)
    cases = [data.cases[int(i)] for i in history]
    return queue_accounts(people, [c.resolver for c in cases], [c.product for c in cases], named)


def _research_ranks(scores: dict[str, np.ndarray], truth: np.ndarray, queue_cols: list[int]) -> dict:
    """Ranks per research method and baseline, with queue accounts never ranked."""
    out = {}
    for name, m in scores.items():
        if queue_cols:
            m = m.astype(np.float64, copy=True)
            m[:, queue_cols] = -np.inf
        out[name] = ranks_of(m, truth)
    return out


def _figures(ranks: dict[str, np.ndarray], queue_case: np.ndarray) -> dict:
    """Metrics per method over every test case, and (when queues resolved some) without those cases."""
    out = {"methods": {name: rank_metrics(r) for name, r in ranks.items()}, "queue_test_cases": int(queue_case.sum())}
    if queue_case.any():
        out["methods_without_queue"] = {name: rank_metrics(r[~queue_case]) for name, r in ranks.items()}
    return out


def evaluate_split(data: Dataset, how: str, seed: int, ranker: str = "app", patterns: tuple[str, ...] = ()) -> dict:
    """One split: every method's figures, plus sizes and unseen-resolver counts."""
    cols = _columns(data)
    split = split_indices(len(data.cases), how, seed)
    history = _cases(cols, split.history, True)
    test = _cases(cols, split.test, True)
    half_life = _half_life(data)
    started = time.perf_counter()
    counted = ProfileModel.count_texts(cols[0]) if len(split.history) >= SMALL_HISTORY else None
    weights = tune(history, k=FINDER_K, half_life=half_life, counted=counted)
    model = ProfileModel(k=FINDER_K, half_life=half_life, weights=weights, counted=counted).fit(history)
    people = model.people
    where = {p: i for i, p in enumerate(people)}
    queues = _queues(data, split.history, people, patterns)
    truth = np.array([where.get(p, -1) if p not in queues else -1 for p in test.people])
    rng = np.random.default_rng(seed + 1)
    scores = {
        "finder": model.score(test),
        "similar": similar_cases_scores(history, test, people),
        "frequent": model.features(test)["prior"],
        "random": rng.random((len(test.texts), len(people))),
    }
    ranks = _research_ranks(scores, truth, sorted(where[q] for q in queues))
    app_tunings = []
    if ranker == "app":
        app = AppPath(data, half_life, queues).rank_split(split.history, split.test)
        ranks, app_tunings = {**app.ranks(), **ranks}, app.tunings
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
        "queue_accounts": sorted(queues),
        "finder_weights": weights,
        "app_weights": app_tunings[0]["weights"] if app_tunings else None,
        "app_tunings": app_tunings,
        "seconds": round(time.perf_counter() - started, 2),
        **_figures(ranks, np.array([p in queues for p in test.people], dtype=bool)),
    }


def evaluate_replay(
    data: Dataset,
    seed: int = 0,
    refit_every: int = 10,
    retune_every: int = RETUNE_EVERY,
    ranker: str = "app",
    patterns: tuple[str, ...] = (),
) -> dict:
    """Walk-forward replay over the last 20%: each block of `refit_every` test cases is ranked by models
    fitted on every case before the block; the finder's weights are tuned on the initial history, then
    again on the cases before a block every `retune_every` test cases (0: never again); the app's monthly."""
    if refit_every < 1:
        raise ValueError("refit_every must be at least 1")
    if retune_every < 0:
        raise ValueError("retune_every must be 0 or more")
    cols = _columns(data)
    n = len(data.cases)
    cut = len(split_indices(n, "chrono", seed).history)
    people_all = cols[3]
    half_life = _half_life(data)
    started = time.perf_counter()
    # Tokenise and count every text once; each refit then fits its TF-IDF on the prefix's counts alone.
    counted = ProfileModel.count_texts(cols[0])
    first_weights = weights = tune(_cases(cols, np.arange(cut), True), k=FINDER_K, half_life=half_life,
                                   counted=counted)
    queues = _queues(data, np.arange(cut), sorted(set(people_all[:cut])), patterns)
    tunings = [{"before_case": cut, "weights": weights}]
    rng = np.random.default_rng(seed + 1)
    similar_counted = CountedTexts(SIMILAR_TERMS, cols[0])
    ranks: dict[str, list[np.ndarray]] = {name: [] for name in RESEARCH_METHODS}
    refits = 0
    lagged = 0  # resolver seen before the case but not before its block: a miss that only K > 1 causes
    people_in_history = 0
    for start in range(cut, n, refit_every):
        stop = min(start + refit_every, n)
        history = _cases(cols, np.arange(start), True)
        if retune_every and start - tunings[-1]["before_case"] >= retune_every:
            weights = tune(history, k=FINDER_K, half_life=half_life, counted=counted)
            tunings.append({"before_case": start, "weights": weights})
        block = _cases(cols, np.arange(start, stop), True)
        model = ProfileModel(k=FINDER_K, half_life=half_life, weights=weights, counted=counted).fit(history)
        refits += 1
        people = model.people
        people_in_history = people_in_history or len(people)
        where = {p: i for i, p in enumerate(people)}
        truth = np.array([where.get(p, -1) if p not in queues else -1 for p in block.people])
        lagged += sum(
            1 for i in range(start, stop) if people_all[i] not in where and people_all[i] in people_all[start:i]
        )
        feats = model.features(block)
        scores = {
            "finder": model.score(block, feats),
            "similar": similar_cases_scores(history, block, people, counted=similar_counted),
            "frequent": feats["prior"],
            "random": rng.random((stop - start, len(people))),
        }
        for name, r in _research_ranks(scores, truth, sorted(where[q] for q in queues if q in where)).items():
            ranks[name].append(r)
    app = AppPath(data, half_life, queues).replay(cut, refit_every) if ranker == "app" else None
    seen = set(people_all[:cut])
    unseen = []
    for person in people_all[cut:]:
        if person not in seen:
            unseen.append(person)
            seen.add(person)
    test_cases = n - cut
    return {
        "data": data.name,
        "split": "replay",
        "seed": seed,
        "refit_every": refit_every,
        "refits": refits,
        "retune_every": retune_every,
        "tunings": tunings,
        "history_cases": cut,
        "test_cases": test_cases,
        "people_in_history": people_in_history,
        "unseen_test_cases": len(unseen),
        "unseen_resolvers": len(set(unseen)),
        "ceiling": 1.0 - len(unseen) / max(test_cases, 1),
        "missed_by_refit_lag": lagged,
        "queue_accounts": sorted(queues),
        "finder_weights": first_weights,
        "app_weights": app.tunings[0]["weights"] if app else None,
        "app_tunings": app.tunings if app else [],
        "seconds": round(time.perf_counter() - started, 2),
        **_figures(
            {**(app.ranks() if app else {}),
             **{name: np.concatenate(r) if r else np.zeros(0, dtype=np.int64) for name, r in ranks.items()}},
            np.array([p in queues for p in people_all[cut:]], dtype=bool),
        ),
    }


def evaluate(
    data: Dataset,
    how: str,
    seed: int = 0,
    repeats: int = 5,
    refit_every: int = 10,
    retune_every: int = RETUNE_EVERY,
    ranker: str = "app",
    patterns: tuple[str, ...] = (),
) -> dict:
    """Figures of one split; a random split is averaged over `repeats` seeds (seed, seed+1, …) with its spread."""
    if len(data.cases) < MIN_CASES:
        raise DatasetError(f"{data.name}: {len(data.cases)} cases; at least {MIN_CASES} are needed to evaluate")
    seen: set[str] = set()
    if not any(w in seen or seen.add(w) for c in data.cases for w in set(expand(c.text).split())):
        raise DatasetError(f"{data.name}: the case texts share too few words to learn from")
    try:
        if how == "replay":
            return evaluate_replay(data, seed, refit_every, retune_every, ranker, patterns)
        runs = [evaluate_split(data, how, seed + r, ranker, patterns) for r in range(1 if how == "chrono" else repeats)]
    except ValueError as exc:
        if "empty vocabulary" in str(exc) or "no terms remain" in str(exc):  # tfidf: no shared term
            raise DatasetError(f"{data.name}: the case texts share too few words to learn from") from None
        raise
    return runs[0] if len(runs) == 1 else average_runs(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m expert_finder.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a CSV (generic, or any columns named by the flags below), "
                        "or the JDT/GCC zip of shared/reference")
    parser.add_argument("--split", choices=("chrono", "random", "replay"), default="chrono")
    parser.add_argument("--ranker", choices=("app", "research"), default="app",
                        help="app: also rank with the app's own rank_experts (default); research: the models only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5, help="random split: average over this many seeds")
    parser.add_argument(
        "--refit-every", type=int, default=10, help="replay split: refit every method every K test cases (1: exact)"
    )
    parser.add_argument(
        "--retune-every",
        type=int,
        default=RETUNE_EVERY,
        help="replay split: tune the finder's weights again, on the cases before, every T test cases (0: once)",
    )
    parser.add_argument("--queue-accounts", default="", help="comma-separated queue account ids or glob patterns")
    parser.add_argument("--no-morphemes", action="store_true", help="leave Korean words whole (no kiwipiepy)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    add_column_flags(parser)
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error("--seed must be 0 or more")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.refit_every < 1:
        parser.error("--refit-every must be at least 1")
    if args.retune_every < 0:
        parser.error("--retune-every must be 0 (tune once) or more")
    if args.no_morphemes:
        from expert_finder.normalize import use_morphemes

        use_morphemes(False)
    patterns = tuple(p.strip() for p in args.queue_accounts.split(",") if p.strip())
    try:
        data = load_dataset(args.data, columns_from(args))
        result = evaluate(
            data, args.split, args.seed, args.repeats, args.refit_every, args.retune_every, args.ranker, patterns
        )
    except DatasetError as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

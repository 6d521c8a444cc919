"""History-only expert profiles, for data without a skills directory (bug trackers, old case exports).

Each resolver's profile is learnt from the cases they resolved: TF-IDF centroids of their texts (character
n-grams and words), their share of each product/component, and when they were active. A new case is scored
by six evidences, combined with weights chosen on a held-out slice of the history itself:

- ``centroid``: cosine of the case with the resolver's character n-gram TF-IDF centroid;
- ``words``: the same with a word TF-IDF centroid (words and character n-grams err differently);
- ``knn``: similar past cases (top k), each adding similarity × recency decay to its resolver, the same
  evidence `history.gather` gives `rank_experts` (similarity × kind weight × decay);
- ``prior``: the resolver's share of past cases with this product/component;
- ``recency``: the resolver's decayed count of cases before the case's time (people join and leave);
- ``active``: decay on the time since the resolver's latest case before this one (who stopped resolving
  is unlikely to resolve the next one).

No look into the future: the time-based evidences (``knn``, ``recency``, ``active``) read only history
cases created strictly before the case being scored, whatever the split. This is the history model the
app ranks with (`expert_finder.history.HistoryIndex` fits it on the team's past swarms), so the figures
of the evaluation are the app's.

Everything is sparse/dense matrix products over test × history (`tfidf`: numpy alone, through inverted
indexes); nothing loops over pairs in Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from expert_finder.tfidf import CountedTexts, Rows, TermSpec, product

FEATURES = ("centroid", "words", "knn", "prior", "recency", "active")
DEFAULT_WEIGHTS = {"centroid": 1.0, "words": 1.0, "knn": 0.1, "prior": 0.0, "recency": 0.0, "active": 0.1, "gate": 0.0}
# Coordinate ascent over these values, `centroid` fixed at 1 (the scale), a few rounds: cheap and stable.
WEIGHT_STEPS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.0)
TUNE_ROUNDS = 3
ACTIVE_HALF_LIFE_SHARE = 0.5  # of the model's half-life


@dataclass(frozen=True)
class Cases:
    """The columns the model needs, aligned: text, product/component key, time (days or position)."""

    texts: Sequence[str]
    keys: Sequence[str]
    times: np.ndarray  # float days (or case positions when the data has no timestamps)
    people: Sequence[str] | None = None  # resolver per case (history only)
    weights: np.ndarray | None = None  # how much each history row counts (the app: by kind of help); 1 if None


SMALL_HISTORY = 50  # below this many cases a term seen once still counts (min_df 1), so a new team learns
MAX_FEATURES = 200_000


def char_terms(min_df: int = 2) -> TermSpec:
    """Character 2-4-grams within word boundaries: Korean, mixed text, typos and plurals meet."""
    return TermSpec("char_wb", (2, 4), min_df, MAX_FEATURES)


def word_terms(min_df: int = 2) -> TermSpec:
    return TermSpec("word", (1, 1), min_df, MAX_FEATURES)


def top_k_dense(sim: np.ndarray, k: int) -> np.ndarray:
    """Keep each row's k largest values, zero the rest."""
    if sim.shape[1] <= k:
        return sim
    keep = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    out = np.zeros_like(sim)
    rows = np.arange(sim.shape[0])[:, None]
    out[rows, keep] = sim[rows, keep]
    return out


def _row_max_scaled(m: np.ndarray) -> np.ndarray:
    peak = m.max(axis=1, keepdims=True)
    return np.divide(m, peak, out=np.zeros_like(m), where=peak > 0)


class ProfileModel:
    """Fit on a history of resolved cases; score new cases against every resolver seen in it."""

    def __init__(
        self,
        *,
        k: int = 20,
        half_life: float = 365.0,
        weights: dict[str, float] | None = None,
        counted: tuple[CountedTexts, CountedTexts] | None = None,
    ):
        """`counted`: (char, word) `CountedTexts` over a superset of the texts, from `count_texts`, so that
        refitting on many subsets (a walk-forward replay) slices counts instead of re-tokenising."""
        self.k = k
        self.half_life = half_life
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.counted = counted

    @staticmethod
    def count_texts(texts: Sequence[str], min_df: int = 2) -> tuple[CountedTexts, CountedTexts]:
        return CountedTexts(char_terms(min_df), texts), CountedTexts(word_terms(min_df), texts)

    def fit(self, history: Cases) -> ProfileModel:
        assert history.people is not None
        self.people = sorted(set(history.people))
        index = {p: i for i, p in enumerate(self.people)}
        labels = np.array([index[p] for p in history.people], dtype=np.int64)
        n = len(labels)
        row_w = np.ones(n) if history.weights is None else np.asarray(history.weights, dtype=np.float64)
        counted = self.counted or self.count_texts(history.texts, 1 if n < SMALL_HISTORY else 2)
        self.vectorizer, self.word_vectorizer = (c.fit(history.texts) for c in counted)
        # A person's centroid is the L2-normalised weighted sum of their rows, so a case's cosine with it is
        # the weighted sum of its cosines with those rows over that sum's norm: only the norms are kept, and
        # the case is scored against the rows alone, through inverted indexes (per term, the rows holding it).
        matrix = self.vectorizer.transform(history.texts)
        words = self.word_vectorizer.transform(history.texts)
        self.centroid_norms = matrix.summed_by(labels, row_w, len(self.people)).row_norms()
        self.word_centroid_norms = words.summed_by(labels, row_w, len(self.people)).row_norms()
        self.matrix_t, self.word_matrix_t = matrix.transposed(), words.transposed()
        self.times = np.asarray(history.times, dtype=np.float64)
        self.labels, self.row_weights = labels, row_w
        # History rows grouped by person, so per-person sums and maxima are one reduceat over columns.
        self.by_person = np.argsort(labels, kind="stable")
        self.person_starts = np.searchsorted(labels[self.by_person], np.arange(len(self.people)))
        keys = sorted({k for k in history.keys if k})
        self.key_index = {k: i for i, k in enumerate(keys)}
        key_rows = np.array([self.key_index.get(k, -1) for k in history.keys], dtype=np.int64)
        has = key_rows >= 0
        counts = np.zeros((len(keys), len(self.people)))
        np.add.at(counts, (key_rows[has], labels[has]), row_w[has])
        # Additive smoothing toward the overall share, so a rare component still says something.
        overall = np.bincount(labels, weights=row_w, minlength=len(self.people)) / max(row_w.sum(), 1e-9)
        self.key_prior = (counts + 2.0 * overall) / (counts.sum(axis=1, keepdims=True) + 2.0)
        self.overall = overall
        return self

    def _per_person(self, m: np.ndarray, reduce=np.add) -> np.ndarray:
        """cases × history rows → cases × people, summing (or with `np.maximum`, taking the max of) each
        person's rows."""
        return reduce.reduceat(m[:, self.by_person], self.person_starts, axis=1)

    def features(
        self,
        cases: Cases,
        x: Rows | None = None,
        half_life: float | None = None,
        similarity: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Each evidence as a cases × people matrix scaled to 0-1 per row; `x`: `transform(cases.texts)`,
        `similarity`: `similarity(x)`, when the caller has them already."""
        x = self.vectorizer.transform(cases.texts) if x is None else x
        half_life = half_life or self.half_life
        at = np.asarray(cases.times, dtype=np.float64)[:, None]
        age = at - self.times[None, :]
        before = age > 0  # only cases created before the one scored: no look into the future
        cosine = self.similarity(x) if similarity is None else similarity
        sim = np.where(before, cosine, 0.0)
        decay = np.where(before, np.exp(-math.log(2) * np.maximum(age, 0.0) / half_life), 0.0)
        decay = decay * self.row_weights[None, :]
        knn = top_k_dense(sim, self.k) * decay
        rows = np.array([self.key_index.get(k, -1) for k in cases.keys], dtype=np.int64)
        prior = np.tile(self.overall, (len(rows), 1))
        known = rows >= 0
        prior[known] = self.key_prior[rows[known]]
        last = self._per_person(np.where(before, self.times[None, :], -np.inf), np.maximum)
        active = np.exp(-math.log(2) * np.maximum(at - last, 0.0) / (ACTIVE_HALF_LIFE_SHARE * half_life))
        return {
            "centroid": self._centroid_cosine(cosine, self.centroid_norms),
            "words": self._centroid_cosine(
                product(self.word_vectorizer.transform(cases.texts), self.word_matrix_t), self.word_centroid_norms
            ),
            "knn": _row_max_scaled(self._per_person(knn)),
            "prior": _row_max_scaled(prior),
            "recency": _row_max_scaled(self._per_person(decay)),
            "active": _row_max_scaled(np.where(np.isfinite(last), active, 0.0)),
        }

    def _centroid_cosine(self, cosine: np.ndarray, norms: np.ndarray) -> np.ndarray:
        """cases × people cosine with each person's centroid, from the cases × rows cosine with their rows."""
        sums = self._per_person(cosine * self.row_weights[None, :])
        return np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)

    def similarity(self, x: Rows) -> np.ndarray:
        """Cosine of each vectorised case with every history case (rows are L2-normalised by TF-IDF)."""
        return product(x, self.matrix_t)

    def score(self, cases: Cases, features: dict[str, np.ndarray] | None = None) -> np.ndarray:
        return combine(features or self.features(cases), self.weights)


def combine(features: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Weighted sum of the evidences, times recency ** gate: someone who stopped resolving fades out."""
    total = sum(weights.get(name, 0.0) * features[name] for name in FEATURES)
    gate = weights.get("gate", 0.0)
    return total * (features["recency"] + 1e-3) ** gate if gate else total


def tune(
    history: Cases,
    *,
    k: int,
    half_life: float,
    holdout: float = 0.2,
    counted: tuple[CountedTexts, CountedTexts] | None = None,
) -> dict[str, float]:
    """Choose the evidence weights on the last `holdout` of the history (by its order), by MRR + top-5.

    Only the history is looked at, so the test part stays unseen; the history's own order is the time
    order for a chronological split and a shuffled order for a random one. The search is coordinate
    ascent from `centroid` alone, each other weight (and the gate) tried over `WEIGHT_STEPS` in turn.
    `counted`: as for `ProfileModel`, counts over a superset of the texts (used from SMALL_HISTORY cases on).
    """
    assert history.people is not None
    n = len(history.texts)
    cut = int(n * (1 - holdout))
    if cut < 20 or n - cut < 10:
        return dict(DEFAULT_WEIGHTS)
    head = Cases(history.texts[:cut], history.keys[:cut], history.times[:cut], history.people[:cut])
    tail = Cases(history.texts[cut:], history.keys[cut:], history.times[cut:], history.people[cut:])
    model = ProfileModel(k=k, half_life=half_life, counted=counted if cut >= SMALL_HISTORY else None).fit(head)
    feats = model.features(tail)
    where = {p: i for i, p in enumerate(model.people)}
    truth = np.array([where.get(p, -1) for p in tail.people])

    def objective(weights: dict[str, float]) -> float:
        rank = ranks_of(combine(feats, weights), truth)
        return float(np.mean(np.where(rank > 0, 1.0 / np.maximum(rank, 1), 0.0)) + np.mean((rank > 0) & (rank <= 5)))

    best = {name: 0.0 for name in (*FEATURES, "gate")}
    best["centroid"] = 1.0
    best_score = objective(best)
    for _ in range(TUNE_ROUNDS):
        for name in best:
            if name == "centroid":
                continue
            for step in WEIGHT_STEPS:
                trial = {**best, name: step}
                score = objective(trial)
                if score > best_score + 1e-9:
                    best, best_score = trial, score
    return best


def ranks_of(scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """1-based rank of the true column per row (ties counted pessimistically); 0 where truth is -1."""
    rows = np.arange(scores.shape[0])
    own = scores[rows, np.maximum(truth, 0)]
    rank = (scores > own[:, None]).sum(axis=1) + (scores == own[:, None]).sum(axis=1)
    return np.where(truth >= 0, rank, 0)


def reciprocal_rank(scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
    rank = ranks_of(scores, truth)
    return np.where(rank > 0, 1.0 / np.maximum(rank, 1), 0.0)

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

Everything is sparse/dense matrix products over test × history; nothing loops over pairs in Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from expert_finder.normalize import expand

if TYPE_CHECKING:  # scikit-learn and scipy load on the first fit, not when the app imports the finder
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

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


class CountedTexts:
    """Texts tokenised and counted once, so that fitting `vectorizer` on any subset of them is a slice.

    The counting vocabulary covers every text but is only a column index: `fit` keeps the columns the
    subset itself selects (min_df, max_features) and learns the IDF from the subset alone, which gives
    the same matrix as fitting `vectorizer` on those texts (a walk-forward replay refits on growing
    prefixes; re-tokenising them each time is what costs).
    """

    def __init__(self, vectorizer: TfidfVectorizer, texts: Sequence[str]):
        from sklearn.feature_extraction.text import CountVectorizer

        params = vectorizer.get_params()
        if params["max_df"] != 1.0 or not isinstance(params["min_df"], int):
            raise ValueError("CountedTexts supports an integer min_df and no max_df")
        self.min_df, self.max_features = params["min_df"], params["max_features"]
        self.tfidf = {k: params[k] for k in ("norm", "use_idf", "smooth_idf", "sublinear_tf")}
        count_keys = CountVectorizer().get_params()
        counter = CountVectorizer(
            **{**{k: v for k, v in params.items() if k in count_keys}, "min_df": 1, "max_features": None}
        )
        self.counter = counter
        self.counts = counter.fit_transform(texts).tocsr()
        self.row = {text: i for i, text in enumerate(texts)}

    def rows(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Counts of `texts`; one not counted before (a query worded otherwise) is counted now, over the
        same columns: a term no counted text has is in no subset's vocabulary either."""
        from scipy import sparse

        if all(t in self.row for t in texts):
            return self.counts[[self.row[t] for t in texts]]
        return sparse.vstack([self.counts[self.row[t]] if t in self.row else self.counter.transform([t])
                              for t in texts]).tocsr()

    def fit(self, texts: Sequence[str]) -> SubsetTfidf:
        counts = self.rows(texts)
        cols = np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]) >= self.min_df)
        if self.max_features is not None and len(cols) > self.max_features:
            totals = np.asarray(counts[:, cols].sum(axis=0)).ravel()
            cols = np.sort(cols[np.argsort(-totals, kind="stable")[: self.max_features]])
        if not len(cols):  # what the vectoriser itself says in this case
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
        from sklearn.feature_extraction.text import TfidfTransformer

        return SubsetTfidf(self, cols, TfidfTransformer(**self.tfidf).fit(counts[:, cols]))


class SubsetTfidf:
    """A TF-IDF vectoriser fitted through `CountedTexts.fit`; transforms texts counted there."""

    def __init__(self, counted: CountedTexts, cols: np.ndarray, transformer: TfidfTransformer):
        self.counted, self.cols, self.transformer = counted, cols, transformer

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.transformer.transform(self.counted.rows(texts)[:, self.cols]).tocsr()

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.transform(texts)


SMALL_HISTORY = 50  # below this many cases a term seen once still counts (min_df 1), so a new team learns


def make_vectorizer(**overrides) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    options = {
        "analyzer": "char_wb",
        "ngram_range": (2, 4),
        "sublinear_tf": True,
        "min_df": 1,
        "max_features": 200_000,
        "dtype": np.float32,
    }
    options.update(overrides)
    return TfidfVectorizer(preprocessor=expand, **options)


def char_vectorizer(min_df: int = 2) -> TfidfVectorizer:
    return make_vectorizer(min_df=min_df)


def word_vectorizer(min_df: int = 2) -> TfidfVectorizer:
    return make_vectorizer(analyzer="word", ngram_range=(1, 1), min_df=min_df)


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
    def count_texts(texts: Sequence[str]) -> tuple[CountedTexts, CountedTexts]:
        return CountedTexts(char_vectorizer(), texts), CountedTexts(word_vectorizer(), texts)

    def fit(self, history: Cases) -> ProfileModel:
        from scipy import sparse
        from sklearn.preprocessing import normalize as l2_normalize

        assert history.people is not None
        self.people = sorted(set(history.people))
        index = {p: i for i, p in enumerate(self.people)}
        labels = np.array([index[p] for p in history.people], dtype=np.int64)
        n = len(labels)
        row_w = np.ones(n) if history.weights is None else np.asarray(history.weights, dtype=np.float64)
        owner = sparse.csr_matrix((row_w.astype(np.float32), (np.arange(n), labels)), (n, len(self.people)))
        if self.counted is None:
            min_df = 1 if n < SMALL_HISTORY else 2
            self.vectorizer, self.word_vectorizer = char_vectorizer(min_df), word_vectorizer(min_df)
        else:
            self.vectorizer, self.word_vectorizer = (c.fit(history.texts) for c in self.counted)
        self.matrix = self.vectorizer.fit_transform(history.texts).tocsr()
        self.centroids = l2_normalize(owner.T @ self.matrix).tocsr()
        self.word_centroids = l2_normalize(owner.T @ self.word_vectorizer.fit_transform(history.texts)).tocsr()
        # Transposed once here: `x @ m.T` would convert the whole matrix again on every case scored.
        self.matrix_t, self.centroids_t, self.word_centroids_t = (
            m.T.tocsr() for m in (self.matrix, self.centroids, self.word_centroids)
        )
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
        x: sparse.csr_matrix | None = None,
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
        sim = np.where(before, self.similarity(x) if similarity is None else similarity, 0.0)
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
            "centroid": (x @ self.centroids_t).toarray(),
            "words": (self.word_vectorizer.transform(cases.texts) @ self.word_centroids_t).toarray(),
            "knn": _row_max_scaled(self._per_person(knn)),
            "prior": _row_max_scaled(prior),
            "recency": _row_max_scaled(self._per_person(decay)),
            "active": _row_max_scaled(np.where(np.isfinite(last), active, 0.0)),
        }

    def similarity(self, x: sparse.csr_matrix) -> np.ndarray:
        """Cosine of each vectorised case with every history case (rows are L2-normalised by TF-IDF)."""
        return (x @ self.matrix_t).toarray()

    def score(self, cases: Cases, features: dict[str, np.ndarray] | None = None) -> np.ndarray:
        return combine(features or self.features(cases), self.weights)


def combine(features: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Weighted sum of the evidences, times recency ** gate: someone who stopped resolving fades out."""
    total = sum(weights.get(name, 0.0) * features[name] for name in FEATURES)
    gate = weights.get("gate", 0.0)
    return total * (features["recency"] + 1e-3) ** gate if gate else total


def tune(history: Cases, *, k: int, half_life: float, holdout: float = 0.2) -> dict[str, float]:
    """Choose the evidence weights on the last `holdout` of the history (by its order), by MRR + top-5.

    Only the history is looked at, so the test part stays unseen; the history's own order is the time
    order for a chronological split and a shuffled order for a random one. The search is coordinate
    ascent from `centroid` alone, each other weight (and the gate) tried over `WEIGHT_STEPS` in turn.
    """
    assert history.people is not None
    n = len(history.texts)
    cut = int(n * (1 - holdout))
    if cut < 20 or n - cut < 10:
        return dict(DEFAULT_WEIGHTS)
    head = Cases(history.texts[:cut], history.keys[:cut], history.times[:cut], history.people[:cut])
    tail = Cases(history.texts[cut:], history.keys[cut:], history.times[cut:], history.people[cut:])
    model = ProfileModel(k=k, half_life=half_life).fit(head)
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

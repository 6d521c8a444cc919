"""Who helped on similar past cases: TF-IDF over past case texts, weighted by what they did and how long ago.

Character n-grams (within word boundaries) serve Korean, which has no spaces inside compounds and
inflects by suffix, and mixed English/Korean text, as well as English typos and plurals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from expert_finder.models import NEGATIVE_KINDS, PastHelp
from expert_finder.normalize import expand


def make_vectorizer(**overrides) -> TfidfVectorizer:
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


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


@dataclass
class HistoryIndex:
    """History prepared once (vectoriser fitted, cases vectorised) so that each ranking is one sparse product."""

    vectorizer: TfidfVectorizer | None
    case_matrix: sparse.csr_matrix  # one row per distinct past case
    row_case: np.ndarray  # per PastHelp row: index of its case row
    users: list[str]  # distinct user ids
    row_user_code: np.ndarray  # per PastHelp row: index into users
    row_kind: list[str]
    row_at: np.ndarray  # per PastHelp row: POSIX seconds

    @classmethod
    def build(cls, history: Sequence[PastHelp]) -> HistoryIndex:
        case_ids: dict[str, int] = {}
        texts: list[str] = []
        row_case = np.empty(len(history), dtype=np.int64)
        for i, item in enumerate(history):
            if item.case_key not in case_ids:
                case_ids[item.case_key] = len(texts)
                texts.append(f"{item.text} {item.product}")
            row_case[i] = case_ids[item.case_key]
        user_ids: dict[str, int] = {}
        for item in history:
            user_ids.setdefault(item.user_id, len(user_ids))
        vectorizer = None
        matrix = sparse.csr_matrix((0, 0), dtype=np.float32)
        if any(t.strip() for t in texts):
            vectorizer = make_vectorizer()
            matrix = vectorizer.fit_transform(texts).tocsr()
        return cls(
            vectorizer=vectorizer,
            case_matrix=matrix,
            row_case=row_case,
            users=list(user_ids),
            row_user_code=np.array([user_ids[h.user_id] for h in history], dtype=np.int64),
            row_kind=[h.kind for h in history],
            row_at=np.array([_aware(h.at).timestamp() for h in history], dtype=np.float64),
        )

    def similarities(self, text: str) -> np.ndarray:
        """Cosine similarity of `text` with every past case (rows are L2-normalised by TF-IDF)."""
        if self.vectorizer is None or not text.strip():
            return np.zeros(self.case_matrix.shape[0], dtype=np.float32)
        query = self.vectorizer.transform([text])
        return np.asarray((self.case_matrix @ query.T).todense()).ravel()


@dataclass(frozen=True)
class HistoryEvidence:
    score: float  # positive evidence: similarity × kind weight × decay, summed
    similar_cases: int  # distinct similar cases where they did something positive
    days_ago: int | None  # age of the latest of those
    declines: int  # declined or ignored invitations (any case) in the last half-life
    availability: float  # multiplier below 1 when they often decline


def gather(
    index: HistoryIndex,
    text: str,
    *,
    now: datetime,
    half_life_days: float,
    kind_weights: dict[str, float],
    min_similarity: float,
) -> dict[str, HistoryEvidence]:
    """Per user, the evidence that they help on cases like `text` (vectorised over history rows)."""
    if not index.users:
        return {}
    sims = index.similarities(text)[index.row_case]
    age_days = np.maximum((_aware(now).timestamp() - index.row_at) / 86400.0, 0.0)
    decay = np.exp(-math.log(2) * age_days / max(half_life_days, 1e-6))
    kind_w = np.array([kind_weights.get(k, 0.0) for k in index.row_kind], dtype=np.float64)
    negative = np.array([k in NEGATIVE_KINDS for k in index.row_kind])
    positive = (kind_w > 0) & (sims >= min_similarity)
    contribution = np.where(positive, sims * kind_w * decay, 0.0)
    penalty = np.where(negative, kind_w * decay, 0.0)
    recent_decline = negative & (age_days <= half_life_days)

    users = index.row_user_code
    n_users = len(index.users)
    score = np.bincount(users, weights=contribution, minlength=n_users)
    penalty_sum = np.bincount(users, weights=penalty, minlength=n_users)
    declines = np.bincount(users, weights=recent_decline.astype(np.float64), minlength=n_users)
    min_age = np.full(n_users, np.inf)
    np.minimum.at(min_age, users[positive], age_days[positive])
    pairs = np.unique(users[positive].astype(np.int64) * (index.case_matrix.shape[0] + 1) + index.row_case[positive])
    cases = np.bincount(pairs // (index.case_matrix.shape[0] + 1), minlength=n_users)
    out: dict[str, HistoryEvidence] = {}
    for u in np.flatnonzero((score > 0) | (penalty_sum < 0)):
        out[index.users[u]] = HistoryEvidence(
            score=float(score[u]),
            similar_cases=int(cases[u]),
            days_ago=None if math.isinf(min_age[u]) else int(min_age[u]),
            declines=int(declines[u]),
            availability=float(max(0.5, 1.0 + penalty_sum[u])),
        )
    return out

"""History evidence for one case, as arrays over directory rows.

The history model (`HistoryIndex.model`) scores everyone it knows for the case; here those scores land in
arrays aligned with a `DirectoryIndex` (0 for people with no history), beside availability (lowered by
recent declines), and the words of a suggestion's history reason (similar cases, how long ago) are worked
out only for the few suggestions shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from expert_finder.history import HistoryIndex, days
from expert_finder.models import HISTORY_FEATURES
from expert_finder.profiles import Cases


@dataclass(frozen=True)
class HistoryEvidence:
    """What a suggestion's reasons say about someone's past: similar cases helped on, recent declines."""

    similar_cases: int  # distinct similar earlier cases where they helped
    days_ago: int | None  # age of the latest of those
    declines: int  # declined or ignored invitations (any case) in the last half-life
    availability: float  # multiplier below 1 when they often decline


NO_EVIDENCE = HistoryEvidence(similar_cases=0, days_ago=None, declines=0, availability=1.0)


@dataclass
class UserFeatures:
    """The history model's evidences for one case, per history user (`index.users` order)."""

    features: dict[str, np.ndarray]  # name -> float per history user, 0 without evidence
    availability: np.ndarray  # per history user
    similar: np.ndarray  # per model row: similarity with the case, 0 for later cases
    age_days: np.ndarray  # per PastHelp row
    recent_decline: np.ndarray  # per PastHelp row


def user_features(
    index: HistoryIndex, text: str, product: str, *, now: datetime, half_life_days: float
) -> UserFeatures:
    """Score every history user for the case, with only the history before `now`."""
    n_users = len(index.users)
    t = days(now)
    age = np.maximum(t - index.row_at, 0.0)
    negative = index.negative
    decay = np.exp(-math.log(2) * age / max(half_life_days, 1e-6))
    before = index.row_at < t
    kind_w = index.row_weight
    penalty = np.bincount(index.row_user_code, weights=np.where(negative & before, kind_w * decay, 0.0),
                          minlength=n_users)
    recent_decline = negative & before & (age <= half_life_days)
    features = {name: np.zeros(n_users) for name in HISTORY_FEATURES}
    similar = np.zeros(index.model_rows.size, dtype=np.float32)
    model = index.model
    if model is not None and text.strip():
        x = model.vectorizer.transform([text])
        cosine = model.similarity(x)
        found = model.features(Cases([text], [product], np.array([t])), x, half_life_days, cosine)
        for name in HISTORY_FEATURES:
            features[name][index.model_users] = found[name][0]
        similar = np.where(index.row_at[index.model_rows] < t, cosine[0], 0.0)
    return UserFeatures(features, np.maximum(0.5, 1.0 + penalty), similar, age, recent_decline)


@dataclass
class Evidence:
    """History evidence for one case: each feature and availability per directory row, reasons on demand."""

    features: dict[str, np.ndarray]  # float64 per directory row, 0 without evidence
    availability: np.ndarray  # float64 per directory row, 1 without evidence
    index: HistoryIndex | None = None
    found: UserFeatures | None = None
    min_similarity: float = 0.1

    def get(self, user_id: str) -> HistoryEvidence:
        """What the reasons say about `user_id` (NO_EVIDENCE when the history does not know them)."""
        index, found = self.index, self.found
        code = index.user_code.get(user_id) if index is not None else None
        if code is None or found is None:
            return NO_EVIDENCE
        mine = index.row_user_code[index.model_rows] == code
        hit = mine & (found.similar >= self.min_similarity)
        rows = index.model_rows[hit]
        ages = found.age_days[rows]
        return HistoryEvidence(
            similar_cases=int(np.unique(index.row_case[rows]).size),
            days_ago=int(ages.min()) if ages.size else None,
            declines=int(found.recent_decline[index.row_user_code == code].sum()),
            availability=float(found.availability[code]),
        )


def user_rows(index: HistoryIndex, position: dict[str, int]) -> np.ndarray:
    """Per history user, their directory row (-1: not in the directory)."""
    return np.array([position.get(u, -1) for u in index.users], dtype=np.int64)


def evidence_rows(
    index: HistoryIndex,
    rows_of_users: np.ndarray,
    n_rows: int,
    text: str,
    product: str,
    *,
    now: datetime,
    half_life_days: float,
    min_similarity: float,
) -> Evidence:
    """The history model's evidence for every directory row; `rows_of_users` as `user_rows` gives it."""
    features = {name: np.zeros(n_rows) for name in HISTORY_FEATURES}
    availability = np.ones(n_rows)
    if not index.users:
        return Evidence(features, availability)
    found = user_features(index, text, product, now=now, half_life_days=half_life_days)
    known = rows_of_users >= 0
    for name in HISTORY_FEATURES:
        features[name][rows_of_users[known]] = found.features[name][known]
    availability[rows_of_users[known]] = found.availability[known]
    return Evidence(features, availability, index, found, min_similarity)

"""History evidence as arrays over directory rows: what `history.gather` answers, without a dict of every user.

`gather` builds one `HistoryEvidence` per user with any evidence (thousands with a real history), which
dominated a ranking over a large directory. Here the same sums land in arrays aligned with a
`DirectoryIndex`, and `HistoryEvidence` objects are built only for the few suggestions shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from expert_finder.history import HistoryEvidence, HistoryIndex
from expert_finder.models import NEGATIVE_KINDS

NO_EVIDENCE = HistoryEvidence(score=0.0, similar_cases=0, days_ago=None, declines=0, availability=1.0)


@dataclass
class _Prepared:
    """Per history index and kind weights: what does not change between cases."""

    index: HistoryIndex
    kinds: tuple
    kind_w: np.ndarray
    negative: np.ndarray
    user_code: dict[str, int]
    rows_by_user: np.ndarray  # history rows ordered by user code
    user_ptr: np.ndarray  # rows_by_user[user_ptr[u]:user_ptr[u + 1]] are user u's rows


_last: list[_Prepared] = []  # one slot: the app ranks against one history index at a time


def _prepared(index: HistoryIndex, kind_weights: dict[str, float]) -> _Prepared:
    kinds = tuple(sorted(kind_weights.items()))
    if _last and _last[0].index is index and _last[0].kinds == kinds:
        return _last[0]
    order = np.argsort(index.row_user_code, kind="stable")
    prepared = _Prepared(
        index=index,
        kinds=kinds,
        kind_w=np.array([kind_weights.get(k, 0.0) for k in index.row_kind], dtype=np.float64),
        negative=np.array([k in NEGATIVE_KINDS for k in index.row_kind], dtype=bool),
        user_code={u: i for i, u in enumerate(index.users)},
        rows_by_user=order,
        user_ptr=np.searchsorted(index.row_user_code[order], np.arange(len(index.users) + 1)),
    )
    _last[:] = [prepared]
    return prepared


@dataclass
class _Details:
    prepared: _Prepared
    positive: np.ndarray  # per history row
    age_days: np.ndarray
    recent_decline: np.ndarray
    user_score: np.ndarray  # per history user
    penalty: np.ndarray
    has: np.ndarray  # per history user: in `gather`'s answer


@dataclass
class Evidence:
    """Evidence for one case: `score` and `availability` per directory row, the rest on demand."""

    score: np.ndarray  # float64 per directory row, 0 without evidence
    availability: np.ndarray  # float64 per directory row, 1 without evidence
    details: _Details | None = None

    def get(self, user_id: str) -> HistoryEvidence:
        """The `HistoryEvidence` that `gather` gives this user (NO_EVIDENCE where it gives none)."""
        d = self.details
        code = d.prepared.user_code.get(user_id) if d else None
        if code is None or not d.has[code]:
            return NO_EVIDENCE
        p = d.prepared
        rows = p.rows_by_user[p.user_ptr[code] : p.user_ptr[code + 1]]
        positive = rows[d.positive[rows]]
        ages = d.age_days[positive]
        return HistoryEvidence(
            score=float(d.user_score[code]),
            similar_cases=int(np.unique(p.index.row_case[positive]).size),
            days_ago=int(ages.min()) if ages.size else None,
            declines=int(d.recent_decline[rows].sum()),
            availability=float(max(0.5, 1.0 + d.penalty[code])),
        )


def user_rows(index: HistoryIndex, position: dict[str, int]) -> np.ndarray:
    """Per history user, their directory row (-1: not in the directory)."""
    return np.array([position.get(u, -1) for u in index.users], dtype=np.int64)


def evidence_rows(
    index: HistoryIndex,
    rows_of_users: np.ndarray,
    n_rows: int,
    text: str,
    *,
    now: datetime,
    half_life_days: float,
    kind_weights: dict[str, float],
    min_similarity: float,
) -> Evidence:
    """`gather`'s score and availability for every directory row; `rows_of_users` as `user_rows` gives it."""
    score = np.zeros(n_rows, dtype=np.float64)
    availability = np.ones(n_rows, dtype=np.float64)
    if not index.users:
        return Evidence(score, availability)
    p = _prepared(index, kind_weights)
    sims = index.similarities(text)[index.row_case]
    at = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    age_days = np.maximum((at.timestamp() - index.row_at) / 86400.0, 0.0)
    decay = np.exp(-math.log(2) * age_days / max(half_life_days, 1e-6))
    positive = (p.kind_w > 0) & (sims >= min_similarity)
    contribution = np.where(positive, sims * p.kind_w * decay, 0.0)
    penalty = np.where(p.negative, p.kind_w * decay, 0.0)
    users, n_users = index.row_user_code, len(index.users)
    user_score = np.bincount(users, weights=contribution, minlength=n_users)
    penalty_sum = np.bincount(users, weights=penalty, minlength=n_users)
    has = (user_score > 0) | (penalty_sum < 0)
    known = has & (rows_of_users >= 0)
    score[rows_of_users[known]] = user_score[known]
    availability[rows_of_users[known]] = np.maximum(0.5, 1.0 + penalty_sum[known])
    recent_decline = p.negative & (age_days <= half_life_days)
    return Evidence(score, availability, _Details(p, positive, age_days, recent_decline, user_score, penalty_sum, has))

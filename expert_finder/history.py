"""The team's past swarms prepared once for ranking: the evaluated history model fitted on who helped, plus
who declined.

The history evidence of the app is `profiles.ProfileModel`, the model `python -m expert_finder.evaluate`
measures, fitted on the positive rows (resolved, credited, contributed, joined), each row counting by its
kind's weight. Declined and ignored invitations lower availability instead. Character n-grams (within word
boundaries) serve Korean and mixed English/Korean text, as well as English typos and plurals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from expert_finder.models import KIND_WEIGHTS, NEGATIVE_KINDS, PastHelp
from expert_finder.profiles import Cases, CountedTexts, ProfileModel

HISTORY_K = 20  # similar past cases counted per case, as in the evaluation


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def days(at: datetime) -> float:
    """A time as float days since the epoch: the unit of the history model's clock."""
    return _aware(at).timestamp() / 86400.0


@dataclass
class HistoryIndex:
    """History prepared once (model fitted, cases vectorised) so that each ranking is a few sparse products."""

    model: ProfileModel | None  # None when there is no positive history (or no text to learn from)
    model_rows: np.ndarray  # per model row: its PastHelp row
    model_users: np.ndarray  # per person of the model (`model.people`): index into users
    row_case: np.ndarray  # per PastHelp row: index of its distinct case
    users: list[str]  # distinct user ids, every kind
    row_user_code: np.ndarray  # per PastHelp row: index into users
    row_kind: list[str]
    row_at: np.ndarray  # per PastHelp row: float days
    negative: np.ndarray  # per PastHelp row: a decline or an ignored invitation
    row_weight: np.ndarray  # per PastHelp row: its kind's weight

    @property
    def user_code(self) -> dict[str, int]:
        if not hasattr(self, "_user_code"):
            self._user_code = {u: i for i, u in enumerate(self.users)}
        return self._user_code

    @classmethod
    def build(
        cls,
        history: Sequence[PastHelp],
        *,
        kind_weights: dict[str, float] = KIND_WEIGHTS,
        counted: tuple[CountedTexts, CountedTexts] | None = None,
    ) -> HistoryIndex:
        """`counted`: `ProfileModel.count_texts` over a superset of the texts (`text product`), so that an
        evaluation refitting on growing histories slices counts instead of re-tokenising."""
        case_ids: dict[str, int] = {}
        user_ids: dict[str, int] = {}
        for item in history:
            case_ids.setdefault(item.case_key, len(case_ids))
            user_ids.setdefault(item.user_id, len(user_ids))
        weight = np.array([kind_weights.get(h.kind, 0.0) for h in history], dtype=np.float64)
        at = np.array([days(h.at) for h in history], dtype=np.float64)
        rows = np.flatnonzero(weight > 0)
        model = None
        texts = [f"{history[i].text} {history[i].product}" for i in rows]
        if any(t.strip() for t in texts):
            cases = Cases(texts, [history[i].product for i in rows], at[rows], [history[i].user_id for i in rows],
                          weight[rows])
            try:
                model = ProfileModel(k=HISTORY_K, counted=counted).fit(cases)
            except ValueError:  # no term shared by two cases yet: nothing to learn from
                model = None
        return cls(
            model=model,
            model_rows=rows,
            model_users=np.array([user_ids[p] for p in model.people] if model else [], dtype=np.int64),
            row_case=np.array([case_ids[h.case_key] for h in history], dtype=np.int64),
            users=list(user_ids),
            row_user_code=np.array([user_ids[h.user_id] for h in history], dtype=np.int64),
            row_kind=[h.kind for h in history],
            row_at=at,
            negative=np.array([h.kind in NEGATIVE_KINDS for h in history], dtype=bool),
            row_weight=weight,
        )

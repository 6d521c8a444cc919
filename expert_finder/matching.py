"""Fuzzy skill and product matching, vectorised with rapidfuzz.

Every distinct skill name in the directory is compared once with the case (rapidfuzz `process.cdist`),
then each expert's best skill is taken with a numpy segment maximum, so the cost grows with distinct
skill names, not with experts × skills in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from expert_finder.models import ExpertProfile
from expert_finder.normalize import expand

# A level-5 skill counts fully, a level-1 skill a little over half: knowing of something still helps.
LEVEL_FACTOR = np.array([0.0, 0.55, 0.7, 0.82, 0.92, 1.0], dtype=np.float32)


@dataclass(frozen=True)
class FlatTerms:
    """One directory field (skills or products) flattened: term index, owner index and weight per entry."""

    names: list[str]  # distinct normalised names
    labels: list[str]  # a display label per distinct name (first spelling seen)
    term: np.ndarray  # int32, per entry
    owner: np.ndarray  # int32, per entry, non-decreasing
    weight: np.ndarray  # float32, per entry
    n_owners: int

    def best(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per owner: best weighted score (0-1) and the index of the distinct name it came from (-1: none)."""
        best = np.zeros(self.n_owners, dtype=np.float32)
        which = np.full(self.n_owners, -1, dtype=np.int64)
        if self.term.size == 0:
            return best, which
        values = scores[self.term] * self.weight
        starts = np.flatnonzero(np.r_[True, self.owner[1:] != self.owner[:-1]])
        owners = self.owner[starts]
        best[owners] = np.maximum.reduceat(values, starts)
        # The argmax per segment: the entry whose value equals its segment's maximum (first one wins).
        seg = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, values.size]))
        hit = values >= best[self.owner] - 1e-9
        hit &= values > 0
        first = np.full(starts.size, -1, dtype=np.int64)
        idx = np.flatnonzero(hit)[::-1]
        first[seg[idx]] = idx
        ok = first >= 0
        which[owners[ok]] = self.term[first[ok]]
        return best, which


def _flatten(groups: Sequence[Sequence[tuple[str, float]]]) -> FlatTerms:
    index: dict[str, int] = {}
    labels: list[str] = []
    term: list[int] = []
    owner: list[int] = []
    weight: list[float] = []
    for i, entries in enumerate(groups):
        for label, w in entries:
            key = expand(label)
            if not key:
                continue
            if key not in index:
                index[key] = len(index)
                labels.append(label)
            term.append(index[key])
            owner.append(i)
            weight.append(w)
    return FlatTerms(
        names=list(index),
        labels=labels,
        term=np.asarray(term, dtype=np.int32),
        owner=np.asarray(owner, dtype=np.int32),
        weight=np.asarray(weight, dtype=np.float32),
        n_owners=len(groups),
    )


def flatten_skills(profiles: Sequence[ExpertProfile]) -> FlatTerms:
    return _flatten([[(s.name, float(LEVEL_FACTOR[min(max(s.level, 1), 5)])) for s in p.skills] for p in profiles])


def flatten_products(profiles: Sequence[ExpertProfile]) -> FlatTerms:
    return _flatten([[(name, 1.0) for name in p.products] for p in profiles])


def match_scores(queries: Sequence[str], names: Sequence[str], cutoff: float) -> np.ndarray:
    """queries × names similarity in 0-1 (token set ratio on expanded text; below `cutoff` counts as 0).

    Token set ratio scores 100 when every word of the shorter side appears in the longer, which is what
    "does this case mention this skill" needs, whatever the word order.
    """
    if not queries or not names:
        return np.zeros((len(queries), len(names)), dtype=np.float32)
    expanded = [expand(q) for q in queries]
    raw = process.cdist(
        expanded, list(names), scorer=fuzz.token_set_ratio, score_cutoff=cutoff, dtype=np.float32, workers=1
    )
    return raw / np.float32(100.0)

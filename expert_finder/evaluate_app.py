"""The app's own ranking in the evaluation: `rank_experts` over the directory as it stood before each case,
with the weights the app's monthly self-tuning would have given it then.

For each case the directory lists everyone in the data set, each with the products (as products) and
components (as skills) of the history cases they resolved before that case, everyone available and nobody
loaded (someone with no earlier case has no evidence and is never suggested); the history is a
`HistoryIndex` over the history cases before the case's block (each a resolved `PastHelp` at its created
time, or at its position in days where the data has no times), so the ranking is exactly the code the app
runs. Queue accounts are in the directory but never suggested, as in the app.

Two weightings, in the same run:

- ``app``: the app as it runs with `EXPERTS_TUNE_SCHEDULE=monthly` (the default): `tuning.retune`, the
  decision `case-swarm experts tune` makes, on the newest `TUNE_MAX_SAMPLES` history cases before the
  ranking starts and again at the first block of each new month, each sample ranked from the cases before
  it; new weights are taken only when they rank the newest held-out cases at least as well;
- ``app_default``: the built-in weights, as the app runs with tuning off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta

import numpy as np

from expert_finder.datasets import Dataset
from expert_finder.directory_index import DirectoryIndex
from expert_finder.history import HistoryIndex
from expert_finder.models import (
    DEFAULT_WEIGHTS,
    TUNE_MAX_SAMPLES,
    CaseQuery,
    ExpertProfile,
    PastHelp,
    RankingPolicy,
    Skill,
    WorkingHours,
)
from expert_finder.profiles import ProfileModel
from expert_finder.ranking import case_features, rank_experts
from expert_finder.tuning import Sample, retune

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
ALWAYS = WorkingHours("UTC", time(0), time(23, 59, 59, 999999), frozenset(range(7)))


@dataclass
class AppRanks:
    """1-based rank of each test case's resolver (0: not suggested) per weighting, and each tuning's decision."""

    tuned: list[np.ndarray] = field(default_factory=list)
    default: list[np.ndarray] = field(default_factory=list)
    tunings: list[dict] = field(default_factory=list)

    def ranks(self) -> dict[str, np.ndarray]:
        return {"app": _joined(self.tuned), "app_default": _joined(self.default)}


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


class AppPath:
    """The data set seen as the app sees a team: past help rows, case queries, directories by date."""

    def __init__(self, data: Dataset, half_life: float, queue_accounts: frozenset[str]):
        self.cases = data.cases
        self.at = [c.created if data.has_time else EPOCH + timedelta(days=i) for i, c in enumerate(data.cases)]
        self.people = sorted({c.resolver for c in data.cases})
        # Every text tokenised and counted once: each refit's TF-IDF is then a slice (same matrices).
        self.counted = ProfileModel.count_texts([f"{c.text} {c.product}" for c in data.cases])
        self.policy = RankingPolicy(
            history_half_life_days=half_life, limit=1_000_000, queue_accounts=tuple(sorted(queue_accounts))
        )
        self.samples: dict[int, Sample] = {}  # per case: its tuning sample, ranked from the cases before its block

    def help_rows(self, idx: np.ndarray) -> list[PastHelp]:
        return [
            PastHelp(c.id or str(i), c.text, c.product, c.resolver, "resolved", self.at[i])
            for i, c in ((int(i), self.cases[int(i)]) for i in idx)
        ]

    def query(self, i: int) -> CaseQuery:
        c = self.cases[i]
        return CaseQuery(c.subject, c.description, product=c.product, category=c.component)

    def directory(self, history: np.ndarray, before: datetime) -> DirectoryIndex:
        """Everyone, with the products and components of their `history` cases created before `before`."""
        products: dict[str, dict[str, None]] = {p: {} for p in self.people}
        components: dict[str, dict[str, None]] = {p: {} for p in self.people}
        for i in history:
            c = self.cases[int(i)]
            if self.at[int(i)] < before:
                if c.product:
                    products[c.resolver][c.product] = None
                if c.component:
                    components[c.resolver][c.component] = None
        return DirectoryIndex.build(
            [
                ExpertProfile(p, p, tuple(Skill(x) for x in components[p]), tuple(products[p]), hours=ALWAYS,
                              max_concurrent=1_000_000)
                for p in self.people
            ]
        )

    def _directories(self, history: np.ndarray) -> Callable[[datetime], DirectoryIndex]:
        """A directory per distinct set of earlier cases (one per block in a chronological split)."""
        cache: dict[int, DirectoryIndex] = {}
        stamps = np.sort(np.array([self.at[int(i)].timestamp() for i in history]))

        def at(when: datetime) -> DirectoryIndex:
            key = int(np.searchsorted(stamps, when.timestamp(), side="left"))
            if key not in cache:
                cache[key] = self.directory(history, when)
            return cache[key]

        return at

    def _block(self, history: np.ndarray, cases: np.ndarray, weightings: dict[str, dict[str, float]] | None = None):
        """Rank `cases` (and keep each one's tuning sample) from `history`; the ranks per weighting."""
        index = HistoryIndex.build(self.help_rows(history), counted=self.counted)
        directory_at = self._directories(history)
        out = {name: np.zeros(len(cases), dtype=np.int64) for name in weightings or {}}
        for j, i in enumerate(int(i) for i in cases):
            d = directory_at(self.at[i])
            if i not in self.samples:
                feats = case_features(self.query(i), d, index, now=self.at[i], policy=self.policy)
                self.samples[i] = Sample(feats.values, feats.code == 0, frozenset({d.position[self.cases[i].resolver]}))
            for name, weights in (weightings or {}).items():
                ranking = rank_experts(self.query(i), d, index, now=self.at[i],
                                       policy=replace(self.policy, weights=weights))
                order = [s.user_id for s in ranking.suggestions]
                resolver = self.cases[i].resolver
                out[name][j] = order.index(resolver) + 1 if resolver in order else 0
        return out

    def _tune(self, timeline: np.ndarray, end: int, block: int, current: dict[str, float]) -> dict:
        """`tuning.retune` on the newest TUNE_MAX_SAMPLES of `timeline[:end]`, as the monthly job would run."""
        lo = max(0, end - TUNE_MAX_SAMPLES)
        for start in range(lo, end, block):
            todo = [int(i) for i in timeline[start:min(start + block, end)] if int(i) not in self.samples]
            if todo:
                self._block(timeline[:start], np.array(todo))
        decided = retune([self.samples[int(i)] for i in timeline[lo:end]], current)
        return {"before_case": int(end), "status": decided.status, "weights": decided.weights,
                "before": decided.before.as_dict() if decided.before else None,
                "after": decided.after.as_dict() if decided.after else None}

    def rank_split(self, history: np.ndarray, test: np.ndarray, block: int = 10) -> AppRanks:
        """A fixed split: tuned once on the history (in time order), every test case ranked from the history."""
        timeline = np.array(sorted((int(i) for i in history), key=lambda i: (self.at[i], i)), dtype=np.int64)
        tuning = self._tune(timeline, len(timeline), block, dict(DEFAULT_WEIGHTS))
        ranks = self._block(history, test, {"tuned": tuning["weights"], "default": dict(DEFAULT_WEIGHTS)})
        return AppRanks([ranks["tuned"]], [ranks["default"]], [tuning])

    def replay(self, cut: int, refit_every: int) -> AppRanks:
        """Walk-forward from case `cut`: each block ranked from every case before it; tuned before the first
        block and again at the first block of each new month, on the cases before that block alone."""
        timeline = np.arange(len(self.cases))
        out = AppRanks()
        weights, month = dict(DEFAULT_WEIGHTS), None
        for start in range(cut, len(self.cases), refit_every):
            stop = min(start + refit_every, len(self.cases))
            if (self.at[start].year, self.at[start].month) != month:
                out.tunings.append(self._tune(timeline, start, refit_every, weights))
                weights, month = out.tunings[-1]["weights"], (self.at[start].year, self.at[start].month)
            ranks = self._block(timeline[:start], timeline[start:stop], {"tuned": weights,
                                                                           "default": dict(DEFAULT_WEIGHTS)})
            out.tuned.append(ranks["tuned"])
            out.default.append(ranks["default"])
        return out

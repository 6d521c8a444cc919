"""The app's own ranking in the evaluation: `rank_experts` over the directory as it stood before each case.

For each test case the directory lists everyone in the history, each with the products (as products) and
components (as skills) of the cases they resolved before that case, everyone available and nobody loaded;
the history is a `HistoryIndex` over the history cases (each a resolved `PastHelp` at its created time, or
at its position in days where the data has no times), so the ranking is exactly the code the app runs,
with weights tuned by `tuning.tune_weights` on the history's own tail, as `case-swarm experts tune` does on
a team's swarms. Queue accounts are in the directory but never suggested, as in the app.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import numpy as np

from expert_finder.datasets import Dataset
from expert_finder.directory_index import DirectoryIndex
from expert_finder.history import HistoryIndex
from expert_finder.models import CaseQuery, ExpertProfile, PastHelp, RankingPolicy, Skill, WorkingHours
from expert_finder.profiles import ProfileModel
from expert_finder.ranking import case_features, rank_experts
from expert_finder.tuning import Sample, tune_weights

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
ALWAYS = WorkingHours("UTC", time(0), time(23, 59, 59, 999999), frozenset(range(7)))
TUNE_HOLDOUT = 0.2


class AppPath:
    """The data set seen as the app sees a team: past help rows, case queries, directories by date."""

    def __init__(self, data: Dataset, half_life: float, queue_accounts: frozenset[str]):
        self.cases = data.cases
        self.at = [c.created if data.has_time else EPOCH + timedelta(days=i) for i, c in enumerate(data.cases)]
        self.half_life = half_life
        # Every text tokenised and counted once: each refit's TF-IDF is then a slice (same matrices).
        self.counted = ProfileModel.count_texts([f"{c.text} {c.product}" for c in data.cases])
        self.policy = RankingPolicy(
            history_half_life_days=half_life, limit=1_000_000, queue_accounts=tuple(sorted(queue_accounts))
        )

    def help_rows(self, idx: np.ndarray) -> list[PastHelp]:
        return [
            PastHelp(c.id or str(i), c.text, c.product, c.resolver, "resolved", self.at[i])
            for i, c in ((int(i), self.cases[int(i)]) for i in idx)
        ]

    def query(self, i: int) -> CaseQuery:
        c = self.cases[i]
        return CaseQuery(c.subject, c.description, product=c.product, category=c.component)

    def directory(self, history: np.ndarray, before: datetime) -> DirectoryIndex:
        """Everyone in `history`, with the products and components of their cases created before `before`."""
        products: dict[str, dict[str, None]] = {}
        components: dict[str, dict[str, None]] = {}
        for i in history:
            c = self.cases[int(i)]
            products.setdefault(c.resolver, {})
            components.setdefault(c.resolver, {})
            if self.at[int(i)] < before:
                if c.product:
                    products[c.resolver][c.product] = None
                if c.component:
                    components[c.resolver][c.component] = None
        return DirectoryIndex.build(
            [
                ExpertProfile(p, p, tuple(Skill(x) for x in components[p]), tuple(products[p]), hours=ALWAYS,
                              max_concurrent=1_000_000)
                for p in sorted(products)
            ]
        )

    def _directories(self, history: np.ndarray):
        """A directory per distinct set of earlier cases (one per block in a chronological split)."""
        cache: dict[int, DirectoryIndex] = {}
        stamps = np.sort(np.array([self.at[int(i)].timestamp() for i in history]))

        def at(when: datetime) -> DirectoryIndex:
            key = int(np.searchsorted(stamps, when.timestamp(), side="left"))
            if key not in cache:
                cache[key] = self.directory(history, when)
            return cache[key]

        return at

    def tune(self, history: np.ndarray) -> dict[str, float]:
        """Weights tuned on the last TUNE_HOLDOUT of `history` (in its order), fitted on the rest."""
        cut = int(len(history) * (1 - TUNE_HOLDOUT))
        if cut < 20 or len(history) - cut < 10:
            return dict(self.policy.weights)
        head, tail = history[:cut], history[cut:]
        index = HistoryIndex.build(self.help_rows(head), counted=self.counted)
        directory_at = self._directories(head)
        samples = []
        for i in tail:
            d = directory_at(self.at[int(i)])
            feats = case_features(self.query(int(i)), d, index, now=self.at[int(i)], policy=self.policy)
            truth = d.position.get(self.cases[int(i)].resolver)
            if truth is not None:
                samples.append(Sample(feats.values, feats.code == 0, frozenset({truth})))
        return tune_weights(samples, self.policy.weights)

    def ranks(self, history: np.ndarray, test: np.ndarray, weights: dict[str, float]) -> np.ndarray:
        """1-based rank of each test case's resolver in the app's ranking (0: not suggested at all)."""
        index = HistoryIndex.build(self.help_rows(history), counted=self.counted)
        directory_at = self._directories(history)
        policy = replace(self.policy, weights=weights)
        out = np.zeros(len(test), dtype=np.int64)
        for j, i in enumerate(test):
            ranking = rank_experts(self.query(int(i)), directory_at(self.at[int(i)]), index, now=self.at[int(i)],
                                   policy=policy)
            order = [s.user_id for s in ranking.suggestions]
            resolver = self.cases[int(i)].resolver
            out[j] = order.index(resolver) + 1 if resolver in order else 0
        return out

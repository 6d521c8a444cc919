"""The app tunes itself as `case-swarm experts tune` does, and the evaluation replays exactly that tuning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import expert_finder.evaluate_app as evaluate_app
from expert_finder.datasets import load_dataset
from expert_finder.evaluate import evaluate
from expert_finder.evaluate_app import AppPath
from expert_finder.models import DEFAULT_WEIGHTS, TUNE_MAX_SAMPLES
from expert_finder.tuning import Sample, held_out, retune

DATA = Path(__file__).resolve().parents[1] / "data" / "support_cases.csv"
ROWS = 6


def _sample(rng: np.random.Generator, telling: str) -> Sample:
    """Six people; only the `telling` evidence points at the one who resolved the case."""
    truth = int(rng.integers(ROWS))
    values = {name: rng.random(ROWS) * 0.5 for name in DEFAULT_WEIGHTS}
    values[telling][truth] = 1.0
    return Sample(values, np.ones(ROWS, dtype=bool), frozenset({truth}))


def test_given_too_few_resolved_cases_the_weights_stay_as_they_are():
    rng = np.random.default_rng(1)
    decided = retune([_sample(rng, "words") for _ in range(20)], DEFAULT_WEIGHTS)
    assert decided.status == "too_few" and decided.weights == DEFAULT_WEIGHTS


def test_given_cases_only_one_evidence_explains_the_new_weights_lean_on_it_and_rank_the_newest_better():
    rng = np.random.default_rng(2)
    decided = retune([_sample(rng, "knn") for _ in range(60)], DEFAULT_WEIGHTS)
    assert decided.status == "stored"
    assert decided.weights["knn"] > DEFAULT_WEIGHTS["knn"]
    assert decided.after.top1 >= decided.before.top1 and decided.after.cases == 15
    assert decided.tuned_on == 45


def test_a_tuning_is_measured_on_the_newest_share_of_its_cases_never_fewer_than_fifteen():
    assert (held_out(40), held_out(100), held_out(400)) == (15, 15, 60)
    assert held_out(400, measure_last=10, share=0.0) == 10, "experts tune --last N measures on exactly N"
    rng = np.random.default_rng(4)
    decided = retune([_sample(rng, "words") for _ in range(400)], DEFAULT_WEIGHTS)
    assert (decided.tuned_on, decided.before.cases, decided.after.cases) == (340, 60, 60)


def test_given_new_weights_rank_the_newest_cases_worse_the_weights_in_use_are_kept():
    """Tuned on cases `words` explains, measured on newer cases only `centroid` explains."""
    rng = np.random.default_rng(3)
    older, newer = [_sample(rng, "words") for _ in range(45)], [_sample(rng, "centroid") for _ in range(15)]
    current = {**DEFAULT_WEIGHTS, "words": 0.0}
    decided = retune([*older, *newer], current)
    assert decided.status == "kept" and decided.weights == current
    assert decided.after.mrr < decided.before.mrr


@pytest.fixture(scope="module")
def data():
    return load_dataset(DATA)


def test_under_replay_the_app_retunes_at_each_new_month_on_the_cases_before_it_alone(data, monkeypatch):
    """Given the replay of support_cases (84 test cases over five months), the app's tuning runs before the
    first block and at the first block of each new month, each on the newest cases before that block, and
    every tuning sample and every ranking reads only cases before its own block."""
    tuned_on: list[int] = []
    real_retune, real_block = evaluate_app.retune, AppPath._block

    def recording_retune(samples, current, **kwargs):
        tuned_on.append(len(samples))
        return real_retune(samples, current, **kwargs)

    def checked_block(self, history, cases, weightings=None):
        assert history.size == 0 or max(self.at[int(i)] for i in history) <= min(self.at[int(i)] for i in cases)
        assert not set(history.tolist()) & set(cases.tolist())
        return real_block(self, history, cases, weightings)

    monkeypatch.setattr(evaluate_app, "retune", recording_retune)
    monkeypatch.setattr(AppPath, "_block", checked_block)
    result = evaluate(data, "replay", refit_every=10, ranker="app")
    cut = result["history_cases"]
    at = [c.created for c in data.cases]
    starts = list(range(cut, len(data.cases), 10))
    monthly = [s for k, s in enumerate(starts) if k == 0 or (at[s].year, at[s].month) != (at[starts[k - 1]].year,
                                                                                            at[starts[k - 1]].month)]
    assert [t["before_case"] for t in result["app_tunings"]] == monthly
    assert tuned_on == [min(TUNE_MAX_SAMPLES, s) for s in monthly]
    assert {t["status"] for t in result["app_tunings"]} <= {"stored", "kept"}
    assert result["app_weights"] == result["app_tunings"][0]["weights"]
    assert {"app", "app_default"} <= set(result["methods"])


def test_a_fixed_split_ranks_with_weights_tuned_once_on_the_history(data):
    result = evaluate(data, "chrono", ranker="app")
    assert len(result["app_tunings"]) == 1 and result["app_tunings"][0]["before_case"] == result["history_cases"]
    assert result["methods"]["app"]["top5"] >= result["methods"]["similar"]["top5"]

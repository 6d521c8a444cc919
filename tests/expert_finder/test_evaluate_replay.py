"""Walk-forward replay: each test case ranked from every case before it, the history growing through the test."""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from expert_finder import evaluate as evaluate_module
from expert_finder.datasets import Dataset, load_dataset
from expert_finder.evaluate import RESEARCH_METHODS, evaluate, main
from expert_finder.profiles import char_terms, word_terms
from expert_finder.tfidf import CountedTexts, TermSpec, fit_tfidf, product

DATA = Path(__file__).resolve().parents[1] / "data" / "support_cases.csv"


@pytest.fixture(scope="module")
def data():
    return load_dataset(DATA)


def with_newcomer(data: Dataset, positions: list[int]) -> Dataset:
    cases = list(data.cases)
    for i in positions:
        cases[i] = dataclasses.replace(cases[i], resolver="newcomer@example.com")
    return Dataset(data.name, tuple(cases))


def test_replay_runs_on_the_chrono_test_part(data):
    result = evaluate(data, "replay", refit_every=10, ranker="research")
    chrono = evaluate(data, "chrono", ranker="research")
    assert result["split"] == "replay" and result["refit_every"] == 10
    assert result["test_cases"] == chrono["test_cases"] == 84 and result["refits"] == 9
    assert result["finder_weights"] == chrono["finder_weights"]  # first tuned on the initial history
    assert set(result["methods"]) == set(RESEARCH_METHODS)
    assert result["methods"]["finder"]["mrr"] > result["methods"]["random"]["mrr"]


def test_weights_are_retuned_only_on_cases_before_the_block_they_rank(data, monkeypatch):
    """Given a replay that re-tunes every 30 test cases, each tuning sees exactly the cases before a block."""
    seen: list[int] = []
    real_tune = evaluate_module.tune

    def recording_tune(history, **kwargs):
        seen.append(len(history.texts))
        return real_tune(history, **kwargs)

    monkeypatch.setattr(evaluate_module, "tune", recording_tune)
    cut = len(data.cases) - 84
    result = evaluate(data, "replay", refit_every=10, retune_every=30, ranker="research")
    # Block starts are cut, cut+10, …; a re-tune happens at the first start 30 or more cases after the last.
    assert seen == [cut, cut + 30, cut + 60]
    assert [t["before_case"] for t in result["tunings"]] == seen
    once = evaluate(data, "replay", refit_every=10, retune_every=0, ranker="research")
    assert len(once["tunings"]) == 1 and once["finder_weights"] == result["finder_weights"]


def test_history_grows_a_newcomer_is_unseen_only_for_his_first_case(data):
    n = len(data.cases)
    first, second = n - 30, n - 10  # both in the test part (the last 20%)
    exact = evaluate(with_newcomer(data, [first, second]), "replay", refit_every=1, ranker="research")
    assert exact["unseen_test_cases"] == 1 and exact["unseen_resolvers"] == 1
    assert exact["missed_by_refit_lag"] == 0
    assert exact["ceiling"] == pytest.approx(1 - 1 / 84)
    # The fixed chrono split never learns him: both his cases are unseen there.
    assert evaluate(with_newcomer(data, [first, second]), "chrono", ranker="research")["unseen_test_cases"] == 2
    # A block that holds both his cases cannot know him for the second: counted apart, not as unseen.
    block = evaluate(with_newcomer(data, [n - 4, n - 3]), "replay", refit_every=10, ranker="research")
    assert block["unseen_test_cases"] == 1 and block["missed_by_refit_lag"] == 1


def plain_tfidf(spec: TermSpec, fit_on: list[str], texts: list[str]) -> list[dict[str, float]]:
    """TF-IDF written out term by term: sublinear tf, smoothed idf over `fit_on`, L2 rows."""
    df = Counter(t for text in fit_on for t in set(spec.terms(text)))
    kept = {t for t, n in df.items() if n >= spec.min_df}
    idf = {t: math.log((1 + len(fit_on)) / (1 + df[t])) + 1 for t in kept}
    out = []
    for text in texts:
        weights = {t: (1 + math.log(n)) * idf[t] for t, n in Counter(spec.terms(text)).items() if t in kept}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        out.append({t: w / norm for t, w in weights.items()})
    return out


def test_counted_texts_fit_a_subset_exactly_like_tfidf_written_out(data):
    texts = [f"{c.subject} {c.description}" for c in data.cases]
    for spec in (char_terms(), word_terms(), TermSpec("word", (1, 2))):
        fitted = CountedTexts(spec, texts).fit(texts[:200])
        probe, history = texts[200:230], texts[:50]
        cosine = product(fitted.transform(probe), fitted.transform(history).transposed())
        a, b = plain_tfidf(spec, texts[:200], probe), plain_tfidf(spec, texts[:200], history)
        expected = np.array([[sum(w * y.get(t, 0.0) for t, w in x.items()) for y in b] for x in a])
        assert np.abs(cosine - expected).max() < 1e-5
        # One query at a time (the app) and a batch (the evaluation's dense block) give the same products.
        one = np.vstack([product(fitted.transform([p]), fitted.transform(history).transposed()) for p in probe])
        assert np.abs(one - cosine).max() < 1e-5
        assert np.abs(fit_tfidf(spec, texts[:200]).transform(probe).data - fitted.transform(probe).data).max() < 1e-6


def test_cli_replay_json_and_refit_every(capsys):
    assert main(["--data", str(DATA), "--split", "replay", "--refit-every", "20", "--ranker", "research", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["refit_every"] == 20 and result["refits"] == 5
    assert main(["--data", str(DATA), "--split", "replay", "--ranker", "research"]) == 0
    out = capsys.readouterr().out
    assert "refitted every 10 test cases" in out and "every 50 test cases" in out
    assert "finder top-5 against similar past cases:" in out
    assert main(["--data", str(DATA), "--split", "replay", "--retune-every", "0", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["tunings"]) == 1
    for bad in (["--refit-every", "0"], ["--retune-every", "-1"], ["--repeats", "0"], ["--seed", "-1"]):
        with pytest.raises(SystemExit):
            main(["--data", str(DATA), "--split", "replay", *bad])

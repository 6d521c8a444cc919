"""The evaluation measures the app's own ranking, sees no future, keeps queues out and reads any CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from expert_finder.datasets import Columns, Dataset, ResolvedCase, load_dataset
from expert_finder.evaluate import evaluate, main
from expert_finder.evaluate_app import AppPath
from expert_finder.profiles import Cases, ProfileModel

DATA = Path(__file__).resolve().parents[1] / "data" / "support_cases.csv"


@pytest.fixture(scope="module")
def data():
    return load_dataset(DATA)


@pytest.fixture(scope="module")
def replay(data):
    return evaluate(data, "replay")


def test_under_replay_the_apps_ranking_is_level_with_the_best_model_and_above_similar_cases(replay):
    methods = replay["methods"]
    best = max(m["top5"] for m in methods.values())
    assert methods["app"]["top5"] >= best - 0.01
    assert methods["app"]["top5"] > methods["similar"]["top5"]
    assert methods["app"]["mrr"] > methods["frequent"]["mrr"]
    assert set(replay["app_weights"]) >= {"skill", "product", "centroid", "knn", "gate"}


def test_the_app_ranks_with_the_directory_as_it_stood_before_the_case(data):
    app = AppPath(data, 365.0, frozenset())
    history = np.arange(300)
    first = data.cases[0]
    directory = app.directory(history, app.at[1])  # only the first case is earlier
    row = directory.position[first.resolver]
    assert directory.profiles[row].products == (first.product,)
    assert [s.name for s in directory.profiles[row].skills] == [first.component]
    assert all(not p.products for i, p in enumerate(directory.profiles) if i != row)


def test_time_based_evidence_never_reads_a_later_case():
    """Given a history whose only cases come after the case ranked, no time-based evidence is found."""
    history = Cases(["disk quota exceeded"] * 4 + ["printer jam"] * 4, [""] * 8,
                    np.array([10, 11, 12, 13, 1, 2, 3, 4], dtype=np.float64), ["later"] * 4 + ["earlier"] * 4)
    model = ProfileModel(k=8, half_life=10.0).fit(history)
    feats = model.features(Cases(["disk quota exceeded"], [""], np.array([5.0])))
    later = model.people.index("later")
    assert feats["knn"][0, later] == feats["recency"][0, later] == feats["active"][0, later] == 0.0
    assert feats["active"][0, model.people.index("earlier")] == 1.0
    assert feats["centroid"][0, later] > 0.5, "what someone knows is not a time-based evidence"


def test_random_split_is_averaged_over_five_seeds_with_its_spread(data):
    result = evaluate(data, "random", ranker="research", repeats=5)
    assert result["seed"] == [0, 1, 2, 3, 4]
    spread = result["spread"]["finder"]["top5"]
    assert spread["min"] <= result["methods"]["finder"]["top5"] <= spread["max"] and spread["std"] >= 0


def _queue_data() -> Dataset:
    rng = np.random.default_rng(4)
    topics = {"ann": "battery cell imbalance alarm", "bob": "inverter firmware update stuck",
              "cid": "portal login fails installer", "dee": "grid voltage trips export limit"}
    products = ["P1", "P2", "P3", "P4", "P5"]
    cases = []
    for i in range(200):
        person = list(topics)[i % 4]
        resolver = "nobody" if rng.random() < 0.1 else ("triage-desk" if rng.random() < 0.3 else person)
        cases.append(ResolvedCase(str(i), None, topics[person], f"case {i}", products[i % 5], "", resolver))
    return Dataset("queues", tuple(cases))


def test_queue_accounts_are_never_ranked_and_reported_apart():
    """Given `nobody` (a named pattern) and a desk that takes a third of every product's cases (detected),
    when the evaluation runs, both are recognised, never ranked, and figures come with and without them."""
    result = evaluate(_queue_data(), "chrono")
    assert result["queue_accounts"] == ["nobody", "triage-desk"]
    assert result["queue_test_cases"] > 0
    with_queues, without = result["methods"]["app"], result["methods_without_queue"]["app"]
    assert without["top1"] > with_queues["top1"]
    share = 1 - result["queue_test_cases"] / result["test_cases"]
    assert with_queues["top10"] <= share + 1e-9, "a case a queue resolved is a miss for every method"


def test_any_csv_through_column_flags_with_only_text_and_resolver(tmp_path, capsys):
    """Given an export with its own column names and no time, the file order is the time order."""
    lines = ["Ticket;Body;Owner"]
    topics = {"ann": "battery alarm cell", "bob": "firmware update stuck", "cid": "portal login fails"}
    for i in range(60):
        person = list(topics)[i % 3]
        lines.append(f"{i};{topics[person]} {i};{person}")
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines).replace(";", ","), encoding="utf-8")
    data = load_dataset(path, Columns(text=("Body",), resolver="Owner"))
    assert [c.description for c in data.cases[:2]] == ["battery alarm cell 0", "firmware update stuck 1"]
    assert not data.has_time
    assert main(["--data", str(path), "--text-cols", "Body", "--resolver-col", "Owner", "--ranker", "research"]) == 0
    assert "finder" in capsys.readouterr().out
    assert main(["--data", str(path), "--text-cols", "Text", "--resolver-col", "Owner"]) == 2
    assert "no column Text; the file has Body, Owner, Ticket" in capsys.readouterr().err

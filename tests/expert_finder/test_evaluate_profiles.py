"""History-only profiles: the word centroid, the activity evidence, and tuning that never reads the test part."""

from __future__ import annotations

import numpy as np

from expert_finder.profiles import FEATURES, Cases, ProfileModel, combine, tune


def _history() -> Cases:
    texts = ["parser crash on generic method"] * 6 + ["linker error undefined symbol"] * 6
    people = ["ann"] * 6 + ["bob"] * 6
    return Cases(texts, [""] * 12, np.arange(12, dtype=np.float64), people)


def test_every_evidence_is_a_cases_by_people_matrix():
    model = ProfileModel(k=3, half_life=5.0).fit(_history())
    case = Cases(["crash in the parser"], [""], np.array([12.0]))
    feats = model.features(case)
    assert set(feats) == set(FEATURES)
    assert all(f.shape == (1, 2) for f in feats.values())
    assert feats["words"][0, 0] > feats["words"][0, 1]
    assert feats["centroid"][0, 0] > feats["centroid"][0, 1]


def test_someone_who_stopped_resolving_fades_behind_the_active():
    texts = ["disk quota exceeded on upload"] * 4 + ["disk quota exceeded on upload"] * 4
    history = Cases(
        texts, [""] * 8, np.array([0, 1, 2, 3, 100, 101, 102, 103], dtype=np.float64), ["old"] * 4 + ["new"] * 4
    )
    model = ProfileModel(k=8, half_life=10.0).fit(history)
    case = Cases(["disk quota exceeded"], [""], np.array([104.0]))
    feats = model.features(case)
    where = {p: i for i, p in enumerate(model.people)}
    assert feats["active"][0, where["new"]] == 1.0 and feats["active"][0, where["old"]] < 0.01
    scores = combine(feats, {"centroid": 1.0, "active": 0.1})
    assert scores[0, where["new"]] > scores[0, where["old"]]


def test_tune_reads_only_the_history_and_keeps_centroid_as_scale():
    weights = tune(_history(), k=3, half_life=5.0)  # too short to tune: the defaults
    assert weights["centroid"] == 1.0
    rng = np.random.default_rng(0)
    topics = ["parser crash generic", "linker undefined symbol", "vectorizer loop simd", "debug info dwarf"]
    people = [f"p{t}" for t in rng.integers(0, 4, 200)]
    texts = [f"{topics[int(p[1])]} case {i}" for i, p in enumerate(people)]
    history = Cases(texts, [""] * 200, np.arange(200, dtype=np.float64), people)
    weights = tune(history, k=5, half_life=40.0)
    assert weights["centroid"] == 1.0 and set(weights) == {*FEATURES, "gate"}
    model = ProfileModel(k=5, half_life=40.0, weights=weights).fit(history)
    scores = model.score(Cases(["linker undefined symbol"], [""], np.array([200.0])))
    assert model.people[int(np.argmax(scores[0]))] == "p1"

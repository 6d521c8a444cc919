"""The labelled swarm threads, drafted by the app's own drafter: the issue's accuracy targets hold."""

from __future__ import annotations

from tests.knowledge_export.threads import load_threads, section_accuracy


def test_the_corpus_has_at_least_thirty_threads_in_korean_english_and_mixed_marked_and_unmarked():
    threads = load_threads()
    assert len(threads) >= 30
    assert sum(t.lang == "ko" for t in threads) >= 10 and sum(t.lang == "en" for t in threads) >= 10
    assert sum(t.id.startswith("mixed") or "mixed" in t.id for t in threads) >= 5
    assert all(any(len(m) > 2 for m in t.messages) for t in threads), "every thread has its marks"
    assert len({t.id for t in threads}) == len(threads)


def test_with_marks_cause_and_resolution_are_always_right_and_unmarked_the_resolution_mostly():
    report = section_accuracy()
    marked, unmarked = report["marked"], report["unmarked"]
    assert (marked["cause"], marked["resolution"]) == (1.0, 1.0), marked
    assert unmarked["resolution"] >= 0.8, unmarked
    assert marked["language"] == 1.0 and unmarked["language"] == 1.0, report

"""Benchmark: how well the offer of existing work before opening a swarm finds the right thing.

    python bench/duplicates.py            # table: duplicates offered first, unrelated offered, per score
    python bench/duplicates.py --json
    python bench/duplicates.py --data tests/data/duplicate_cases_heldout.json   # the held-out set

On tests/data/duplicate_cases.json (hand-labelled: 20 problems already in the app as open swarms,
resolved swarms or published articles; 40 new cases re-reporting them in English and Korean; 40
unrelated new cases, many on the same products), through the app's own function
(`swarms.opening.existing_work.find_existing_work`) on a database seeded with that work. Targets: a known
duplicate offered first >= 80%, an unrelated case offered anything <= 5%. The floors and the glossary
were tuned on that set, so its figures are in-sample; tests/data/duplicate_cases_heldout.json was written
later without looking at either and must not be tuned on.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import swarms.all_models  # noqa: F401
from swarms.case_systems.base import CaseRecord
from swarms.db import make_engine, make_session_factory, upgrade
from swarms.knowledge.models import DraftState, KnowledgeDraft
from swarms.models import Swarm, SwarmStatus
from swarms.opening.existing_work import MIN_SCORE, MIN_SCORE_KOREAN, find_existing_work

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "duplicate_cases.json"
SCORES: tuple[float | None, ...] = (None, 0.2, 0.25, 0.3, 0.35, 0.4)  # None: the app's own floors
TARGET_FIRST, TARGET_FALSE = 0.80, 0.05


@dataclass(frozen=True)
class OfferRates:
    min_score: float | None
    duplicates: int
    offered_first: int
    unrelated: int
    falsely_offered: int
    median_ms: float

    @property
    def first_rate(self) -> float:
        return self.offered_first / self.duplicates

    @property
    def false_rate(self) -> float:
        return self.falsely_offered / self.unrelated

    @property
    def meets_targets(self) -> bool:
        return self.first_rate >= TARGET_FIRST and self.false_rate <= TARGET_FALSE


def seed(sessions, data: dict) -> dict[str, str]:
    """The clusters' existing work in the database; cluster id → the case number it was seeded under."""
    numbers = {}
    with sessions.begin() as session:
        for i, cluster in enumerate(data["clusters"]):
            existing, kind, number = cluster["existing"], cluster["kind"], f"{10000 + i:08d}"
            numbers[cluster["id"]] = number
            swarm = Swarm(case_system="local", case_key=number, case_number=number, case_subject=existing["subject"],
                          case_product=existing["product"], opened_by="U0SEED0001", channel_id=f"CDUP{i:05d}",
                          status=SwarmStatus.OPEN if kind == "open_swarm" else SwarmStatus.CLOSED,
                          resolution_summary=existing["text"] if kind == "resolved_swarm" else "")
            session.add(swarm)
            session.flush()
            if kind == "article":
                session.add(KnowledgeDraft(swarm_id=swarm.id, state=DraftState.PUBLISHED,
                                           export_location=f"https://kb.example/{number}",
                                           draft={"title": existing["subject"], "problem": existing["text"],
                                                  "resolution": existing["text"]}))
    return numbers


def measure(sessions, data: dict, numbers: dict[str, str], min_score: float | None) -> OfferRates:
    first = false = 0
    times = []
    with sessions() as session:
        for cluster in data["clusters"]:
            for i, new in enumerate(cluster["duplicates"]):
                started = time.perf_counter()
                offers = find_existing_work(session, _case(f"{cluster['id']}-{i}", new), "local", min_score=min_score)
                times.append((time.perf_counter() - started) * 1000)
                first += bool(offers) and offers[0].case_number == numbers[cluster["id"]]
        for i, new in enumerate(data["unrelated"]):
            false += bool(find_existing_work(session, _case(f"unrelated-{i}", new), "local", min_score=min_score))
    duplicates = sum(len(c["duplicates"]) for c in data["clusters"])
    times.sort()
    return OfferRates(min_score, duplicates, first, len(data["unrelated"]), false, round(times[len(times) // 2], 2))


def _case(key: str, new: dict) -> CaseRecord:
    return CaseRecord(key=key, number=key, subject=new["subject"], description=new.get("description", ""),
                      product=new.get("product", ""))


def run(scores: tuple[float | None, ...] = SCORES, path: Path = DATA) -> list[OfferRates]:
    data = json.loads(path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/duplicates.sqlite3")
        upgrade(engine)
        sessions = make_session_factory(engine)
        numbers = seed(sessions, data)
        rows = [measure(sessions, data, numbers, score) for score in scores]
        engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--data", type=Path, default=DATA, help="labelled set (default: %(default)s)")
    args = parser.parse_args(argv)
    rows = run(path=args.data)
    if args.json:
        print(json.dumps({"benchmark": "duplicates", "data": str(args.data), "app_min_score": MIN_SCORE,
                          "app_min_score_korean": MIN_SCORE_KOREAN, "targets": {
            "offered_first": TARGET_FIRST, "unrelated_offered": TARGET_FALSE}, "results": [
            {**row.__dict__, "first_rate": round(row.first_rate, 3), "false_rate": round(row.false_rate, 3),
             "meets_targets": row.meets_targets} for row in rows]}))
        return 0
    print(f"{'min score':>9}  {'duplicate offered first':>24}  {'unrelated offered':>18}  {'median ms':>9}  targets")
    for row in rows:
        mark = f" (the app's: {MIN_SCORE} English, {MIN_SCORE_KOREAN} Korean)" if row.min_score is None else ""
        score = "app" if row.min_score is None else f"{row.min_score:.2f}"
        print(f"{score:>9}  {row.offered_first:>4}/{row.duplicates:<3} {row.first_rate:>6.0%}          "
              f"{row.falsely_offered:>3}/{row.unrelated:<3} {row.false_rate:>5.0%}  {row.median_ms:>9}  "
              f"{'met' if row.meets_targets else 'missed'}{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Expert finder benchmark: ranking latency, and evaluation figures beside baselines and published results.

    python bench/expert_rank.py [--sizes 200,2000] [--history 10000] [--repeats 3] [--skip-zips] [--json]

Latency: one case ranked over a synthetic directory (3-8 skills each, realistic names with Korean ones)
with a 10k-row history, warm (history index prepared once, as the app keeps it) and cold (index built
inside the call), p50/p95 in ms. Evaluation: tests/data and both reference zips, chrono and random splits.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from expert_finder.datasets import load_dataset  # noqa: E402
from expert_finder.evaluate import evaluate  # noqa: E402
from expert_finder.history import HistoryIndex  # noqa: E402
from expert_finder.models import CaseQuery, ExpertProfile, PastHelp, Skill, WorkingHours  # noqa: E402
from expert_finder.ranking import rank_experts  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "reference" / "expert-data"
PUBLISHED = {
    "jdt_data": {"top1": 0.431, "top5": 0.701, "top10": 0.816},
    "gcc_data": {"top1": 0.401, "top5": 0.647, "top10": 0.752},
}
NOW = datetime(2025, 3, 4, 10, tzinfo=UTC)
WORDS = [
    *[
        "inverter",
        "firmware",
        "battery",
        "management",
        "modbus",
        "grid",
        "compliance",
        "portal",
        "monitoring",
        "datalogger",
        "wifi",
        "rs485",
    ],
    *[
        "ev",
        "charger",
        "ocpp",
        "rfid",
        "warranty",
        "rma",
        "export",
        "limit",
        "anti",
        "islanding",
        "bms",
        "cell",
        "balancing",
    ],
]
KOREAN = ["인버터 펌웨어", "배터리 관리", "계통 연계", "모니터링 포털", "충전기 오류"]
ZONES = ["UTC", "Europe/Berlin", "Asia/Seoul", "America/New_York", "Australia/Sydney"]


def synthetic_directory(n: int, rng: random.Random) -> list[ExpertProfile]:
    def skill() -> Skill:
        name = rng.choice(KOREAN) if rng.random() < 0.1 else " ".join(rng.sample(WORDS, rng.choice((1, 2, 2, 3))))
        return Skill(name, rng.randint(1, 5))

    return [
        ExpertProfile(
            f"U{i:06d}",
            f"Expert {i}",
            tuple(skill() for _ in range(rng.randint(3, 8))),
            products=tuple(rng.sample(["Hybrid 5K", "PowerCell 10", "EV Charger 22", "DataLogger X"], 2)),
            languages=("en", "ko") if rng.random() < 0.2 else ("en",),
            hours=WorkingHours(rng.choice(ZONES)),
            active_swarms=rng.randint(0, 3),
        )
        for i in range(n)
    ]


def synthetic_history(n: int, users: list[str], rng: random.Random) -> list[PastHelp]:
    kinds = ["resolved", "credited", "contributed", "joined", "declined", "ignored"]
    return [
        PastHelp(
            f"C{i // 2}",
            " ".join(rng.sample(WORDS, 6)) + (" " + rng.choice(KOREAN) if rng.random() < 0.1 else ""),
            "Hybrid 5K",
            rng.choice(users),
            rng.choice(kinds),
            NOW - timedelta(days=rng.random() * 720),
        )
        for i in range(n)
    ]


def latency(size: int, history_rows: int, queries: int = 40) -> dict:
    rng = random.Random(size)
    profiles = synthetic_directory(size, rng)
    history = synthetic_history(history_rows, [p.user_id for p in profiles], rng)
    started = time.perf_counter()
    index = HistoryIndex.build(history)
    build_ms = (time.perf_counter() - started) * 1000
    cases = [
        CaseQuery(
            " ".join(rng.sample(WORDS, 5)),
            "customer reports " + " ".join(rng.sample(WORDS, 8)),
            product="Hybrid 5K",
            needed_skills=tuple(rng.sample(WORDS, 2)),
        )
        for _ in range(queries)
    ]
    warm = []
    for case in cases:
        t = time.perf_counter()
        rank_experts(case, profiles, index, now=NOW)
        warm.append((time.perf_counter() - t) * 1000)
    cold = []
    for case in cases[:3]:
        t = time.perf_counter()
        rank_experts(case, profiles, history, now=NOW)
        cold.append((time.perf_counter() - t) * 1000)
    return {
        "experts": size,
        "history_rows": history_rows,
        "warm_p50_ms": round(float(np.percentile(warm, 50)), 1),
        "warm_p95_ms": round(float(np.percentile(warm, 95)), 1),
        "cold_p50_ms": round(float(np.percentile(cold, 50)), 1),
        "index_build_ms": round(build_ms, 1),
    }


def with_ratios(result: dict) -> dict:
    finder = result["methods"]["finder"]
    result["finder_over"] = {
        base: {k: round(finder[k] / v, 2) if v else None for k, v in result["methods"][base].items()}
        for base in ("similar", "frequent", "random")
    }
    published = PUBLISHED.get(result["data"])
    if published and result["split"] == "random":
        result["published_best"] = published
        result["finder_minus_published"] = {k: round(finder[k] - v, 3) for k, v in published.items()}
    return result


def evaluations(repeats: int, skip_zips: bool) -> list[dict]:
    paths = [ROOT / "tests" / "data" / "support_cases.csv"]
    if not skip_zips:
        paths += [REFERENCE / "jdt_data.csv.zip", REFERENCE / "gcc_data.csv.zip"]
    out = []
    for path in paths:
        data = load_dataset(path)
        for split in ("chrono", "random"):
            out.append(with_ratios(evaluate(data, split, seed=0, repeats=repeats)))
    return out


def print_tables(lat: list[dict], evals: list[dict]) -> None:
    print("Ranking latency, one case (warm: prepared history index; cold: index built in the call)")
    print(f"{'experts':>8}{'history':>9}{'p50 ms':>9}{'p95 ms':>9}{'cold ms':>9}{'index ms':>10}")
    for r in lat:
        print(
            f"{r['experts']:>8}{r['history_rows']:>9}{r['warm_p50_ms']:>9}{r['warm_p95_ms']:>9}"
            f"{r['cold_p50_ms']:>9}{r['index_build_ms']:>10}"
        )
    for e in evals:
        print(
            f"\n{e['data']} · {e['split']} (seed {e['seed']}) · {e['history_cases']} history / {e['test_cases']} test"
        )
        print(
            f"unseen test resolvers: {e['unseen_test_cases']} cases, {e['unseen_resolvers']} people; {e['seconds']} s"
        )
        print(f"{'method':<10}{'top-1':>8}{'top-3':>8}{'top-5':>8}{'top-10':>8}{'MRR':>8}")
        for name, m in e["methods"].items():
            print(f"{name:<10}" + "".join(f"{m[k]:>8.3f}" for k in ("top1", "top3", "top5", "top10", "mrr")))
        if "published_best" in e:
            p = e["published_best"]
            print(f"{'published':<10}{p['top1']:>8.3f}{'':>8}{p['top5']:>8.3f}{p['top10']:>8.3f}")
        s = e["finder_over"]["similar"]
        print(f"finder / similar: top-1 ×{s['top1']}, top-5 ×{s['top5']}, MRR ×{s['mrr']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000")
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3, help="seeds averaged for the random split")
    parser.add_argument("--skip-zips", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    lat = [latency(int(s), args.history) for s in args.sizes.split(",")]
    evals = evaluations(args.repeats, args.skip_zips)
    if args.json:
        print(json.dumps({"latency": lat, "evaluation": evals}))
    else:
        print_tables(lat, evals)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Expert finder benchmark: ranking latency at directory scale beside a naive loop, and evaluation figures.

    python bench/expert_rank.py [--sizes 1000,10000,100000] [--queries 40] [--history 10000]
                                [--naive-max-queries 8] [--skip-eval] [--skip-zips] [--repeats 5]
                                [--ranker app|research] [--json]

Latency, on one pinned core: a few dozen realistic cases (English and Korean, some naming the skills they
need, a requester and members to leave out) ranked over synthetic directories (3-8 skills each from ~330
support skills in English and Korean with Zipf popularity and variant spellings, products, languages,
time zones with day and night shifts, loads) with a 10k-row history. "warm" ranks against a prepared
`DirectoryIndex` and `HistoryIndex`, as the app keeps them; "cold" passes plain profiles and history rows
so both are built inside the call. "naive" is the pairwise loop: every expert's every skill scored against
the case with `fuzz.token_set_ratio` one pair at a time, same history evidence, same rules, checked to
give the same top suggestions; above 10k experts it runs only the first `--naive-max-queries` cases (it
takes seconds per case) and the output says so. Peak memory is tracemalloc's peak of Python allocations
during one call (index build, warm ranking, naive ranking), run apart from the timed calls, beside the
process's maximum RSS.
Evaluation (`--ranker app`, the default: the app's own `rank_experts` beside the research model and the
baselines): tests/data (`support_cases.csv`, 12 people; `support_team_cases.csv`, 32 people) and both
reference zips, chrono, replay (walk-forward, defaults of
`expert_finder.evaluate`) and random splits (means over `--repeats` seeds, 5 by default, ± their standard
deviation), then the Korean case set (tests/data/korean_cases.csv) under replay with Korean words analysed
into morphemes and left whole (`--skip-eval` leaves it all out).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.args import positive_int, positive_int_list  # noqa: E402
from expert_finder.datasets import load_dataset  # noqa: E402
from expert_finder.directory_index import DirectoryIndex, language_code  # noqa: E402
from expert_finder.evaluate import evaluate  # noqa: E402
from expert_finder.evidence import user_features  # noqa: E402
from expert_finder.history import HistoryIndex  # noqa: E402
from expert_finder.matching import LEVEL_FACTOR  # noqa: E402
from expert_finder.models import (  # noqa: E402
    HISTORY_FEATURES,
    CaseQuery,
    ExpertProfile,
    PastHelp,
    RankingPolicy,
    Skill,
    WorkingHours,
)
from expert_finder.normalize import expand, use_morphemes  # noqa: E402
from expert_finder.ranking import rank_experts  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "reference" / "expert-data"
KOREAN = ROOT / "tests" / "data" / "korean_cases.csv"
PUBLISHED = {
    "jdt_data": {"top1": 0.431, "top5": 0.701, "top10": 0.816},
    "gcc_data": {"top1": 0.401, "top5": 0.647, "top10": 0.752},
}
NOW = datetime(2025, 3, 4, 10, tzinfo=UTC)  # a Tuesday
COMPONENTS = [
    *("inverter", "hybrid inverter", "micro inverter", "battery", "battery management", "EV charger"),
    *("wallbox", "datalogger", "monitoring portal", "mobile app", "smart meter", "power optimiser"),
    *("grid connection", "Modbus", "RS485", "Wi-Fi dongle", "heat pump", "backup gateway", "CT clamp"),
    *("load controller", "SSO login", "REST API", "billing", "warranty"),
]
ASPECTS = [
    *("firmware", "installation", "configuration", "troubleshooting", "error codes", "commissioning"),
    *("communication", "update", "replacement", "integration", "compliance", "performance", "data export"),
]
EXTRA = [
    *("anti-islanding", "export limitation", "OCPP", "RFID cards", "RMA process", "tariff setup", "zero export"),
    *("cell balancing", "insulation fault", "arc fault detection", "time-of-use scheduling", "VPP enrolment"),
    *("shading analysis", "string sizing", "earth leakage", "firmware rollback", "certificate renewal"),
]
KO_COMPONENTS = ["인버터", "배터리", "충전기", "모니터링 앱", "데이터로거", "계량기", "태양광 모듈", "계통 연계"]
KO_ASPECTS = ["펌웨어", "설치", "설정", "오류 코드", "교체", "통신"]
VARIANTS = {"firmware": "FW", "configuration": "config", "inverter": "INV", "battery": "batt", "installation": "setup"}
PRODUCTS = [
    *("Hybrid 5K", "Hybrid 10K", "PowerCell 10", "PowerCell 15", "EV Charger 22", "EV Charger 11"),
    *("DataLogger X", "SolarView app", "MicroInv 400", "HeatPump S", "Gateway Pro", "Meter 3P"),
]
SHIFTS = [(clock(9), clock(18))] * 6 + [(clock(8), clock(17)), (clock(7), clock(15, 30)), (clock(22), clock(6))]
ZONES = ["UTC", "Europe/Berlin", "Europe/London", "Asia/Seoul", "America/New_York", "America/Los_Angeles"]
ZONES += ["Australia/Sydney", "Asia/Kolkata"]
PROBLEMS = ["fails after update", "shows error 3012", "stops reporting", "keeps rebooting", "is not detected"]
KO_PROBLEMS = ["오류가 발생했습니다", "연결이 끊깁니다", "업데이트 후 작동하지 않습니다"]
WORDS = ["customer", "reports", "since", "yesterday", "tried", "restarting", "site", "offline", "twice", "installer"]


def vocabulary() -> list[str]:
    """~330 distinct support skills, most popular first (the order sets the Zipf weights)."""
    rng = random.Random(7)
    english = [f"{c} {a}" for c in COMPONENTS for a in ASPECTS]
    korean = [f"{c} {a}" for c in KO_COMPONENTS for a in KO_ASPECTS]
    rng.shuffle(english)
    rng.shuffle(korean)
    skills = english[:260] + EXTRA + korean[:45]
    rng.shuffle(skills)
    return skills


def spelled(name: str, rng: random.Random) -> str:
    """A variant spelling now and then ("Inverter FW", "BATTERY config"), as people type their own skills."""
    if rng.random() < 0.15:
        name = " ".join(VARIANTS.get(w, w) for w in name.split())
    return name.title() if rng.random() < 0.2 else name


def synthetic_directory(n: int, rng: random.Random) -> list[ExpertProfile]:
    skills = vocabulary()
    weights = [1 / (r + 1) ** 0.8 for r in range(len(skills))]

    def profile(i: int) -> ExpertProfile:
        names = dict.fromkeys(rng.choices(skills, weights, k=rng.randint(3, 8)))
        start, end = rng.choice(SHIFTS)
        days = frozenset(range(6)) if rng.random() < 0.1 else frozenset(range(5))
        languages = ("en", *(code for code, share in (("ko", 0.25), ("de", 0.1), ("ja", 0.05)) if rng.random() < share))
        return ExpertProfile(
            f"U{i:06d}",
            f"Expert {i}",
            tuple(Skill(spelled(name, rng), rng.choices((1, 2, 3, 4, 5), (1, 2, 4, 3, 1))[0]) for name in names),
            products=tuple(rng.sample(PRODUCTS, rng.randint(1, 3))),
            languages=languages,
            hours=WorkingHours(rng.choice(ZONES), start, end, days),
            max_concurrent=rng.randint(2, 4),
            active_swarms=rng.choices((0, 1, 2, 3, 4), (5, 4, 3, 2, 1))[0],
            opted_out=rng.random() < 0.02,
        )

    return [profile(i) for i in range(n)]


def synthetic_cases(n: int, profiles: list[ExpertProfile], rng: random.Random) -> list[CaseQuery]:
    skills = vocabulary()
    cases = []
    for _ in range(n):
        product = rng.choice(PRODUCTS)
        wanted = rng.sample(skills[:120], 2)
        if rng.random() < 0.2:
            subject = f"{product} {rng.choice(KO_COMPONENTS)} {rng.choice(KO_ASPECTS)} {rng.choice(KO_PROBLEMS)}"
            language = "ko"
        else:
            subject = f"{product}: {wanted[0]} {rng.choice(PROBLEMS)}"
            language = rng.choice(("en", "en", "de", ""))
        needed = tuple(rng.sample(wanted + rng.sample(skills, 2), rng.choice((0, 0, 1, 2, 3))))
        people = rng.sample(profiles, 3)
        cases.append(
            CaseQuery(
                subject,
                " ".join(rng.sample(WORDS, 6)) + f" {wanted[1]} on site",
                product=product,
                language=language,
                requester_id=people[0].user_id,
                member_ids=frozenset(p.user_id for p in people[1 : rng.randint(1, 3)]),
                needed_skills=needed,
            )
        )
    return cases


def synthetic_history(n: int, users: list[str], rng: random.Random) -> list[PastHelp]:
    skills = vocabulary()
    kinds = ["resolved", "credited", "contributed", "joined", "declined", "ignored"]
    return [
        PastHelp(
            f"C{i // 2}",
            f"{' '.join(rng.sample(skills, 2))} {rng.choice(PROBLEMS)} {' '.join(rng.sample(WORDS, 3))}",
            rng.choice(PRODUCTS),
            rng.choice(users),
            rng.choice(kinds),
            NOW - timedelta(days=rng.random() * 720),
        )
        for i in range(n)
    ]


def _naive_expert(p: ExpertProfile, text: str, needed: list[str], product: str, cutoff: float) -> tuple:
    """One expert scored pair by pair: best skill, coverage of each needed skill, best product."""
    best, covers = 0.0, [0.0] * len(needed)
    for s in p.skills:
        name, weight = expand(s.name), float(LEVEL_FACTOR[min(max(s.level, 1), 5)])
        if not name:
            continue
        best = max(best, fuzz.token_set_ratio(text, name, score_cutoff=cutoff) / 100 * weight)
        for j, q in enumerate(needed):
            covers[j] = max(covers[j], fuzz.token_set_ratio(q, name, score_cutoff=cutoff) / 100 * weight)
    made = max((fuzz.token_sort_ratio(product, expand(x), score_cutoff=90) for x in p.products), default=0) / 100
    return best, covers, made if product else 0.0


def naive_rank(case: CaseQuery, profiles: list[ExpertProfile], index: HistoryIndex, policy: RankingPolicy) -> list:
    """The pairwise-loop ranking: the same rules as `rank_experts`, one expert and one skill at a time."""
    found = user_features(
        index, case.text + " " + case.product, case.product, now=NOW, half_life_days=policy.history_half_life_days
    )
    code = {u: i for i, u in enumerate(index.users)}
    text, product = expand(case.text), expand(case.product)
    needed = [expand(x) for x in case.needed_skills]
    lang = language_code(case.language) if case.language else ""
    w = policy.weights
    scored = []
    for p in profiles:
        at_limit = p.active_swarms >= p.max_concurrent
        working = p.hours.is_working(NOW)
        if p.user_id == case.requester_id or p.user_id in case.member_ids or p.opted_out or at_limit:
            continue  # the default policy excludes those at their limit and down-weights outside hours
        best, covers, made = _naive_expert(p, text, needed, product, policy.skill_cutoff)
        u = code.get(p.user_id)
        history = {f: float(found.features[f][u]) if u is not None else 0.0 for f in HISTORY_FEATURES}
        relevance = w["skill"] * (max(best, sum(covers) / len(covers)) if covers else best) + w["product"] * made
        relevance += sum(w[f] * history[f] for f in HISTORY_FEATURES) * (
            (history["recency"] + 1e-3) ** w["gate"] if w["gate"] else 1.0
        )
        if relevance <= 0:
            continue
        relevance += w["language"] * (lang in {language_code(x) for x in p.languages})
        factor = (float(found.availability[u]) if u is not None else 1.0) * (
            1.0 if working else policy.outside_hours_factor
        )
        final = max(relevance * factor - policy.load_penalty * p.active_swarms, 1e-6)
        scored.append((-round(final, 4), p.active_swarms, p.user_id, [c > 0 for c in covers]))
    scored.sort()
    team, covered = [], [False] * len(needed)
    while not all(covered):
        gains = [sum(h and not c for h, c in zip(row[3], covered, strict=True)) for row in scored]
        if not gains or max(gains) == 0:
            break
        pick = scored.pop(gains.index(max(gains)))
        team.append(pick)
        covered = [c or h for c, h in zip(covered, pick[3], strict=True)]
    return [row[2] for row in (team + scored)[: policy.limit]]


def naive_queries(size: int, queries: int, cap: int) -> int:
    """All cases up to 10k experts; above that, the first `cap` (the loop takes seconds per case)."""
    return queries if size <= 10_000 else min(queries, cap)


CPU_MS: list[float] = []  # CPU time of each `_timed` call: on a shared machine, wall time includes waiting


def _timed(fn, *args) -> tuple[float, object]:
    started, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    CPU_MS.append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - started) * 1000, out


def _peak_mb(fn, *args) -> float:
    tracemalloc.start()
    try:
        fn(*args)
        return round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    finally:
        tracemalloc.stop()


def _ms(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 1)


def latency(size: int, history_rows: int, queries: int, naive_cap: int) -> dict:
    rng = random.Random(size)
    profiles = synthetic_directory(size, rng)
    history = synthetic_history(history_rows, [p.user_id for p in profiles], rng)
    cases = synthetic_cases(queries, profiles, rng)
    policy = RankingPolicy()
    history_ms, index = _timed(HistoryIndex.build, history)
    directory_ms, directory = _timed(DirectoryIndex.build, profiles)
    warm, answers = [], []
    CPU_MS.clear()
    for case in cases:
        ms, ranking = _timed(lambda c: rank_experts(c, directory, index, now=NOW, policy=policy), case)
        warm.append(ms)
        answers.append([s.user_id for s in ranking.suggestions])
    warm_cpu = list(CPU_MS)
    n_naive = naive_queries(size, queries, naive_cap)
    naive, same = [], 0
    for case, answer in zip(cases[:n_naive], answers, strict=False):
        ms, ids = _timed(naive_rank, case, profiles, index, policy)
        naive.append(ms)
        same += ids == answer
    cold_ms, _ = _timed(lambda c: rank_experts(c, profiles, history, now=NOW, policy=policy), cases[0])
    return {
        "experts": size,
        "history_rows": history_rows,
        "distinct_skills": len(directory.skills.flat.names),
        "skill_entries": int(directory.skills.flat.term.size),
        "queries": queries,
        "warm_p50_ms": _ms(warm, 50),
        "warm_p95_ms": _ms(warm, 95),
        "warm_cpu_p50_ms": _ms(warm_cpu, 50),
        "warm_cpu_p95_ms": _ms(warm_cpu, 95),
        "cold_p50_ms": round(cold_ms, 1),
        "index_build_ms": round(history_ms, 1),
        "directory_index_ms": round(directory_ms, 1),
        "naive_queries": n_naive,
        "naive_sampled": n_naive < queries,
        "naive_p50_ms": _ms(naive, 50),
        "naive_p95_ms": _ms(naive, 95),
        "naive_over_warm_p50": round(float(np.median(naive)) / float(np.median(warm[:n_naive])), 1),
        "naive_same_top": f"{same}/{n_naive}",
        "peak_mb_directory_index": _peak_mb(DirectoryIndex.build, profiles),
        "peak_mb_warm_query": _peak_mb(lambda: rank_experts(cases[0], directory, index, now=NOW, policy=policy)),
        "peak_mb_naive_query": _peak_mb(naive_rank, cases[0], profiles, index, policy),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def pin_one_core() -> int | None:
    """Run on the first allowed core only, so the figures are one core's (rapidfuzz and BLAS stay single)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def with_ratios(result: dict) -> dict:
    """The lead method (the app's ranking, or the research model with `--ranker research`) over the others."""
    methods = result["methods"]
    lead_name = "app" if "app" in methods else "finder"
    lead = methods[lead_name]
    result["lead"] = lead_name
    result["lead_over"] = {
        base: {k: round(lead[k] / v, 2) if v else None for k, v in methods[base].items()}
        for base in ("similar", "frequent", "random")
    }
    result["lead_top5_minus_similar_points"] = round(100 * (lead["top5"] - methods["similar"]["top5"]), 1)
    result["lead_top5_minus_best_points"] = round(100 * (lead["top5"] - max(m["top5"] for m in methods.values())), 1)
    published = PUBLISHED.get(result["data"])
    if published and result["split"] == "random":
        result["published_best"] = published
        result["lead_minus_published"] = {k: round(lead[k] - v, 3) for k, v in published.items()}
    return result


def evaluations(repeats: int, skip_zips: bool, ranker: str = "app", korean: bool = True) -> list[dict]:
    paths = [ROOT / "tests" / "data" / "support_cases.csv", ROOT / "tests" / "data" / "support_team_cases.csv"]
    if not skip_zips:
        paths += [REFERENCE / "jdt_data.csv.zip", REFERENCE / "gcc_data.csv.zip"]
    out = []
    for path in paths:
        data = load_dataset(path)
        for split in ("chrono", "replay", "random"):
            out.append(with_ratios(evaluate(data, split, seed=0, repeats=repeats, ranker=ranker)))
    if korean:
        out += korean_with_and_without(ranker)
    return out


def korean_with_and_without(ranker: str) -> list[dict]:
    """The Korean case set under replay, with Korean words analysed into morphemes and left whole."""
    data = load_dataset(KOREAN)
    out = []
    for morphemes in (True, False):
        use_morphemes(morphemes)
        result = with_ratios(evaluate(data, "replay", ranker=ranker))
        result["data"] = f"{data.name} ({'morphemes' if morphemes else 'whole words'})"
        out.append(result)
    use_morphemes(True)
    return out


def print_latency(lat: list[dict], core: int | None) -> None:
    print(f"Ranking latency per case on core {core} (warm: prepared DirectoryIndex and HistoryIndex; cold: both")
    print("built in the call; naive: pairwise token_set_ratio loop over every expert's every skill)")
    head = ["experts", "skills", "p50 ms", "p95 ms", "cpu p50", "cpu p95", "cold ms", "dir idx ms", "hist idx ms"]
    head += ["naive p50", "naive p95", "naive/warm", "same top"]
    print("".join(f"{h:>12}" for h in head))
    for r in lat:
        row = [r["experts"], r["distinct_skills"], r["warm_p50_ms"], r["warm_p95_ms"]]
        row += [r["warm_cpu_p50_ms"], r["warm_cpu_p95_ms"], r["cold_p50_ms"]]
        row += [r["directory_index_ms"], r["index_build_ms"], r["naive_p50_ms"], r["naive_p95_ms"]]
        row += [f"x{r['naive_over_warm_p50']}", r["naive_same_top"]]
        print("".join(f"{v:>12}" for v in row))
    print("\nPeak memory (tracemalloc peak of Python allocations in one call; max RSS is the process so far)")
    print("".join(f"{h:>14}" for h in ["experts", "dir index MB", "warm rank MB", "naive rank MB", "max RSS MB"]))
    for r in lat:
        row = [r["experts"], r["peak_mb_directory_index"], r["peak_mb_warm_query"], r["peak_mb_naive_query"]]
        print("".join(f"{v:>14}" for v in [*row, r["max_rss_mb"]]))
    for r in lat:
        if r["naive_sampled"]:
            print(
                f"naive at {r['experts']} experts: sampled, first {r['naive_queries']} of {r['queries']} cases; "
                "naive/warm compares medians over the same cases"
            )


def print_evaluations(evals: list[dict]) -> None:
    for e in evals:
        print(
            f"\n{e['data']} · {e['split']} (seed {e['seed']}) · {e['history_cases']} history / {e['test_cases']} test"
        )
        print(
            f"unseen test resolvers: {e['unseen_test_cases']} cases, {e['unseen_resolvers']} people; {e['seconds']} s"
        )
        print(f"{'method':<12}" + "".join(f"{h:>13}" for h in ("top-1", "top-3", "top-5", "top-10", "MRR")))
        spread = e.get("spread")
        for name, m in e["methods"].items():
            cells = [f"{m[k]:.3f}" + (f"±{spread[name][k]['std']:.3f}" if spread else "")
                     for k in ("top1", "top3", "top5", "top10", "mrr")]
            print(f"{name:<12}" + "".join(f"{c:>13}" for c in cells))
        if "published_best" in e:
            p = e["published_best"]
            print(f"{'published':<12}{p['top1']:>13.3f}{'':>13}{p['top5']:>13.3f}{p['top10']:>13.3f}")
        s = e["lead_over"]["similar"]
        print(f"{e['lead']} / similar: top-1 ×{s['top1']}, top-5 ×{s['top5']}, MRR ×{s['mrr']}; "
              f"top-5 {e['lead_top5_minus_similar_points']:+.1f} points against similar, "
              f"{e['lead_top5_minus_best_points']:+.1f} against the best method in the run")
        if "methods_without_queue" in e:
            m = e["methods_without_queue"][e["lead"]]
            print(f"without the {e['queue_test_cases']} cases queue accounts ({', '.join(e['queue_accounts'])}) "
                  f"resolved: {e['lead']} top-1 {m['top1']:.3f}, top-5 {m['top5']:.3f}, MRR {m['mrr']:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=positive_int_list, default="1000,10000,100000")
    parser.add_argument("--queries", type=positive_int, default=40, help="cases ranked per directory size")
    parser.add_argument("--history", type=positive_int, default=10_000)
    parser.add_argument(
        "--naive-max-queries", type=positive_int, default=8, help="cases the naive loop runs above 10k"
    )
    parser.add_argument("--repeats", type=positive_int, default=5, help="seeds averaged for the random split")
    parser.add_argument("--ranker", choices=("app", "research"), default="app",
                        help="app: evaluate the app's own ranking beside the models (default)")
    parser.add_argument("--skip-eval", action="store_true", help="latency only")
    parser.add_argument("--skip-zips", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    core = pin_one_core()
    lat = [latency(int(s), args.history, args.queries, args.naive_max_queries) for s in args.sizes]
    evals = [] if args.skip_eval else evaluations(args.repeats, args.skip_zips, args.ranker)
    if args.json:
        print(json.dumps({"core": core, "latency": lat, "evaluation": evals}))
    else:
        print_latency(lat, core)
        print_evaluations(evals)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The evaluation's words: its table, the means and spread over seeds, and the column flags that point it at
any CSV export."""

from __future__ import annotations

import argparse

import numpy as np

from expert_finder.datasets import Columns

CUTOFFS = (1, 3, 5, 10)


def add_column_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "columns of any CSV",
        "name the columns of an export as it is (any of them may be left out but the text and the resolver; "
        "without a time column the file's order is the time order)",
    )
    group.add_argument("--id-col", help="unique case key")
    group.add_argument("--time-col", help="created time (ISO 8601, or day/month/year forms)")
    group.add_argument("--text-cols", help="comma-separated columns joined as the case text")
    group.add_argument("--product-col")
    group.add_argument("--component-col")
    group.add_argument("--resolver-col", help="who resolved the case")


def columns_from(args: argparse.Namespace) -> Columns | None:
    """The named columns, or None when no column flag is given (the file is then recognised by its header)."""
    flags = (args.id_col, args.time_col, args.text_cols, args.product_col, args.component_col, args.resolver_col)
    if not any(flags):
        return None
    return Columns(
        id=args.id_col or "",
        time=args.time_col or "",
        text=tuple(c.strip() for c in (args.text_cols or "").split(",") if c.strip()),
        product=args.product_col or "",
        component=args.component_col or "",
        resolver=args.resolver_col or "",
    )


def average_runs(runs: list[dict]) -> dict:
    """Means over the seeds, with each figure's spread (standard deviation, min, max)."""
    result = dict(runs[0])
    result["seed"] = [r["seed"] for r in runs]
    for key in ("unseen_test_cases", "unseen_resolvers", "ceiling", "seconds", "queue_test_cases"):
        result[key] = round(float(np.mean([r[key] for r in runs])), 3)
    for part in ("methods", "methods_without_queue"):
        if not all(part in r for r in runs):
            result.pop(part, None)
            continue
        result[part] = {
            m: {k: float(np.mean([r[part][m][k] for r in runs])) for k in runs[0][part][m]} for m in runs[0][part]
        }
        result[part.replace("methods", "spread")] = {
            m: {
                k: {
                    "std": float(np.std([r[part][m][k] for r in runs])),
                    "min": float(min(r[part][m][k] for r in runs)),
                    "max": float(max(r[part][m][k] for r in runs)),
                }
                for k in runs[0][part][m]
            }
            for m in runs[0][part]
        }
    result["finder_weights"] = [r["finder_weights"] for r in runs]
    result["app_weights"] = [r["app_weights"] for r in runs]
    result["app_tunings"] = [r["app_tunings"] for r in runs]
    return result


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _head(result: dict) -> list[str]:
    if result["split"] == "replay":
        lag = result["missed_by_refit_lag"]
        return [
            f"{result['data']}: replay split (walk-forward, every method refitted every {result['refit_every']} "
            f"test cases, {result['refits']} refits; finder weights tuned {_times(len(result['tunings']))}"
            + (f", every {result['retune_every']} test cases" if result["retune_every"] else "")
            + (f"; app self-tuned monthly, {_times(len(result['app_tunings']))}, new weights taken "
               f"{_times(sum(t['status'] == 'stored' for t in result['app_tunings']))}"
               if result.get("app_tunings") else "")
            + f"), seed {result['seed']}, history growing from "
            f"{result['history_cases']} cases ({result['people_in_history']} people) through "
            f"{result['test_cases']} test cases",
            f"test cases whose resolver appears in no earlier case: {result['unseen_test_cases']} "
            f"({result['unseen_resolvers']} people); ceiling for any history-based method {result['ceiling']:.3f}"
            + (f"; {lag} more missed only because their resolver's first case is in the same block" if lag else ""),
        ]
    seeds = result["seed"]
    seed_words = f"seeds {seeds[0]}-{seeds[-1]} (means ± standard deviation)" if isinstance(seeds, list) else (
        f"seed {seeds}"
    )
    return [
        f"{result['data']}: {result['split']} split, {seed_words}, "
        f"{result['history_cases']} history / {result['test_cases']} test cases, "
        f"{result['people_in_history']} people in history",
        f"test cases whose resolver never appears in the history: {result['unseen_test_cases']} "
        f"({result['unseen_resolvers']} people); ceiling for any history-based method {result['ceiling']:.3f}",
    ]


def _rows(methods: dict, spread: dict | None) -> list[str]:
    width = 15 if spread else 8
    lines = [f"{'method':<12}" + "".join(f"{f'top-{k}':>{width}}" for k in CUTOFFS) + f"{'MRR':>{width}}"]
    for name, m in methods.items():
        cells = []
        for key in (*(f"top{k}" for k in CUTOFFS), "mrr"):
            cell = f"{m[key]:.3f}" + (f" ±{spread[name][key]['std']:.3f}" if spread else "")
            cells.append(f"{cell:>{width}}")
        lines.append(f"{name:<12}" + "".join(cells))
    return lines


def format_table(result: dict) -> str:
    lines = [*_head(result), *_rows(result["methods"], result.get("spread"))]
    queues = result.get("queue_accounts") or []
    if queues:
        lines.append(
            f"queue accounts, never ranked: {', '.join(queues)}; they resolved {result['queue_test_cases']} "
            "test cases (misses above)"
        )
    if "methods_without_queue" in result:
        lines.append("without the cases queue accounts resolved:")
        lines += _rows(result["methods_without_queue"], result.get("spread_without_queue"))
    methods = result["methods"]
    lead = "app" if "app" in methods else "finder"
    gap = 100 * (methods[lead]["top5"] - methods["similar"]["top5"])
    lines.append(f"{lead} top-5 against similar past cases: {gap:+.1f} points")
    if lead == "app":
        best = max(m["top5"] for m in methods.values())
        lines.append(f"app top-5 against the best method in this run: {100 * (methods['app']['top5'] - best):+.1f} "
                     "points")
    return "\n".join(lines)

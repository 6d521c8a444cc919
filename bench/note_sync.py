"""Note-sync benchmark: a burst of thread messages through the real bot into the outbox and on to Salesforce.

    python bench/note_sync.py              # 5,000 messages, the whole process pinned to one core
    python bench/note_sync.py --json       # one JSON object of the figures
    python bench/note_sync.py --messages 1000 --cores 0   # smaller, all cores

What runs: the Slack stand-in sends signed `message` events (4 sender threads, like Slack's parallel
delivery) to the bot's real HTTP endpoint; the bot captures each into the outbox (one transaction per
event, SQLite file); the delivery worker batches them to a Salesforce stand-in over HTTP through the
real Salesforce adapter (sObject Collections, 200 a call). Measured in the same run:

* notes/s into the outbox (first event sent → last outbox row committed),
* notes/s end to end and the p50/p95 delay from the Slack message to the Salesforce record,
* Salesforce REST calls per note in the burst, beside the naive path (one call per note, same adapter),
* the delay of a lone note after the burst (target ≤ 2 s).

Targets (issue 5): ≥ 200 notes/s into the outbox on one core; ≤ 0.02 calls per note; lone note ≤ 2 s.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bench.salesforce_standin import SalesforceStandIn
from bot.standin_run import start_standin_run
from swarms.case_systems.base import NoteKind, NoteToWrite
from swarms.case_systems.salesforce import SalesforceCaseSystem
from swarms.case_systems.salesforce_auth import SalesforceConfig
from swarms.db import make_engine, make_session_factory, upgrade
from swarms.models import Note, OutboxItem
from swarms.settings import Settings

SENDERS = 4
NAIVE_NOTES = 300
_INDEX = re.compile(r"burst message #(\d+)")


def salesforce_env(url: str) -> dict[str, str]:
    return {"SALESFORCE_CLIENT_ID": "bench", "SALESFORCE_CLIENT_SECRET": "bench", "SALESFORCE_LOGIN_URL": url,
            "SALESFORCE_INSTANCE_URL": url, "SALESFORCE_API_VERSION": "61.0"}


def wait_until(condition, timeout: float, step: float = 0.01) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise TimeoutError("benchmark condition not reached")
        time.sleep(step)
    return time.monotonic()


def run(messages: int) -> dict:
    salesforce = SalesforceStandIn().start()
    case = salesforce.add_case("00001026", "Inverter shows E-21 after firmware update", "FW 3.2 trips every hour")
    folder = Path(tempfile.mkdtemp(prefix="case-swarm-bench-"))
    engine = make_engine(f"sqlite:///{folder / 'bench.sqlite3'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    env = salesforce_env(salesforce.url)
    cases = SalesforceCaseSystem(SalesforceConfig.from_env(env))
    settings = Settings(case_system="salesforce", env=env)
    run = start_standin_run(sessions, settings=settings, case_system=cases, linger=0.5)
    try:
        return _measure(run, salesforce, case.id, sessions, messages, env)
    finally:
        run.stop()
        salesforce.stop()
        engine.dispose()


def _measure(run, salesforce, case_id, sessions, messages: int, env: dict) -> dict:
    ws, driver = run.workspace, run.driver
    agent = ws.add_user("dana", real_name="Dana Agent", locale="en-US")
    experts = [ws.add_user(f"expert{i}", real_name=f"전문가 {i}", locale="ko-KR") for i in range(8)]
    driver.command("/swarm", "00001026", user=agent, channel=ws.general_id)
    run.settle()
    channel = next(c for c in ws.channels() if c.name.startswith("swarm-00001026"))
    for expert in experts:
        ws.join(channel.id, expert)
    card_ts = ws.messages(channel.id)[0]["ts"]
    for person in [agent, *experts]:  # names cached, as in a live swarm after its first minutes
        run.services.people.get(person)
    run.settle()
    calls_before = salesforce.rest_calls()
    sent_at: dict[int, float] = {}

    def send(index: int) -> None:
        now = time.time()
        sent_at[index] = now
        event = {"type": "message", "channel": channel.id, "user": experts[index % len(experts)],
                 "text": f"burst message #{index}: 인버터 로그 확인 결과 DC 절연 저항 {index % 97} kΩ",
                 "ts": f"{now:.6f}"[:-3] + f"{index % 1000:03d}", "thread_ts": card_ts, "channel_type": "group",
                 "event_ts": f"{now:.6f}"}
        result = driver.event(event)
        if result.status != 200:
            raise RuntimeError(f"the bot answered {result.status} to event {index}")

    start = time.monotonic()
    with ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(send, range(messages)))

    def outbox_rows() -> int:
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(OutboxItem))

    ingested = wait_until(lambda: outbox_rows() >= messages, 120)
    delivered = wait_until(lambda: len(salesforce.comments) >= messages, 300)
    burst_calls = salesforce.rest_calls() - calls_before
    delays = []
    for comment in list(salesforce.comments):
        match = _INDEX.search(comment.get("CommentBody", ""))
        if match:
            delays.append(comment["received_at"] - sent_at[int(match.group(1))])
    lone = _lone_note(run, salesforce, channel.id, card_ts, experts[0])
    naive = _naive(env, case_id, salesforce)
    with sessions() as session:
        notes = session.scalar(select(func.count()).select_from(Note))
    ingest_s, total_s = ingested - start, delivered - start
    return {
        "messages": messages,
        "notes_captured": notes,
        "outbox_notes_per_s": round(messages / ingest_s, 1),
        "end_to_end_notes_per_s": round(messages / total_s, 1),
        "delay_p50_s": round(statistics.median(delays), 3),
        "delay_p95_s": round(statistics.quantiles(delays, n=20)[18], 3),
        "salesforce_calls": burst_calls,
        "calls_per_note": round(burst_calls / messages, 4),
        "naive_calls_per_note": naive["calls_per_note"],
        "naive_notes_per_s": naive["notes_per_s"],
        "calls_ratio_naive_over_batched": round(naive["calls_per_note"] / max(burst_calls / messages, 1e-9), 1),
        "lone_note_delay_s": round(lone, 3),
        "cpu_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
    }


def _lone_note(run, salesforce, channel_id: str, card_ts: str, user: str) -> float:
    run.settle()
    time.sleep(1.0)  # the burst is long over: the worker is asleep
    before = len(salesforce.comments)
    start = time.time()
    run.driver.user_posts(user, channel_id, "lone note: 재부팅 후 정상 동작 확인", thread_ts=card_ts)
    wait_until(lambda: len(salesforce.comments) > before, 10)
    return salesforce.comments[-1]["received_at"] - start


def _naive(env: dict, case_id: str, salesforce) -> dict:
    """The same adapter, one call per note: what a plain 'post each note as it comes' integration does."""
    cases = SalesforceCaseSystem(SalesforceConfig.from_env(env))
    cases.rest.login()
    before = salesforce.rest_calls()
    start = time.monotonic()
    for index in range(NAIVE_NOTES):
        note = NoteToWrite(idempotency_key=f"naive-{index}", case_key=case_id, author_name="전문가",
                           body=f"naive note #{index}", created_at=datetime.now(UTC), kind=NoteKind.ADD)
        cases.add_notes([note])
    elapsed = time.monotonic() - start
    calls = salesforce.rest_calls() - before
    return {"calls_per_note": round(calls / NAIVE_NOTES, 3), "notes_per_s": round(NAIVE_NOTES / elapsed, 1)}


def print_table(figures: dict) -> None:
    rows = [
        ("messages in the burst", f"{figures['messages']:,}", ""),
        ("CPU cores used", str(figures["cpu_cores"]), ""),
        ("into the outbox", f"{figures['outbox_notes_per_s']:,} notes/s", "target ≥ 200"),
        ("end to end (Slack → Salesforce)", f"{figures['end_to_end_notes_per_s']:,} notes/s", ""),
        ("delay Slack → case note, p50", f"{figures['delay_p50_s']} s", ""),
        ("delay Slack → case note, p95", f"{figures['delay_p95_s']} s", ""),
        ("Salesforce calls per note (batched)", str(figures["calls_per_note"]), "target ≤ 0.02"),
        ("Salesforce calls per note (naive)", str(figures["naive_calls_per_note"]),
         f"{figures['naive_notes_per_s']} notes/s"),
        ("naive ÷ batched calls", f"{figures['calls_ratio_naive_over_batched']}×", ""),
        ("lone note delay", f"{figures['lone_note_delay_s']} s", "target ≤ 2"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>18}  {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--cores", type=int, default=1, help="pin the process to this many cores (0: all)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[: args.cores]))
    figures = run(args.messages)
    if args.json:
        print(json.dumps(figures))
    else:
        print_table(figures)
    ok = (figures["outbox_notes_per_s"] >= 200 and figures["calls_per_note"] <= 0.02
          and figures["lone_note_delay_s"] <= 2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

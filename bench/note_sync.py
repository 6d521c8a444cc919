"""Note-sync benchmark: a burst of thread messages through the real bot into the outbox and on to Salesforce.

    python bench/note_sync.py              # 5,000 messages, the bot pinned to one core
    python bench/note_sync.py --json       # one JSON object of the figures
    python bench/note_sync.py --messages 1000 --cores 0   # smaller, all cores

The bench measures the bot, not the load generator: the Slack driver that signs and sends the burst
runs in its own process (multiprocessing, spawned), pinned to a core of its own when the machine has
two or more; the bot's process (the bot, its HTTP server, the delivery worker and the stand-ins it
calls) is pinned to `--cores` cores (1 by default). On a single-core machine both share it, and the
table says so.

What runs: the driver process sends signed `message` events (4 sender threads, like Slack's parallel
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
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bench.args import non_negative_int, positive_int
from bench.salesforce_standin import SalesforceStandIn
from bot.demo.standin_run import SIGNING_SECRET, start_standin_run
from slack_standin.signing import signed_headers
from swarms.case_systems.base import NoteKind, NoteToWrite
from swarms.case_systems.salesforce import SalesforceCaseSystem
from swarms.db import make_engine, make_session_factory, upgrade
from swarms.models import Note, OutboxItem
from swarms.settings import Settings
from swarms.vendor_settings import salesforce_from_env

SENDERS = 4
NAIVE_NOTES = 300
_INDEX = re.compile(r"burst message #(\d+)")


def salesforce_env(url: str) -> dict[str, str]:
    return {"SALESFORCE_CLIENT_ID": "bench", "SALESFORCE_CLIENT_SECRET": "bench", "SALESFORCE_LOGIN_URL": url,
            "SALESFORCE_INSTANCE_URL": url, "SALESFORCE_API_VERSION": "61.0"}


def wait_until(condition, timeout: float, step: float = 0.01) -> float:
    """Poll until `condition()`; the wall-clock time it held (comparable across processes)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise TimeoutError("benchmark condition not reached")
        time.sleep(step)
    return time.time()


def _pin_driver(cores: list[int]) -> None:
    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(cores))


def _ready() -> float:
    return time.time()


def drive(url: str, envelopes: list[dict], senders: int) -> dict[int, float]:
    """In the driver process: send each envelope (its event ts stamped at send time); when each was sent."""
    sent_at: dict[int, float] = {}

    def send(index: int) -> None:
        envelope = envelopes[index]
        now = time.time()
        sent_at[index] = now
        event = envelope["event"]
        event["ts"] = f"{now:.6f}"[:-3] + f"{index % 1000:03d}"
        event["event_ts"] = f"{now:.6f}"
        body = json.dumps(envelope).encode()
        headers = signed_headers(SIGNING_SECRET, body, content_type="application/json")
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            raise RuntimeError(f"the bot answered {status} to event {index}")

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(send, range(len(envelopes))))
    return sent_at


def split_cores(bot_cores: int) -> tuple[list[int], list[int], str]:
    """(bot cores, driver cores, description): the driver gets a core of its own when there is one."""
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if not available:
        return [], [], "not pinned (no sched_setaffinity)"
    bot = available[:bot_cores] if bot_cores else available
    rest = [core for core in available if core not in bot]
    if rest:
        return bot, rest[:1], f"bot on {len(bot)} core(s) {bot}, Slack driver process on core {rest[0]}"
    return bot, bot, f"bot on {len(bot)} core(s) {bot}, Slack driver process shares them (no spare core)"


def run(messages: int, driver_cores: list[int] | None = None) -> dict:
    salesforce = SalesforceStandIn().start()
    case = salesforce.add_case("00001026", "Inverter shows E-21 after firmware update", "FW 3.2 trips every hour")
    folder = Path(tempfile.mkdtemp(prefix="case-swarm-bench-"))
    engine = make_engine(f"sqlite:///{folder / 'bench.sqlite3'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    env = salesforce_env(salesforce.url)
    cases = SalesforceCaseSystem(salesforce_from_env(env))
    settings = Settings.from_env({"CASE_SYSTEM": "salesforce", **env}, needs_slack=False)
    run = start_standin_run(sessions, settings=settings, case_system=cases, linger=0.5)
    try:
        return _measure(run, salesforce, case.id, sessions, messages, env, driver_cores or [])
    finally:
        run.stop()
        salesforce.stop()
        engine.dispose()


def _measure(run, salesforce, case_id, sessions, messages: int, env: dict, driver_cores: list[int]) -> dict:
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
        run.services.people.get(ws.team_id, person)
    run.settle()
    envelopes = [
        driver.envelope({"type": "message", "channel": channel.id, "user": experts[index % len(experts)],
                         "text": f"burst message #{index}: 인버터 로그 확인 결과 DC 절연 저항 {index % 97} kΩ",
                         "ts": "", "thread_ts": card_ts, "channel_type": "group", "event_ts": ""})
        for index in range(messages)
    ]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_pin_driver, initargs=(driver_cores,)) as pool:
        pool.submit(_ready).result()  # the driver process is up and has imported everything
        calls_before = salesforce.rest_calls()
        cpu_before = time.process_time()
        start_wall = time.time()
        sent_at = pool.submit(drive, driver.url, envelopes, SENDERS).result()
    start = min(sent_at.values(), default=start_wall)

    def outbox_rows() -> int:
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(OutboxItem))

    ingested = wait_until(lambda: outbox_rows() >= messages, 120)
    cpu_per_note = (time.process_time() - cpu_before) / messages  # the bot process: listeners, worker, all
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
        "bot_cpu_ms_per_note": round(cpu_per_note * 1000, 2),
        "notes_per_cpu_second": round(1 / cpu_per_note, 1),
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
        "driver_cores": driver_cores,
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
    cases = SalesforceCaseSystem(salesforce_from_env(env))
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
        ("CPU cores of the bot process", str(figures["cpu_cores"]), ""),
        ("Slack driver", "own process", figures.get("pinning", "")),
        ("into the outbox", f"{figures['outbox_notes_per_s']:,} notes/s", "target ≥ 200"),
        ("bot CPU per note (whole process)", f"{figures['bot_cpu_ms_per_note']} ms",
         f"= {figures['notes_per_cpu_second']:,} notes per CPU-second"),
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
    parser.add_argument("--messages", type=positive_int, default=5000)
    parser.add_argument(
        "--cores", type=non_negative_int, default=1, help="pin the process to this many cores (0: all)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    bot_cores, driver_cores, pinning = split_cores(args.cores)
    if bot_cores and args.cores:
        os.sched_setaffinity(0, set(bot_cores))
    figures = run(args.messages, driver_cores if args.cores else [])
    figures["pinning"] = pinning if args.cores else "not pinned (--cores 0)"
    if args.json:
        print(json.dumps(figures))
    else:
        print_table(figures)
    ok = (figures["outbox_notes_per_s"] >= 200 and figures["calls_per_note"] <= 0.02
          and figures["lone_note_delay_s"] <= 2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

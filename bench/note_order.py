"""Note order and crash recovery across replicas, on PostgreSQL: concurrent capture, concurrent delivery, kill -9.

    python bench/note_order.py --database-url postgresql://postgres@127.0.0.1:5432/cs_bench_order
    python bench/note_order.py --json --notes 1200 --cases 12

Each case gets `--notes / --cases` messages with rising Slack ts. Writer processes capture them the way
the message listener does (`capture_note`, one transaction per message, several threads each), so
consecutive messages of one case are captured at the same moment by different processes, as when
Slack's parallel deliveries land on different replicas. Meanwhile `--replicas` delivery processes each
run the real delivery loop (`deliver_due`, small batches) against the built-in case store behind a
few milliseconds of latency. The case store's note ids say in which order notes reached each case.

Then the crash drill: one replica's case system hangs inside the call, holding claimed rows; it is
killed with SIGKILL, and the bench times how long two idle replicas (their delivery workers as `serve`
runs them, nudged by nothing) take to deliver those rows: the lease (NOTE_SYNC_LEASE_SECONDS, 15 s) and
the worker's own wake-up (every third of a lease).

Figures: notes lost and doubled; per-case inversions against capture order (a note that reached its
case after a note captured later) and against Slack ts order; seconds from kill -9 to the held notes
delivered (target < 30). The database given is the bench's own: its schema is dropped first.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench.args import positive_int
from swarms.case_systems.local import LocalCaseSystem
from swarms.db import make_engine, make_session_factory, upgrade
from swarms.models import Case, LocalCaseNote, Note, OutboxItem, OutboxState, Swarm, SwarmStatus
from swarms.note_sync.capture import CapturedMessage, SwarmRef, capture_note
from swarms.note_sync.delivery import deliver_due
from swarms.note_sync.delivery_worker import DeliveryWorker

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/case_swarm_bench_order"
BASE_TS = 1_760_000_000
KILL_WAIT = 90.0


def channel_of(case: int) -> str:
    return f"C0ORDER{case:04d}"


def message_ts(index: int) -> str:
    return f"{BASE_TS + index}.{index % 1_000_000:06d}"


class SlowCaseStore(LocalCaseSystem):
    """The built-in store behind a case system's latency; `hang_file` set: the first call hangs there."""

    def __init__(self, sessions, *, latency: float, hang_file: str = "") -> None:
        super().__init__(sessions)
        self._latency = latency
        self._hang_file = hang_file

    def add_notes(self, notes):
        if self._hang_file:
            Path(self._hang_file).write_text(json.dumps([n.idempotency_key for n in notes]))
            time.sleep(3600)  # killed here, holding its rows
        time.sleep(self._latency)
        return super().add_notes(notes)


# ---------------------------------------------------------------- child processes


def _engine(url: str):
    return make_engine(url)


def write_notes(url: str, swarms: list[dict], indexes: list[int], threads: int) -> int:
    """A writer process: capture its share of messages, `threads` at a time, as the listener does."""
    engine = _engine(url)
    sessions = make_session_factory(engine)
    refs = {s["case"]: SwarmRef(s["id"], "local", s["key"], s["channel"], None) for s in swarms}
    per_case = len(refs)
    lock = threading.Lock()
    queue = list(indexes)
    captured = 0

    def work() -> None:
        nonlocal captured
        while True:
            with lock:
                if not queue:
                    return
                index = queue.pop(0)
            case = index % per_case
            ref = refs[case]
            message = CapturedMessage(channel_id=ref.channel_id, ts=message_ts(index), user_id="U0EXPERT1",
                                      author_name="Expert", text=f"order #{index}", body=f"order #{index}",
                                      thread_ts=message_ts(case), event_id=f"EvOrder{index}")
            with sessions.begin() as session:
                if capture_note(session, ref, message, check_swarm=True) is not None:
                    with lock:
                        captured += 1

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    engine.dispose()
    return captured


def deliver_loop(url: str, latency: float, batch: int, seconds: float, hang_file: str = "") -> int:
    """A delivery replica: the real delivery loop, again and again, until told to stop by the clock."""
    logging.basicConfig(level=logging.ERROR)
    engine = _engine(url)
    sessions = make_session_factory(engine)
    cases = SlowCaseStore(sessions, latency=latency, hang_file=hang_file)
    delivered = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        delivered += deliver_due(sessions, cases, batch_size=batch).delivered
        time.sleep(0.01)
    engine.dispose()
    return delivered


def idle_replica(url: str, latency: float, seconds: float) -> int:
    """A replica with nothing captured locally: only its delivery worker's own wake-ups send anything."""
    logging.basicConfig(level=logging.ERROR)
    engine = _engine(url)
    sessions = make_session_factory(engine)
    worker = DeliveryWorker(sessions, SlowCaseStore(sessions, latency=latency))
    worker.start()
    time.sleep(seconds)
    worker.stop()
    engine.dispose()
    return worker.totals.delivered


# ---------------------------------------------------------------- the run


def prepare(url: str, cases: int) -> list[dict]:
    engine = _engine(url)
    with engine.begin() as conn:  # the bench's own database: start from nothing
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    sessions = make_session_factory(engine)
    swarms = []
    with sessions.begin() as session:
        for case in range(cases):
            number = f"0009{case:04d}"
            session.add(Case(number=number, subject=f"order case {case}", status="Open"))
            swarm = Swarm(case_system="local", case_key=number, case_number=number, status=SwarmStatus.OPEN,
                          channel_id=channel_of(case), opened_by="U0AGENT1")
            session.add(swarm)
            session.flush()
            swarms.append({"case": case, "id": swarm.id, "key": number, "channel": channel_of(case)})
    engine.dispose()
    return swarms


def count_inversions(sequence: list[int]) -> int:
    """Notes that reached their case after a note that should have come later."""
    latest, late = None, 0
    for value in sequence:
        if latest is not None and value < latest:
            late += 1
        else:
            latest = value
    return late


def order_figures(url: str) -> dict:
    engine = _engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        arrived = session.execute(
            select(Case.number, LocalCaseNote.idempotency_key, LocalCaseNote.id)
            .join(Case, Case.id == LocalCaseNote.case_id)
            .where(LocalCaseNote.revises_id.is_(None))
            .order_by(LocalCaseNote.id)
        ).all()
        rows = session.execute(select(OutboxItem.idempotency_key, OutboxItem.seq, Note.message_ts)
                               .join(Note, Note.id == OutboxItem.note_id)).all()
        pending = session.scalar(select(func.count()).select_from(OutboxItem)
                                 .where(OutboxItem.state != OutboxState.DELIVERED))
    engine.dispose()
    captured = {key: (order, float(ts)) for key, order, ts in rows}
    by_case: dict[str, list[str]] = {}
    for number, key, _ in arrived:
        by_case.setdefault(number, []).append(key)
    capture_inversions = sum(count_inversions([captured[k][0] for k in keys]) for keys in by_case.values())
    ts_inversions = sum(count_inversions([int(captured[k][1] * 1e6) for k in keys]) for keys in by_case.values())
    keys = [key for _, key, _ in arrived]
    return {"captured": len(captured), "delivered": len(set(keys)), "duplicated": len(keys) - len(set(keys)),
            "lost": len(set(captured) - set(keys)), "not_delivered_rows": pending,
            "capture_order_inversions": capture_inversions, "slack_ts_inversions": ts_inversions}


def wait_delivered(url: str, total: int, timeout: float) -> float:
    engine = _engine(url)
    start = time.monotonic()
    try:
        while time.monotonic() - start < timeout:
            with engine.connect() as conn:
                count = conn.execute(select(func.count()).select_from(OutboxItem)
                                     .where(OutboxItem.state == OutboxState.DELIVERED)).scalar()
            if count >= total:
                return time.monotonic() - start
            time.sleep(0.05)
        raise TimeoutError(f"only {count} of {total} delivered after {timeout} s")
    finally:
        engine.dispose()


def run_order(url: str, notes: int, cases: int, writers: int, replicas: int, latency: float, batch: int) -> dict:
    swarms = prepare(url, cases)
    context = multiprocessing.get_context("spawn")
    budget = 120.0
    with context.Pool(writers + replicas) as pool:
        delivering = [pool.apply_async(deliver_loop, (url, latency, batch, budget)) for _ in range(replicas)]
        started = time.monotonic()
        shares = [list(range(w, notes, writers)) for w in range(writers)]
        written = [pool.apply_async(write_notes, (url, swarms, share, 4)) for share in shares]
        captured = sum(result.get(timeout=budget) for result in written)
        capture_s = time.monotonic() - started
        drain_s = wait_delivered(url, captured, budget)
        pool.terminate()
        del delivering
    return {"capture_s": round(capture_s, 2), "drain_after_capture_s": round(drain_s, 2), **order_figures(url)}


def run_kill(url: str, notes: int, latency: float, batch: int) -> dict:
    """A replica dies (kill -9) inside the case-system call; how long until the idle replicas' workers send its rows."""
    swarms = prepare(url, 2)
    hang_file = Path(tempfile.mkdtemp(prefix="case-swarm-order-")) / "hanging.json"
    context = multiprocessing.get_context("spawn")
    doomed = context.Process(target=deliver_loop, args=(url, latency, batch, 600.0, str(hang_file)))
    write_notes(url, swarms, list(range(notes)), 2)
    doomed.start()
    deadline = time.monotonic() + 60
    while not hang_file.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    held = len(json.loads(hang_file.read_text() or "[]")) if hang_file.exists() else 0
    with context.Pool(2) as pool:
        survivors = [pool.apply_async(idle_replica, (url, latency, 120.0)) for _ in range(2)]
        time.sleep(0.5)  # the survivors are running and find the rows held
        os.kill(doomed.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        doomed.join()
        try:
            wait_delivered(url, notes, KILL_WAIT)
            recovery: float | None = round(time.monotonic() - killed_at, 2)
        except TimeoutError:
            recovery = None  # not within KILL_WAIT
        pool.terminate()
        del survivors
    return {"held_by_killed_replica": held, "recovered_after_kill_s": recovery, **order_figures(url)}


def _seconds(value: float | None) -> str:
    return f"> {KILL_WAIT:.0f} s" if value is None else f"{value} s"


def print_table(figures: dict) -> None:
    order, kill = figures["order"], figures["kill"]
    rows = [
        ("notes captured", order["captured"], f"{figures['cases']} cases, {figures['writers']} writer processes"),
        ("delivery replicas (processes)", figures["replicas"], f"batch {figures['batch']}"),
        ("lost / doubled", f"{order['lost']} / {order['duplicated']}", "target 0 / 0"),
        ("per-case inversions vs capture order", order["capture_order_inversions"], "target 0"),
        ("per-case inversions vs Slack ts", order["slack_ts_inversions"], "captures race each other"),
        ("capture time", f"{order['capture_s']} s", ""),
        ("delivered after capture ended", f"{order['drain_after_capture_s']} s", ""),
        ("kill -9 mid-delivery: rows held", kill["held_by_killed_replica"], ""),
        ("kill -9 → held rows delivered", _seconds(kill["recovered_after_kill_s"]), "target < 30"),
        ("kill drill lost / doubled / inversions",
         f"{kill['lost']} / {kill['duplicated']} / {kill['capture_order_inversions']}", "target 0 / 0 / 0"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value!s:>10}  {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
                        help="a PostgreSQL database of the bench's own (its schema is dropped)")
    parser.add_argument("--notes", type=positive_int, default=1200)
    parser.add_argument("--cases", type=positive_int, default=12)
    parser.add_argument("--writers", type=positive_int, default=3)
    parser.add_argument("--replicas", type=positive_int, default=3)
    parser.add_argument("--batch", type=positive_int, default=20)
    parser.add_argument("--latency-ms", type=positive_int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    if make_url(url).get_backend_name() != "postgresql":
        parser.error("--database-url must be a PostgreSQL database (the bench is about several processes)")
    logging.basicConfig(level=logging.ERROR)
    latency = args.latency_ms / 1000
    figures = {"cases": args.cases, "writers": args.writers, "replicas": args.replicas, "batch": args.batch,
               "order": run_order(url, args.notes, args.cases, args.writers, args.replicas, latency, args.batch),
               "kill": run_kill(url, min(args.notes, 200), latency, args.batch)}
    if args.json:
        print(json.dumps(figures))
    else:
        print_table(figures)
    order, kill = figures["order"], figures["kill"]
    ok = (order["lost"] == order["duplicated"] == order["capture_order_inversions"] == 0
          and kill["lost"] == kill["duplicated"] == 0 and (kill["recovered_after_kill_s"] or KILL_WAIT) < 30)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

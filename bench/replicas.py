"""The replica drill: N real `case-swarm serve` processes (and `worker`s) on one fresh PostgreSQL database.

    python bench/replicas.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python bench/replicas.py --json --replicas 3 --messages 600

With the Slack stand-in as Slack and the HTTP Salesforce stand-in as the case system, it runs, in order:
start-up of all processes together on an empty database; swarms opened one by one, one case opened
from every replica at once, and one `/swarm` replayed (same trigger id) to two replicas; a burst of
message events, each delivered again as Slack's retry to another replica, with one replica killed -9
halfway; the process sending to Salesforce killed -9 mid-call; a Salesforce outage and recovery; the
scheduler's leader killed -9; the archive, the expert answer check and the weekly digest falling due;
load at `--rate` requests a second. It prints the figures against the issue's targets as a table
(or one JSON object with `--json`). Every process is started and stopped by its pid; all traffic
stays on 127.0.0.1; every wait is bounded. The drill's database is created and dropped by it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.args import positive_int
from bench.note_sync import salesforce_env
from bench.replica_drill import (
    AGENT,
    EXPERT,
    MANAGER,
    SECRET,
    TOKEN,
    Traffic,
    inversions,
    percentile,
    wait_for,
)
from bench.replica_fleet import Fleet, fresh_database, pid_holding_port

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FIRST_CASE = 30_000_001


@dataclass
class DrillConfig:
    replicas: int = 3
    workers: int = 0
    cases: int = 8
    messages: int = 600
    rate: int = 100
    load_seconds: float = 10.0
    outage_seconds: float = 10.0
    base_port: int = 21100
    answer_check: bool = True  # EXPERTS_ANSWER_MINUTES is 1 at least: this keeps the drill over a minute
    archive_and_digest: bool = True
    kill_in_burst: bool = True
    kill_sender: bool = True
    failover: bool = True
    lease_seconds: int = 15  # SCHEDULER_LEASE_SECONDS
    note_lease_seconds: int = 15  # NOTE_SYNC_LEASE_SECONDS
    archive_days: str = "0.0001"  # 8.6 s after closing
    replace_killed: bool = True  # start a new process for each one killed, as an orchestrator would


@dataclass
class DrillResult:
    figures: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def replica_env(database_url: str, traffic: Traffic, config: DrillConfig, folder: Path) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": traffic.slack.api_url, "CASE_SYSTEM": "salesforce",
            **salesforce_env(traffic.salesforce.url),
            "ADMIN_USER_IDS": AGENT, "MANAGER_USER_IDS": MANAGER, "LOG_FORMAT": "json", "LISTENER_THREADS": "8",
            "SCHEDULER_LEASE_SECONDS": str(config.lease_seconds),
            "NOTE_SYNC_LEASE_SECONDS": str(config.note_lease_seconds), "SWARM_ARCHIVE_DAYS": config.archive_days,
            "EXPERTS_ANSWER_MINUTES": "1", "KNOWLEDGE_FOLDER": str(folder), "CASE_POLL_SECONDS": "3600",
            # The drill's look-alike cases ("Inverter fault N") would each be offered the others' open swarms
            # first: it measures the opening itself.
            "SWARM_OFFER_EXISTING": "false"}


def run_drill(config: DrillConfig, base_url: str, *, log=print, keep_logs: Path | None = None) -> DrillResult:
    result = DrillResult()
    with fresh_database(base_url) as database_url, tempfile.TemporaryDirectory(prefix="drill-") as folder:
        fleet = Fleet({}, Path(folder))
        traffic = Traffic.start(fleet)
        fleet.env = replica_env(database_url, traffic, config, Path(folder))
        try:
            _phases(config, traffic, fleet, result, database_url, log)
        finally:
            log("stopping every process by its pid")
            fleet.stop_all()
            result.figures["log lines not JSON"] = sum(1 for line in fleet.log_lines() if not _is_json(line))
            traffic.stop()
            if keep_logs is not None:
                keep_logs.mkdir(parents=True, exist_ok=True)
                for replica in fleet.replicas:
                    shutil.copy(replica.log_path, keep_logs / replica.log_path.name)
    return result


def _phases(config: DrillConfig, traffic: Traffic, fleet: Fleet, result: DrillResult, database_url: str, log) -> None:
    figures = result.figures
    ports = iter(range(config.base_port, config.base_port + 100))
    started = [fleet.start("serve", next(ports)) for _ in range(config.replicas)]
    started += [fleet.start("worker", next(ports)) for _ in range(config.workers)]
    ready = fleet.wait_ready(started, timeout=120)
    figures["replicas up (started together, empty db)"] = f"{len(ready)} of {len(started)}"
    figures["slowest start to ready, s"] = round(max(ready.values(), default=float("nan")), 1)
    result.notes += [f"{r.name} not ready: {fleet.tail(r, 5)}" for r in started if r.name not in ready]
    if not ready:
        return
    log("all up; opening swarms")
    numbers = [f"{FIRST_CASE + i:08d}" for i in range(config.cases + 4)]
    for number in numbers:
        traffic.salesforce.add_case(number, f"Inverter fault {number}")
    cases, together, replayed, jobs_case = numbers[:config.cases], numbers[-4], numbers[-3], numbers[-2]
    for number in [*cases, jobs_case]:
        traffic.command(number)
    traffic.same_command_to(together, list(range(len(fleet.alive("serve")))), replay=False)
    traffic.same_command_to(replayed, [0, 1], replay=True)
    if not _wait_channels(traffic, database_url, [*cases, jobs_case, together, replayed], result):
        return
    opened = [*cases, together, replayed]
    figures["channels per opened case (max)"] = max(traffic.channels_created(n) for n in opened)
    figures["cards per opened case (max)"] = max(traffic.cards_posted(n) for n in opened)
    figures["case opened from every replica at once: channels / cards"] = \
        f"{traffic.channels_created(together)} / {traffic.cards_posted(together)}"
    figures["replayed /swarm (same trigger id): channels / cards"] = \
        f"{traffic.channels_created(replayed)} / {traffic.cards_posted(replayed)}"
    _burst(config, traffic, fleet, figures, cases, ports, log)
    jobs_started = time.monotonic()  # after the burst's kill: a command the kill cut off is the user's to repeat
    if config.answer_check:
        traffic.command(f"invite <@{EXPERT}>", channel=traffic.channels[jobs_case])
    if config.archive_and_digest:
        traffic.command("close", channel=traffic.channels[replayed])
    if config.kill_sender:
        _kill_delivering(traffic, fleet, figures, cases[0], next(ports), log)
    if config.outage_seconds:
        _outage(config, traffic, figures, cases, log)
    if config.failover:
        _failover(fleet, figures, next(ports) if config.replace_killed else None, log)
    if config.load_seconds:
        _load(config, traffic, figures, cases, log)
    if config.answer_check or config.archive_and_digest:
        _jobs(config, traffic, database_url, figures, jobs_case, replayed, jobs_started, log)
    log("accounting")
    _accounting(traffic, figures)
    figures["scheduler leaders now (per /readyz)"] = sum(
        1 for r in fleet.alive() if (r.ready() or {}).get("scheduler") == "leader")


def _wait_channels(traffic: Traffic, database_url: str, numbers: list[str], result: DrillResult) -> bool:
    """Wait for every swarm to be open; False (and a note naming them) if some were not within 180 s."""
    from sqlalchemy import select

    from swarms.db import make_engine
    from swarms.models import Swarm, SwarmStatus

    engine = make_engine(database_url)

    def all_open() -> bool:
        # Open, not only a channel: a message written while the swarm is still "opening" is not synced.
        with engine.connect() as conn:
            rows = conn.execute(select(Swarm.case_number, Swarm.channel_id)
                                .where(Swarm.channel_id.is_not(None), Swarm.status == SwarmStatus.OPEN))
            traffic.channels.update({number: channel for number, channel in rows if channel})
        return all(number in traffic.channels for number in numbers)

    # Openings are paced to Slack's tier-2 limit (conversations.create, pins, bookmarks: ~20 a minute).
    wait_for(all_open, timeout=180, step=0.5)
    engine.dispose()
    missing = [n for n in numbers if n not in traffic.channels]
    if missing:
        result.notes.append(f"not open within 180 s: {', '.join(missing)}")
    return not missing


def _burst(config: DrillConfig, traffic: Traffic, fleet: Fleet, figures: dict, cases: list[str], ports,
           log) -> None:
    per_case = max(1, config.messages // len(cases))
    half = per_case // 2
    log(f"burst: {per_case * len(cases)} message events, each also retried to another replica")
    traffic.post_serially(cases, half)
    if config.kill_in_burst and len(fleet.alive("serve")) > 1:
        victim = fleet.alive("serve")[-1]
        fleet.kill(victim)
        figures["replica killed -9 mid-burst"] = victim.name
        fleet.start("serve", next(ports))
    traffic.post_serially(cases, per_case - half)


def _kill_delivering(traffic: Traffic, fleet: Fleet, figures: dict, case: str, port: int, log) -> None:
    """Hold the next Salesforce call open, kill -9 the process making it, time the notes' arrival."""
    log("kill -9 of the process sending to Salesforce, mid-call")
    wait_for(lambda: traffic.waiting_notes() == 0, timeout=60)
    traffic.salesforce.hold_next_create()
    for _ in range(5):
        traffic.post(case)
    if wait_for(lambda: bool(traffic.salesforce.held_peers), timeout=30) is None:
        figures["delivery resumed after kill -9 of the sender, s"] = "no call held"
        return
    pid = pid_holding_port(traffic.salesforce.held_peers[-1], [r.pid for r in fleet.alive()])
    victim = next((r for r in fleet.alive() if r.pid == pid), None)
    if victim is None:
        figures["delivery resumed after kill -9 of the sender, s"] = "sender not found"
        traffic.salesforce.release()
        return
    killed = fleet.kill(victim)
    traffic.salesforce.release()
    for _ in range(5):
        traffic.post(case)  # written after the crash: they queue behind the held ones, in order
    waited = wait_for(lambda: traffic.waiting_notes() == 0, timeout=90)
    figures["delivery resumed after kill -9 of the sender, s"] = round(time.monotonic() - killed, 1) \
        if waited is not None else "not within 90 s"
    fleet.start(victim.command, port)


def _outage(config: DrillConfig, traffic: Traffic, figures: dict, cases: list[str], log) -> None:
    log(f"Salesforce down for {config.outage_seconds:g} s while notes keep coming")
    wait_for(lambda: traffic.waiting_notes() == 0, timeout=60)
    traffic.salesforce.down = True
    down_at = time.monotonic()
    traffic.post_serially(cases, 5, stop_at=down_at + config.outage_seconds)
    time.sleep(max(0.0, down_at + config.outage_seconds - time.monotonic()))
    traffic.salesforce.down = False
    recovered = time.monotonic()
    waited = wait_for(lambda: traffic.waiting_notes() == 0, timeout=120)
    figures["all notes delivered after the case system recovered, s"] = \
        round(time.monotonic() - recovered, 1) if waited is not None else "not within 120 s"


def _failover(fleet: Fleet, figures: dict, port: int | None, log) -> None:
    leader = fleet.leader()
    if leader is None:
        figures["scheduler failover after kill -9 of the leader, s"] = "no leader found"
        return
    log(f"kill -9 of the scheduler's leader ({leader.name})")
    killed = fleet.kill(leader)
    waited = wait_for(lambda: fleet.leader() is not None, timeout=60, step=0.25)
    new = fleet.leader()
    figures["scheduler failover after kill -9 of the leader, s"] = \
        round(time.monotonic() - killed, 1) if waited is not None else "not within 60 s"
    if new is not None:
        figures["new leader's /metrics says leader"] = 'case_swarm_scheduler_role{role="leader"} 1.0' in new.metrics()
    if port is not None:
        fleet.start(leader.command, port)
        fleet.wait_ready(fleet.alive(), timeout=60)


def _load(config: DrillConfig, traffic: Traffic, figures: dict, cases: list[str], log) -> None:
    log(f"load: {config.rate} requests/s for {config.load_seconds:g} s across the replicas")
    per_case = int(config.rate * config.load_seconds / len(cases)) + 1
    before = _ack_buckets(traffic.fleet)
    started = time.monotonic()
    sent = traffic.post_serially(cases, per_case, retry=False, rate=config.rate,
                                 stop_at=started + config.load_seconds)
    took = time.monotonic() - started
    after = _ack_buckets(traffic.fleet)
    inside = {le: after.get(le, 0) - before.get(le, 0) for le in after}
    figures["ack p50 / p99 inside the bot (from /metrics buckets), ms"] = \
        f"<= {_bucket_share(inside, 0.50):g} / <= {_bucket_share(inside, 0.99):g}"
    acks = [s.results[0].elapsed for s in sent if s.results[0].ok]
    figures["load: requests / achieved per s"] = f"{len(sent)} / {len(sent) / took:.0f}"
    figures["ack p50 ms"] = round(percentile(acks, 0.50) * 1000, 1)
    figures["ack p99 ms"] = round(percentile(acks, 0.99) * 1000, 1)
    figures["load: non-2xx answers"] = sum(1 for s in sent if not s.results[0].ok)


def _ack_buckets(fleet: Fleet) -> dict[float, float]:
    """case_swarm_ack_seconds buckets of message events, summed over the live web replicas."""
    buckets: dict[float, float] = {}
    for replica in fleet.alive("serve"):
        try:
            text = replica.metrics()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("case_swarm_ack_seconds_bucket{") and 'listener="event:message"' in line:
                le = line.split('le="', 1)[1].split('"', 1)[0]
                bound = float("inf") if le == "+Inf" else float(le)
                buckets[bound] = buckets.get(bound, 0.0) + float(line.rsplit(" ", 1)[1])
    return buckets


def _bucket_share(buckets: dict[float, float], share: float) -> float:
    """The smallest bucket bound (ms) under which `share` of the observations fall."""
    total = buckets.get(float("inf"), 0.0)
    for bound in sorted(buckets):
        if total and buckets[bound] >= share * total:
            return bound * 1000
    return float("nan")


def _jobs(config: DrillConfig, traffic: Traffic, database_url: str, figures: dict, jobs_case: str, closed_case: str,
          jobs_started: float, log) -> None:
    log("due one-off jobs and the digest")
    jobs_channel, closed_channel = traffic.channels[jobs_case], traffic.channels[closed_case]
    if config.archive_and_digest:
        _make_digest_due(database_url)
        wait_for(lambda: traffic.archives_of(closed_channel) > 0, timeout=60)
        wait_for(lambda: _digest_dms(traffic) > 0, timeout=30)  # the DM itself, not only its channel opened
    if config.answer_check:
        wait_for(lambda: traffic.posts_in(jobs_channel, ":hourglass:") > 0,
                 timeout=max(5.0, 120 - (time.monotonic() - jobs_started)))
    time.sleep(3)  # a second copy of any of these would come now
    if config.archive_and_digest:
        figures["archive: conversations.archive calls"] = traffic.archives_of(closed_channel)
        figures["weekly digest: DMs to the manager"] = _digest_dms(traffic)
    if config.answer_check:
        figures["answer check: 'has not answered' notices"] = traffic.posts_in(jobs_channel, ":hourglass:")


def _digest_dms(traffic: Traffic) -> int:
    manager_dm = traffic.slack.workspace.im_channel(MANAGER)
    return sum(1 for args in traffic.calls("chat.postMessage") if manager_dm and args.get("channel") == manager_dm)


def _make_digest_due(database_url: str) -> None:
    """Move the weekly digest's next run to now in the shared job store (the leader runs it)."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    from swarms.db import make_engine, utcnow
    from swarms.jobs.scheduling import JOBS_TABLE

    engine = make_engine(database_url)
    store = SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)
    store.start(BackgroundScheduler(timezone="UTC"), "default")
    job = store.lookup_job("weekly_digest")
    if job is not None:
        job._modify(next_run_time=utcnow() - timedelta(seconds=1))
        store.update_job(job)
    engine.dispose()


def _accounting(traffic: Traffic, figures: dict) -> None:
    wait_for(lambda: traffic.waiting_notes() == 0, timeout=60)
    arrived = traffic.notes_by_case()
    unique = {(case, n) for case, ns in arrived.items() for n in ns}
    acked = {(s.case, s.n) for s in traffic.sent if s.acked}
    figures["notes sent"] = len(traffic.sent)
    figures["notes acknowledged"] = len(acked)
    figures["notes delivered"] = len(unique)
    figures["duplicates"] = sum(len(ns) for ns in arrived.values()) - len(unique)
    figures["lost"] = len(acked - unique)
    figures["per-case inversions"] = sum(inversions(ns) for ns in arrived.values())


def _is_json(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


TARGETS = {
    "replicas up (started together, empty db)": "all",
    "channels per opened case (max)": "1",
    "cards per opened case (max)": "1",
    "archive: conversations.archive calls": "1",
    "answer check: 'has not answered' notices": "1",
    "weekly digest: DMs to the manager": "1",
    "delivery resumed after kill -9 of the sender, s": "< 30",
    "all notes delivered after the case system recovered, s": "< 15",
    "scheduler failover after kill -9 of the leader, s": "< 30",
    "ack p99 ms": "< 100",
    "duplicates": "0",
    "lost": "0",
    "per-case inversions": "0",
    "log lines not JSON": "0",
}


def print_table(result: DrillResult) -> None:
    width = max(len(k) for k in result.figures)
    print(f"{'figure':<{width}}  {'value':>14}  target")
    for key, value in result.figures.items():
        print(f"{key:<{width}}  {value!s:>14}  {TARGETS.get(key, '')}")
    for note in result.notes:
        print(f"note: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="a PostgreSQL server database; the drill makes and drops its own beside it")
    parser.add_argument("--replicas", type=positive_int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="also run this many `case-swarm worker`s")
    parser.add_argument("--messages", type=positive_int, default=600)
    parser.add_argument("--cases", type=positive_int, default=8)
    parser.add_argument("--rate", type=positive_int, default=100, help="requests a second in the load phase")
    parser.add_argument("--load-seconds", type=positive_int, default=10)
    parser.add_argument("--base-port", type=positive_int, default=21100)
    parser.add_argument("--keep-logs", metavar="DIR", help="copy every process's log here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    config = DrillConfig(replicas=args.replicas, workers=args.workers, cases=args.cases, messages=args.messages,
                         rate=args.rate, load_seconds=args.load_seconds, base_port=args.base_port)
    started = time.monotonic()
    result = run_drill(config, args.database_url, keep_logs=Path(args.keep_logs) if args.keep_logs else None,
                       log=(lambda *_: None) if args.json else
                       (lambda message: print(f"[{time.monotonic() - started:5.1f}s] {message}", flush=True)))
    result.figures["drill seconds"] = round(time.monotonic() - started, 1)
    if args.json:
        print(json.dumps({"figures": result.figures, "notes": result.notes}))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

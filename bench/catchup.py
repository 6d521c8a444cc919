"""Benchmark: the catch-up a late joiner reads, for a swarm of N notes, on the app's own path.

    python bench/catchup.py                       # SQLite, 1,000 notes, 50 runs
    python bench/catchup.py --notes 1000,5000 --database-url postgresql://...
    python bench/catchup.py --json

Each run does what the member-joined listener does: read the swarm, its notes and members
(`swarms.opening.catchup.catch_up`), ask the local case store for status and priority, and build the Block Kit
message (`bot.views.catchup.catchup_message`). Target: < 200 ms for a 1,000-message swarm.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

import swarms.all_models  # noqa: F401
from bench.args import positive_int, positive_int_list
from bot.views.catchup import catchup_message
from swarms.case_systems.local import LocalCaseSystem
from swarms.db import make_engine, make_session_factory, upgrade
from swarms.models import Case, MemberRole, Note, Swarm, SwarmMember, SwarmStatus
from swarms.opening.catchup import catch_up

TARGET_MS = 200.0
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LINES = (
    "Checked the inverter log: E-21 repeats every hour since the update",
    "고객 사이트에서 펌웨어 3.2.1 로그를 받았습니다",
    "Can you confirm the DC isolation value on string 2?",
    "재부팅 후에도 같은 증상인가요?",
    "Replacing fuse F2 fixed it on the test rig",
    "Sent the customer the rollback steps, waiting for their answer",
)


def seed(sessions, notes: int) -> int:
    with sessions.begin() as session:
        session.add(Case(number="00042000", subject="Inverter E-21 after firmware update", status="Working",
                         priority="High", product="SolarMax 5000"))
        swarm = Swarm(case_system="local", case_key="00042000", case_number="00042000", status=SwarmStatus.OPEN,
                      case_subject="Inverter E-21 after firmware update", opened_by="U00000", channel_id="CBENCH",
                      opened_at=START)
        session.add(swarm)
        session.flush()
        session.add_all(SwarmMember(swarm_id=swarm.id, user_id=f"U{n:05d}", role=MemberRole.EXPERT,
                                    joined_at=START + timedelta(minutes=n)) for n in range(12))
        roots: list[str] = []
        for i in range(notes):
            ts = f"{int(START.timestamp()) + i * 30}.{i:06d}"
            thread = roots[(i * 7) % len(roots)] if roots and i % 4 else None
            if thread is None:
                roots.append(ts)
            body = LINES[i % len(LINES)] + f" (#{i})"
            marks = ["cause"] if i % 97 == 0 else ["resolution"] if i % 131 == 0 else []
            session.add(Note(swarm_id=swarm.id, channel_id="CBENCH", message_ts=ts, thread_ts=thread,
                             user_id=f"U{i % 12:05d}", author_name=f"Person {i % 12}", text=body, body=body,
                             permalink=f"https://example.slack.com/archives/CBENCH/p{ts.replace('.', '')}",
                             marks=marks, created_at=START + timedelta(seconds=30 * i)))
        return swarm.id


def measure(database_url: str, notes: int, runs: int) -> dict:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    sessions = make_session_factory(engine)
    swarm_id = seed(sessions, notes)
    cases = LocalCaseSystem(sessions)
    times, message = [], {}
    for _ in range(runs):
        started = time.perf_counter()
        with sessions() as session:
            catchup = catch_up(session, swarm_id, for_user="U99999")
        case = cases.get_case(catchup.case_number)
        message = catchup_message(catchup, status=case.status, priority=case.priority, lang="en")
        times.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    times.sort()
    return {"notes": notes, "database": engine.dialect.name, "runs": runs,
            "median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (runs - 1))], 2),
            "max_ms": round(times[-1], 2), "target_ms": TARGET_MS, "blocks": len(message["blocks"]),
            "meets_target": times[int(0.95 * (runs - 1))] < TARGET_MS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=positive_int_list, default=[1000])
    parser.add_argument("--runs", type=positive_int, default=50)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    for count in args.notes:
        with tempfile.TemporaryDirectory() as folder:
            url = args.database_url or f"sqlite:///{folder}/catchup.sqlite3"
            rows.append(measure(url, count, args.runs))
    if args.json:
        print(json.dumps({"benchmark": "catchup", "results": rows}))
        return 0
    print(f"{'database':<11}{'notes':>7}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}{'target':>9}  ok")
    for row in rows:
        print(f"{row['database']:<11}{row['notes']:>7}{row['median_ms']:>11}{row['p95_ms']:>9}{row['max_ms']:>9}"
              f"{row['target_ms']:>9}  {'yes' if row['meets_target'] else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

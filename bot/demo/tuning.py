"""The demo's last step: a team's past swarms, and `case-swarm experts tune` run on them.

`seed_resolved_swarms` writes closed swarms (each with the person credited with the resolution) as a team
that has used the app for some months would have them; the demo then runs the same tuning the CLI runs
and prints the same report. Tests use the seeding to drive the tuning too.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from swarms.models import Swarm, SwarmMember, SwarmStatus

# topic: (product, subjects); the person who owns each topic is given by the caller
TOPICS = {
    "firmware": ("SolarMax 5000", [
        "Inverter firmware update stuck at {n}%", "E-21 error after firmware {v} update",
        "인버터 펌웨어 업데이트가 {n}%에서 멈춥니다", "Inverter reboots after the FW update to {v}",
    ]),
    "battery": ("PowerWall K", [
        "Battery stops charging at {n}%", "BMS cell imbalance alarm on the battery stack",
        "배터리 충전이 {n}%에서 멈춥니다", "배터리 BMS 경고가 반복됩니다",
    ]),
    "field": ("GridLink GW", [
        "Modbus TCP gateway drops connection every {n} minutes", "DC isolation fault on site after rain",
        "Gateway loses Modbus registers after restart", "Insulation measurement fails at commissioning",
    ]),
}


def seed_resolved_swarms(session: Session, team_id: str, owners: dict[str, str], opener: str, *, now: datetime,
                         count: int = 60, seed: int = 7) -> int:
    """`count` closed swarms of workspace `team_id` over the last year, each credited to its topic's owner
    (`owners`: topic -> user id) four times in five, else to another of them; returns how many were written."""
    rng = random.Random(seed)
    people = sorted(owners.values())
    start = now - timedelta(days=365)
    for i in range(count):
        topic = rng.choice(sorted(TOPICS))
        product, subjects = TOPICS[topic]
        subject = rng.choice(subjects).format(n=rng.randint(10, 95), v=f"1.{rng.randint(2, 9)}")
        opened = start + timedelta(days=i * 360 / count, hours=rng.randint(0, 8))
        closed = opened + timedelta(hours=rng.randint(2, 30))
        credited = owners[topic] if rng.random() < 0.8 else rng.choice(people)
        number = f"HIST-{i + 1:04d}"
        swarm = Swarm(team_id=team_id, case_system="local", case_key=number, case_number=number, case_subject=subject,
                      case_product=product, status=SwarmStatus.CLOSED, opened_by=opener, opened_at=opened,
                      last_activity_at=closed, closed_at=closed, case_closed_at=closed,
                      resolution_summary=f"Resolved: {subject}", channel_name=f"swarm-hist-{i + 1:04d}")
        session.add(swarm)
        session.flush()
        session.add(SwarmMember(swarm_id=swarm.id, user_id=credited, invited_at=opened,
                                joined_at=opened + timedelta(minutes=20), credited=True))
    session.flush()
    return count


def play_tuning(sessions, settings, team_id: str, people: dict[str, str], title) -> None:
    """Seed a year of resolved swarms, then run `case-swarm experts tune` on them and print its report."""
    from bot.experts.cli import tune_report
    from swarms.db import utcnow
    from swarms.experts.tuning import tune_on_swarms

    title("7. A year of resolved swarms later, Mira runs: case-swarm experts tune")
    now = utcnow()
    owners = {"firmware": people["jiwoo"], "battery": people["minho"], "field": people["sam"]}
    with sessions.begin() as session:
        written = seed_resolved_swarms(session, team_id, owners, people["dana"], now=now)
    print(f"(seeded {written} closed swarms over the last year, each with the expert credited with the fix)\n")
    with sessions.begin() as session:
        result = tune_on_swarms(session, team_id, settings.experts, now=now)
    for line in tune_report(result):
        print(f"  {line}")

"""Changes made in the case system (status, priority, owner, a customer's comment) reach the swarm.

Found by a scheduled poll of open swarmed cases and, where the case system can call us, by a webhook
that asks for a poll of its cases at once. Each change is posted once: its id is claimed like a Slack
event id. Our own notes are never echoed back: the adapters skip what carries our marker.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from swarms.case_systems.base import CaseChange, CaseSystem
from swarms.db import utcnow
from swarms.models import Swarm, SwarmStatus
from swarms.note_sync.capture import claim_event

log = logging.getLogger(__name__)
FIRST_LOOK_BACK = timedelta(minutes=5)
# Look back a little past the last poll: a change committed late with an earlier time is still found,
# and the claimed change ids keep the overlap from posting anything twice.
OVERLAP = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class ChangeNotice:
    swarm_id: int
    channel_id: str
    case_number: str
    language: str
    change: CaseChange
    thread_ts: str | None = None  # a thread swarm: posted in its thread
    team_id: str = ""  # the swarm's workspace, where it is posted


def poll_case_changes(sessions: sessionmaker, cases: CaseSystem, *, case_keys: Sequence[str] | None = None,
                      now: datetime | None = None) -> list[ChangeNotice]:
    """New changes for the open swarms (or just `case_keys`), each returned once across replicas."""
    now = now or utcnow()
    with sessions() as session:
        query = select(Swarm).where(Swarm.status == SwarmStatus.OPEN, Swarm.case_system == cases.name,
                                    Swarm.channel_id.is_not(None))
        if case_keys is not None:
            query = query.where(Swarm.case_key.in_(list(case_keys)))
        swarms = list(session.scalars(query))
    if not swarms:
        return []
    since = min(s.case_synced_at or (s.opened_at - FIRST_LOOK_BACK) for s in swarms) - OVERLAP
    changes = cases.changes_since(sorted({s.case_key for s in swarms}), since)
    by_key: dict[str, list[Swarm]] = {}
    for swarm in swarms:  # one open swarm per case in each workspace: the same case may have one in several
        by_key.setdefault(swarm.case_key, []).append(swarm)
    notices: list[ChangeNotice] = []
    with sessions.begin() as session:
        for change in sorted(changes, key=lambda c: (c.at, c.change_id)):
            for swarm in by_key.get(change.case_key, []):
                if not claim_event(session, f"case-change:{cases.name}:{change.change_id}:{swarm.id}"):
                    continue
                notices.append(ChangeNotice(swarm.id, swarm.channel_id or "", swarm.case_number, swarm.language,
                                            change, swarm.thread_ts, swarm.team_id))
        for swarm in swarms:
            row = session.get(Swarm, swarm.id)
            if row is not None:
                row.case_synced_at = now
    return notices

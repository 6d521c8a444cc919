"""The team's open swarms for a manager's Home: oldest first, with age, members and last activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from swarms.models import Swarm, SwarmMember, SwarmStatus

OPEN_LIST_LIMIT = 15  # the Home has 100 blocks and one section per list; the rest is counted


@dataclass(frozen=True, slots=True)
class OpenSwarmLine:
    swarm_id: int
    channel_id: str
    case_number: str
    case_subject: str
    opened_at: datetime
    last_activity_at: datetime
    members: int  # people in the channel now (left members not counted)


@dataclass(frozen=True, slots=True)
class OpenSwarms:
    lines: list[OpenSwarmLine]
    total: int


def team_open_swarms(session: Session, *, limit: int = OPEN_LIST_LIMIT) -> OpenSwarms:
    """Every open swarm counted, the `limit` oldest listed (the oldest are the ones waiting longest)."""
    total = session.scalar(select(func.count(Swarm.id)).where(Swarm.status == SwarmStatus.OPEN)) or 0
    members = (select(SwarmMember.swarm_id, func.count(SwarmMember.id).label("n"))
               .where(SwarmMember.left_at.is_(None)).group_by(SwarmMember.swarm_id).subquery())
    rows = session.execute(
        select(Swarm.id, Swarm.channel_id, Swarm.case_number, Swarm.case_subject, Swarm.opened_at,
               Swarm.last_activity_at, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.swarm_id == Swarm.id)
        .where(Swarm.status == SwarmStatus.OPEN)
        .order_by(Swarm.opened_at, Swarm.id)
        .limit(limit)
    ).all()
    return OpenSwarms([OpenSwarmLine(r[0], r[1] or "", r[2], r[3], r[4], r[5], int(r[6])) for r in rows], total)

"""The Home's lists of swarms: one line type for all of them, and the team's open swarms for a manager's Home
(oldest first, with age, members and last activity)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from swarms.models import Swarm, SwarmMember, SwarmStatus
from swarms.stats.sql import aware

OPEN_LIST_LIMIT = 15  # the Home has 100 blocks and one section per list; the rest is counted


@dataclass(frozen=True, slots=True)
class SwarmLine:
    """A swarm in one of the Home's lists (mine, invitations, stalled, the team's open swarms)."""

    swarm_id: int
    channel_id: str
    case_number: str
    case_subject: str
    opened_at: datetime
    last_activity_at: datetime
    reason: str = ""  # stalled: "no_expert" or "idle"; invitations: "" (in the channel) or "dm" (asked by DM)
    members: int | None = None  # the team's open swarms: people in it now (left members not counted)
    thread_ts: str | None = None  # a thread-mode swarm: its thread (the parent's ts) in `channel_id`


# What a line reads of its swarm, in `swarm_line`'s order; the list's own column (a reason, a count) comes after.
LINE_COLUMNS = (Swarm.id, Swarm.channel_id, Swarm.thread_ts, Swarm.case_number, Swarm.case_subject,
                Swarm.opened_at, Swarm.last_activity_at)


def swarm_line(row, *, members: int | None = None) -> SwarmLine:
    """A row of LINE_COLUMNS and the list's reason."""
    swarm_id, channel, thread_ts, number, subject, opened, last, reason = row
    return SwarmLine(swarm_id, channel or "", number, subject, aware(opened), aware(last), reason, members,
                     thread_ts or None)


@dataclass(frozen=True, slots=True)
class OpenSwarms:
    lines: list[SwarmLine]
    total: int


def team_open_swarms(session: Session, team_id: str, *, limit: int = OPEN_LIST_LIMIT) -> OpenSwarms:
    """The workspace's open swarms counted, the `limit` oldest listed (the oldest are the ones waiting longest)."""
    open_here = (Swarm.team_id == team_id, Swarm.status == SwarmStatus.OPEN)
    total = session.scalar(select(func.count(Swarm.id)).where(*open_here)) or 0
    # Counted for the listed swarms only, each from its own members' index range.
    members = (select(func.count(SwarmMember.id)).where(SwarmMember.swarm_id == Swarm.id, SwarmMember.left_at.is_(None))
               .correlate(Swarm).scalar_subquery())
    rows = session.execute(select(*LINE_COLUMNS, members).where(*open_here)
                           .order_by(Swarm.opened_at, Swarm.id).limit(limit)).all()
    return OpenSwarms([swarm_line((*row[:-1], ""), members=int(row[-1])) for row in rows], total)

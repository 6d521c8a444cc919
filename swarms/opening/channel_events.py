"""A swarm channel changed by hand in Slack (archived, unarchived, renamed): the swarm follows it.

Archiving an open swarm's channel by hand means the people in it are done with it: the swarm stops
counting as open (no more suggestions, escalations or polls for it) and the case record is told, in
the swarm's language. Unarchiving brings it back as it was (open, or closed if it had been closed).
A rename is remembered so links and lists show the channel's real name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from swarms.db import utcnow
from swarms.knowledge.marks import add_notice
from swarms.models import Swarm, SwarmStatus
from swarms.note_sync.case_note_words import case_note
from swarms.opening.lifecycle import find_swarm_at

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChannelChange:
    swarm_id: int
    status: str


def channel_archived(session: Session, channel_id: str, by_name: str, *, event_id: str = "",
                     now: datetime | None = None) -> ChannelChange | None:
    """Mark the swarm of this channel archived; None when the channel is not a swarm's."""
    swarm = find_swarm_at(session, channel_id)
    if swarm is None or swarm.status == SwarmStatus.ARCHIVED:
        return None
    was_open = swarm.status in (SwarmStatus.OPEN, SwarmStatus.OPENING)
    swarm.status = SwarmStatus.ARCHIVED
    swarm.archive_due_at = None  # nothing left for the archive job to do
    if was_open:
        add_notice(session, swarm, f"archived-{event_id or (now or utcnow()).timestamp()}", by_name,
                   case_note("archived_by_hand", swarm.language, user=by_name), now)
    log.info("swarm %s: channel %s archived in Slack by %s", swarm.id, channel_id, by_name)
    return ChannelChange(swarm.id, swarm.status)


def channel_unarchived(session: Session, channel_id: str) -> ChannelChange | None:
    swarm = find_swarm_at(session, channel_id)
    if swarm is None or swarm.status != SwarmStatus.ARCHIVED:
        return None
    swarm.status = SwarmStatus.CLOSED if swarm.closed_at is not None else SwarmStatus.OPEN
    swarm.last_activity_at = utcnow()
    return ChannelChange(swarm.id, swarm.status)


def channel_renamed(session: Session, channel_id: str, name: str) -> ChannelChange | None:
    swarm: Swarm | None = find_swarm_at(session, channel_id)
    if swarm is None or not name:
        return None
    swarm.channel_name = name[:80]
    return ChannelChange(swarm.id, swarm.status)

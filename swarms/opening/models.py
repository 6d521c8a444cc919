"""Tables of swarm opening across replicas: who asked for a swarm, and which slash commands were handled.

A swarm is opened once, by whichever process holds its opening; everyone who asked meanwhile (another
agent, the same agent on another replica) is a request row, answered with the channel when it exists.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from swarms.db import Base, UTCDateTime, utcnow


class OpenRequestState(enum.StrEnum):
    WAITING = "waiting"  # the swarm is being opened; tell them when it is
    TOLD = "told"


class SwarmOpenRequest(Base):
    """Someone who ran `/swarm <case>` while its swarm was being opened: invited and told once it is open."""

    __tablename__ = "swarm_open_requests"
    __table_args__ = (Index("ix_swarm_open_requests_swarm_id_state", "swarm_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    swarm_id: Mapped[int] = mapped_column(ForeignKey("swarms.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8), default="en")
    reply_to: Mapped[str] = mapped_column(Text, default="")  # the command's response_url
    state: Mapped[str] = mapped_column(String(10), default=OpenRequestState.WAITING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HandledTrigger(Base):
    """A slash command's trigger_id, once handled: a replayed signed command (no event id) is done once."""

    __tablename__ = "handled_triggers"

    trigger_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

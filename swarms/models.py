"""The app's own tables: the local case store, swarms and their members, notes and their outbox.

Uniqueness lives in the database (one open swarm per case, one note per Slack message, one row per
Slack event) so that retries from Slack and several bot replicas can never double anything.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from swarms.db import Base, UTCDateTime, utcnow


class SwarmStatus(enum.StrEnum):
    OPENING = "opening"  # row exists, Slack side not finished yet: the next /swarm heals it
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


class SwarmMode(enum.StrEnum):
    """Where a swarm happens (SWARM_MODE, or `/swarm <case> --thread` / `--channel`)."""

    CHANNEL = "channel"  # its own private channel, the card its first message
    THREAD = "thread"  # a thread of the team channel where /swarm was typed, under the card


class MemberRole(enum.StrEnum):
    OWNER = "owner"  # the agent who opened the swarm
    AGENT = "agent"
    EXPERT = "expert"


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    PARKED = "parked"  # failed too often: a person looks, then `/swarm sync retry`


# ---------------------------------------------------------------- the local case store


class Case(Base):
    """A case in the built-in local store (CASE_SYSTEM=local)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(40), default="New")
    priority: Mapped[str] = mapped_column(String(40), default="")
    product: Mapped[str] = mapped_column(String(255), default="")
    account: Mapped[str] = mapped_column(String(255), default="")
    contact_name: Mapped[str] = mapped_column(String(255), default="")
    contact_email: Mapped[str] = mapped_column(String(255), default="")
    owner: Mapped[str] = mapped_column(String(255), default="")
    category: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str] = mapped_column(String(16), default="")
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    notes: Mapped[list[LocalCaseNote]] = relationship(back_populates="case", lazy="raise")


class LocalCaseNote(Base):
    """An internal note on a local case; the idempotency key makes redelivery harmless."""

    __tablename__ = "local_case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    author_name: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(default=False)
    retracted: Mapped[bool] = mapped_column(default=False)
    written_by_app: Mapped[bool] = mapped_column(default=True)
    # Set on revision rows (an edit or a retraction); the note shown is the one with no revises_id.
    revises_id: Mapped[int | None] = mapped_column(ForeignKey("local_case_notes.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="notes", lazy="raise")


class LocalCaseEvent(Base):
    """A change made to a local case outside Slack (CLI, import, webhook), for the case-change poll."""

    __tablename__ = "local_case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(255), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# ---------------------------------------------------------------- Slack people


class SlackUser(Base):
    """What we last learnt of a Slack user (users.info), cached so we call Slack less."""

    __tablename__ = "slack_users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    real_name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    locale: Mapped[str] = mapped_column(String(16), default="")
    tz: Mapped[str] = mapped_column(String(64), default="")
    is_bot: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def display_name(self) -> str:
        return self.real_name or self.name or self.id


# ---------------------------------------------------------------- swarms


class Swarm(Base):
    """One swarm: a case, its place (its own channel, or a thread of a team channel), and where opening got to.

    The place is (channel_id, thread_ts): thread_ts is None for a channel swarm; for a thread swarm it is
    the card's ts (the thread's parent), set with card_ts. A channel is the place of at most one channel
    swarm; a team channel holds any number of thread swarms, one per thread.
    """

    __tablename__ = "swarms"
    __table_args__ = (
        # One live swarm per case in each workspace: a replayed /swarm or a second replica finds this row instead.
        Index(
            "uq_swarms_live_case",
            "team_id",
            "case_system",
            "case_key",
            unique=True,
            sqlite_where=text("status IN ('opening', 'open')"),
            postgresql_where=text("status IN ('opening', 'open')"),
        ),
        Index(
            "uq_swarms_own_channel",
            "channel_id",
            unique=True,
            sqlite_where=text("mode = 'channel'"),
            postgresql_where=text("mode = 'channel'"),
        ),
        UniqueConstraint("channel_id", "thread_ts"),
        Index("ix_swarms_team_id_case_number", "team_id", "case_system", "case_number"),
        Index("ix_swarms_status_opened_at", "status", "opened_at"),
        Index("ix_swarms_opened_at", "opened_at"),
        Index("ix_swarms_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Slack workspace the swarm was opened in: everything found by case number is found within it.
    team_id: Mapped[str] = mapped_column(String(32), server_default="")
    case_system: Mapped[str] = mapped_column(String(20))
    case_key: Mapped[str] = mapped_column(String(64))
    case_number: Mapped[str] = mapped_column(String(64))
    case_subject: Mapped[str] = mapped_column(String(255), default="")
    case_url: Mapped[str] = mapped_column(Text, default="")
    case_product: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(20), default=SwarmStatus.OPENING)
    language: Mapped[str] = mapped_column(String(8), default="en")  # what the channel's messages speak
    mode: Mapped[str] = mapped_column(String(10), default=SwarmMode.CHANNEL, server_default=SwarmMode.CHANNEL.value)
    channel_id: Mapped[str | None] = mapped_column(String(32))  # thread mode: the team channel, set when asked
    thread_ts: Mapped[str | None] = mapped_column(String(32))  # thread mode: the card's ts, the thread's parent
    channel_name: Mapped[str] = mapped_column(String(80), default="")
    card_ts: Mapped[str | None] = mapped_column(String(32))
    link_saved: Mapped[bool] = mapped_column(default=False)
    # Opening is claimed: one holder at a time (a lease, so a dead holder's work is taken over), and each
    # step is recorded as asked for before its Slack call, so a resumed opening adopts instead of doubling.
    opening_holder: Mapped[str | None] = mapped_column(String(64))
    opening_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_requested: Mapped[str | None] = mapped_column(String(80))  # the name asked of conversations.create
    card_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    resolution_summary: Mapped[str] = mapped_column(Text, default="")
    case_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archive_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last case-change poll

    members: Mapped[list[SwarmMember]] = relationship(back_populates="swarm", lazy="raise")

    @property
    def is_live(self) -> bool:
        return self.status in (SwarmStatus.OPENING, SwarmStatus.OPEN)

    @property
    def in_thread(self) -> bool:
        return self.mode == SwarmMode.THREAD

    @classmethod
    def placed_at(cls, channel_id: str, thread_ts: str | None = None) -> ColumnElement[bool]:
        """Where-clause: the channel's own swarm, or (with `thread_ts`) the swarm of that thread of the channel.

        Order by `mode` to have the channel swarm first, should a thread of a swarm channel be asked for."""
        place = cls.mode == SwarmMode.CHANNEL
        if thread_ts:
            place = or_(place, and_(cls.mode == SwarmMode.THREAD, cls.thread_ts == thread_ts))
        return and_(cls.channel_id == channel_id, place)


class SwarmMember(Base):
    """A person in (or asked into) a swarm, with the timestamps the stats need."""

    __tablename__ = "swarm_members"
    __table_args__ = (
        UniqueConstraint("swarm_id", "user_id"),
        Index("ix_swarm_members_user_id_swarm_id", "user_id", "swarm_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    swarm_id: Mapped[int] = mapped_column(ForeignKey("swarms.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(20), default=MemberRole.AGENT)
    invited_by: Mapped[str | None] = mapped_column(String(32))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credited: Mapped[bool] = mapped_column(default=False)  # credited with the resolution

    swarm: Mapped[Swarm] = relationship(back_populates="members", lazy="raise")


# ---------------------------------------------------------------- notes and their delivery


class Note(Base):
    """A Slack message of a swarm, captured from events as it happened (never rebuilt from history)."""

    __tablename__ = "notes"
    __table_args__ = (
        UniqueConstraint("channel_id", "message_ts"),
        Index("ix_notes_swarm_id_created_at", "swarm_id", "created_at"),
        Index("ix_notes_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    swarm_id: Mapped[int] = mapped_column(ForeignKey("swarms.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    author_name: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text, default="")  # as Slack sent it
    body: Mapped[str] = mapped_column(Text, default="")  # made readable for the case record
    permalink: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[list] = mapped_column(JSON, default=list)
    marks: Mapped[list] = mapped_column(JSON, default=list)  # "resolution", "cause", "key_note"
    source: Mapped[str] = mapped_column(String(20), default="thread")  # thread, channel, shortcut
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    external_id: Mapped[str] = mapped_column(Text, default="")  # the case system's id once delivered
    version: Mapped[int] = mapped_column(Integer, default=1)


class OutboxItem(Base):
    """One delivery to the case system, written in the same transaction as the Slack event.

    `seq` numbers a case's rows in the order their transactions committed (see OutboxSequence); a case's
    rows go out strictly in that order.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),
        UniqueConstraint("case_system", "case_key", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    swarm_id: Mapped[int] = mapped_column(ForeignKey("swarms.id", ondelete="CASCADE"), index=True)
    case_system: Mapped[str] = mapped_column(String(20))
    case_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # NoteKind
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    state: Mapped[str] = mapped_column(String(12), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    seq: Mapped[int] = mapped_column(BigInteger)
    # Set before sending, cleared on a recorded outcome: if set at start-up, the send may have landed.
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sender's claim: renewed by its heartbeat while the call runs; once past, anyone may take the row.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(String(32), default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxSequence(Base):
    """The last sequence number given to a case's outbox rows.

    Capture bumps it in its own transaction, so the row stays locked until that commit: a case's rows
    commit in sequence order, with no gaps, and delivery never sees a later row before an earlier one.
    """

    __tablename__ = "outbox_sequences"

    case_system: Mapped[str] = mapped_column(String(20), primary_key=True)
    case_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)


class ProcessedEvent(Base):
    """Slack event ids already handled: the Events API delivers at least once."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

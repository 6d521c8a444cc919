"""Tables of the expert finder: the directory of experts and the outcome of every suggestion.

The directory is filled by `case-swarm experts import` and kept fresh from Slack profiles; each
skill and product row says where it came from, so a Slack refresh never overwrites an import and the
other way round. Outcomes are one row per (swarm, person): the finder learns from them who helps.
Each workspace (team) has its own directory and its own tuned weights; skills and products hang off
their expert, outcomes off their swarm, and follow them.
"""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from swarms.db import Base, UTCDateTime, utcnow


class SuggestionState(enum.StrEnum):
    SUGGESTED = "suggested"  # shown in the swarm, nobody asked them yet
    INVITED = "invited"  # asked by DM (ask mode) or added to the channel (add mode), no answer yet
    JOINED = "joined"
    DECLINED = "declined"
    IGNORED = "ignored"  # no join and no post within EXPERTS_ANSWER_MINUTES
    CONTRIBUTED = "contributed"  # wrote in the swarm
    CREDITED = "credited"  # credited with the resolution
    FAILED = "failed"  # could not be asked at all (deactivated, not found): never counted against them


PENDING_STATES = frozenset({SuggestionState.INVITED})
ASKED_STATES = frozenset(SuggestionState) - {SuggestionState.SUGGESTED, SuggestionState.FAILED}


class InviteMode(enum.StrEnum):
    ASK = "ask"  # a DM with Join / Decline
    ADD = "add"  # straight into the channel


class EntrySource(enum.StrEnum):
    IMPORT = "import"
    SLACK = "slack"  # a custom field of the Slack profile


class Expert(Base):
    """One person of a workspace's expert directory (a Slack user)."""

    __tablename__ = "experts"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Slack workspace whose directory this is: a workspace's swarms are offered its own experts only.
    team_id: Mapped[str] = mapped_column(String(32), server_default="")
    user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    work_start: Mapped[time] = mapped_column(Time, default=time(9))
    work_end: Mapped[time] = mapped_column(Time, default=time(18))
    work_days: Mapped[list] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4])  # Monday is 0
    languages: Mapped[list] = mapped_column(JSON, default=list)
    max_concurrent: Mapped[int] = mapped_column(Integer, default=3)
    opted_out: Mapped[bool] = mapped_column(default=False)
    # False once Slack says the account is deactivated or gone: kept for history, never suggested.
    active: Mapped[bool] = mapped_column(default=True)
    inactive_reason: Mapped[str] = mapped_column(String(40), default="")
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    profile_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    skills: Mapped[list[ExpertSkill]] = relationship(back_populates="expert", lazy="raise",
                                                     cascade="all, delete-orphan")
    products: Mapped[list[ExpertProduct]] = relationship(back_populates="expert", lazy="raise",
                                                         cascade="all, delete-orphan")


class ExpertSkill(Base):
    __tablename__ = "expert_skills"
    __table_args__ = (UniqueConstraint("expert_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[int] = mapped_column(Integer, default=3)  # 1 (knows of it) to 5 (the go-to person)
    source: Mapped[str] = mapped_column(String(10), default=EntrySource.IMPORT)

    expert: Mapped[Expert] = relationship(back_populates="skills", lazy="raise")


class ExpertProduct(Base):
    __tablename__ = "expert_products"
    __table_args__ = (UniqueConstraint("expert_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(10), default=EntrySource.IMPORT)

    expert: Mapped[Expert] = relationship(back_populates="products", lazy="raise")


class SuggestionOutcome(Base):
    """What became of suggesting one person for one swarm; fed back into the history score."""

    __tablename__ = "expert_suggestions"
    __table_args__ = (
        UniqueConstraint("swarm_id", "user_id"),
        Index("ix_expert_suggestions_state_answer_due_at", "state", "answer_due_at"),
        Index("ix_expert_suggestions_user_id_state", "user_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    swarm_id: Mapped[int] = mapped_column(ForeignKey("swarms.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    rank: Mapped[int] = mapped_column(Integer, default=0)  # 1 is the top suggestion; 0: invited by hand
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # [{"kind": ..., "params": {...}}]
    covers: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(12), default=SuggestionState.SUGGESTED)
    mode: Mapped[str] = mapped_column(String(8), default="")  # InviteMode once invited
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    invited_by: Mapped[str | None] = mapped_column(String(32))
    suggested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the next suggestion was brought
    dm_channel: Mapped[str | None] = mapped_column(String(32))
    dm_ts: Mapped[str | None] = mapped_column(String(32))


class ExpertWeights(Base):
    """One version of the ranking weights tuned on a workspace's own resolved swarms; its newest is in use."""

    __tablename__ = "expert_weights"
    __table_args__ = (UniqueConstraint("team_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), server_default="")  # versions count per workspace
    version: Mapped[int] = mapped_column(Integer)
    weights: Mapped[dict] = mapped_column(JSON)
    tuned_on: Mapped[int] = mapped_column(Integer)  # resolved swarms the weights were tuned on
    measured_on: Mapped[int] = mapped_column(Integer)  # the last swarms, held out, before/after measured on
    before: Mapped[dict] = mapped_column(JSON)  # {"top1", "top5", "mrr"} of the weights it replaced
    after: Mapped[dict] = mapped_column(JSON)
    trigger: Mapped[str] = mapped_column(String(12), default="cli")  # cli | monthly
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

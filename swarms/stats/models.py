"""Tables and indexes of the Home stats (migration 0004), kept beside, not inside, the shared models.

`home_note_days` is a rollup of notes per person per UTC day with the outside-hours count worked out
when the day is rolled up. The benchmark showed the need: counting 400k raw notes of a 30-day period
(100k swarms) took over a second; reading the rollup takes milliseconds. Notes after the last run
(minutes of them, or more while the job is behind) are counted raw, so figures are never stale.

Members (joins, credits, load, reply times) have no rollup: with the indexes of migrations 0005 and 0018
their figures for a period read a few thousand index entries, and each one's swarm for its workspace; the
whole manager view builds in 70-90 ms at 100k swarms on SQLite and 130-200 ms on PostgreSQL (bench/home.py,
load 2-3; 60-65 and 80-105 ms before the figures were per workspace), so a second rollup would buy little.
Most of that difference is the workspace check of the period's member rows (PostgreSQL hashes the
workspace's swarms for the 20k joins of 30 days); a team_id on swarm_members would remove it.

Every figure is of one workspace (team): the rollup is keyed by it, the swarm indexes the figures start
from lead with it (migration 0018), and the member indexes carry `swarm_id` so a member's swarm (and so its
team) is reached without reading the member row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from swarms.db import Base, UTCDateTime
from swarms.experts.models import SuggestionOutcome
from swarms.models import Case, MemberRole, Note, Swarm, SwarmMember, SwarmStatus


class NoteDay(Base):
    """Notes one person wrote in one workspace's swarms on one UTC day, and how many fell outside their hours."""

    __tablename__ = "home_note_days"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the swarms' workspace (Swarm.team_id)
    day: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    notes: Mapped[int] = mapped_column(Integer, default=0)
    outside: Mapped[int] = mapped_column(Integer, default=0)


class RollupState(Base):
    """How far the rollup goes: notes before `complete_until` are in it (today's row up to that moment).

    One row for every workspace: a run rolls up the notes of all of them, each day's rows keyed by team."""

    __tablename__ = "home_rollup_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    complete_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_note_id: Mapped[int] = mapped_column(Integer, default=0)  # notes after it may belong to rolled-up days
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # deletions after it are looked at


HOME_INDEXES = (
    Index("ix_swarms_status_last_activity_at", Swarm.status, Swarm.last_activity_at),
    # With the workspace (0018): whether a case was swarmed here, or elsewhere, is answered from the index.
    Index("ix_swarms_case_system_case_key", Swarm.case_system, Swarm.case_key, Swarm.team_id),
    # Covering: the per-person figures of a period read these columns only, never the rows; `swarm_id`
    # (0018) reaches the member's swarm, and so its workspace, from the index.
    Index("ix_swarm_members_invited_at", SwarmMember.invited_at, SwarmMember.user_id, SwarmMember.first_reply_at,
          SwarmMember.role, SwarmMember.invited_by, SwarmMember.swarm_id),
    Index("ix_swarm_members_joined_at", SwarmMember.joined_at, SwarmMember.user_id, SwarmMember.swarm_id),
    Index("ix_notes_created_at_user_id", Note.created_at, Note.user_id, Note.deleted_at),
    # Partial: only deletions (few) are indexed, so the planner never walks it to find live notes.
    Index("ix_notes_deleted_at", Note.deleted_at, sqlite_where=Note.deleted_at.is_not(None),
          postgresql_where=Note.deleted_at.is_not(None)),
    Index("ix_cases_closed_at", Case.closed_at),
)

# Migration 0005: partial indexes that let the per-person figures start from the few swarms that qualify
# (closed in the period, open now) and reach only the member rows they need, never all of them; and the
# invitations of one person in a period, for the median reply time of the people shown.
HOME_INDEXES_0005 = (
    Index("ix_swarm_members_user_id_invited_at", SwarmMember.user_id, SwarmMember.invited_at,
          SwarmMember.first_reply_at, SwarmMember.role, SwarmMember.invited_by, SwarmMember.swarm_id),
    Index("ix_swarm_members_credited", SwarmMember.swarm_id, SwarmMember.user_id, SwarmMember.credited,
          sqlite_where=SwarmMember.credited, postgresql_where=SwarmMember.credited),
    Index("ix_swarm_members_present", SwarmMember.swarm_id, SwarmMember.user_id, SwarmMember.left_at,
          sqlite_where=SwarmMember.left_at.is_(None), postgresql_where=SwarmMember.left_at.is_(None)),
    Index("ix_swarm_members_expert_joined", SwarmMember.swarm_id, SwarmMember.role, SwarmMember.joined_at,
          sqlite_where=(SwarmMember.role == MemberRole.EXPERT) & SwarmMember.joined_at.is_not(None),
          postgresql_where=(SwarmMember.role == MemberRole.EXPERT) & SwarmMember.joined_at.is_not(None)),
)

# Migration 0018: the team's figures start from its own swarms, so the swarm indexes they read lead with the
# workspace: a period of one workspace is one range, and another workspace's swarms are never read.
HOME_INDEXES_0018 = (
    Index("ix_swarms_team_id_opened_at", Swarm.team_id, Swarm.opened_at, Swarm.status),
    Index("ix_swarms_team_id_closed_at", Swarm.team_id, Swarm.closed_at),
    # Covering: the median time to close reads both timestamps of every case closed in the period.
    Index("ix_swarms_team_id_case_closed_at", Swarm.team_id, Swarm.case_closed_at, Swarm.opened_at),
    Index("ix_swarms_team_id_open", Swarm.team_id, Swarm.id, Swarm.last_activity_at, Swarm.opened_at,
          sqlite_where=Swarm.status == SwarmStatus.OPEN, postgresql_where=Swarm.status == SwarmStatus.OPEN),
)

# Migration 0006: invitations asked by DM live in the expert finder's outcomes until the expert joins; the
# never-answered list reads two of their states within the period, each a range scan with this index.
HOME_INDEXES_0006 = (
    Index("ix_expert_suggestions_state_invited_at", SuggestionOutcome.state, SuggestionOutcome.invited_at,
          SuggestionOutcome.answer_due_at, SuggestionOutcome.mode, SuggestionOutcome.swarm_id,
          SuggestionOutcome.user_id),
)

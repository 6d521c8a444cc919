"""Indexes the Home tab's stats read by (migration 0004); kept beside, not inside, the shared models."""

from __future__ import annotations

from sqlalchemy import Index

from swarms.models import Case, Note, Swarm, SwarmMember

HOME_INDEXES = (
    Index("ix_swarms_case_closed_at", Swarm.case_closed_at),
    Index("ix_swarms_status_last_activity_at", Swarm.status, Swarm.last_activity_at),
    Index("ix_swarms_case_system_case_key", Swarm.case_system, Swarm.case_key),
    Index("ix_swarm_members_invited_at", SwarmMember.invited_at),
    Index("ix_swarm_members_joined_at", SwarmMember.joined_at),
    Index("ix_notes_created_at_user_id", Note.created_at, Note.user_id),
    Index("ix_cases_closed_at", Case.closed_at),
)

"""Tables of the knowledge feature: who marked which message how, and the article drafts under review.

A mark is one row per (note, mark, person, way), so removing a reaction removes that person's mark only,
and `Note.marks` keeps the marks someone still holds. The database refuses a second identical mark,
which makes Slack's retried reaction events harmless.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from swarms.db import Base, UTCDateTime, utcnow


class MarkVia(enum.StrEnum):
    REACTION = "reaction"
    SHORTCUT = "shortcut"


class DraftState(enum.StrEnum):
    DRAFTED = "drafted"  # waiting for a reviewer; may be edited
    PUBLISHING = "publishing"  # one reviewer's Publish is exporting it right now
    PUBLISHED = "published"
    DISCARDED = "discarded"


class NoteMark(Base):
    """One person's mark on one captured message."""

    __tablename__ = "note_marks"
    __table_args__ = (UniqueConstraint("note_id", "mark", "user_id", "via"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    mark: Mapped[str] = mapped_column(String(20))  # knowledge_export.models.Mark
    user_id: Mapped[str] = mapped_column(String(32))
    via: Mapped[str] = mapped_column(String(12))  # MarkVia
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KnowledgeDraft(Base):
    """The article drafted when a swarm closed, and where its review got to."""

    __tablename__ = "knowledge_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    swarm_id: Mapped[int] = mapped_column(ForeignKey("swarms.id", ondelete="CASCADE"), unique=True)
    draft: Mapped[dict] = mapped_column(JSON, default=dict)  # ArticleDraft.to_dict()
    similar: Mapped[list] = mapped_column(JSON, default=list)  # [{"title", "location", "score"}]
    state: Mapped[str] = mapped_column(String(12), default=DraftState.DRAFTED)
    reviewer: Mapped[str | None] = mapped_column(String(32))  # who published or discarded it
    edited_by: Mapped[str | None] = mapped_column(String(32))
    export_location: Mapped[str] = mapped_column(Text, default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    channel_id: Mapped[str] = mapped_column(String(32), default="")
    message_ts: Mapped[str | None] = mapped_column(String(32))  # the review message in the swarm channel
    as_file: Mapped[bool] = mapped_column(default=False)  # too long for a message: posted as Markdown
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    publishing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

"""home: rollup of notes per person per day and indexes for the contribution stats

Revision ID: 0004
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import swarms.db

revision = "0004"
down_revision = "0001"
branch_labels = ("home",)
depends_on = None

INDEXES = (
    ("ix_swarms_case_closed_at", "swarms", ["case_closed_at"]),
    ("ix_swarms_status_last_activity_at", "swarms", ["status", "last_activity_at"]),
    ("ix_swarms_case_system_case_key", "swarms", ["case_system", "case_key"]),
    ("ix_swarm_members_invited_at", "swarm_members", ["invited_at", "user_id", "first_reply_at", "role", "invited_by"]),
    ("ix_swarm_members_joined_at", "swarm_members", ["joined_at", "user_id"]),
    ("ix_notes_created_at_user_id", "notes", ["created_at", "user_id", "deleted_at"]),
    ("ix_cases_closed_at", "cases", ["closed_at"]),
)


def upgrade() -> None:
    op.create_table(
        "home_note_days",
        sa.Column("day", swarms.db.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Integer(), nullable=False),
        sa.Column("outside", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "user_id", name=op.f("pk_home_note_days")),
    )
    op.create_table(
        "home_rollup_state",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("complete_until", swarms.db.UTCDateTime(), nullable=True),
        sa.Column("max_note_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", swarms.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_home_rollup_state")),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    op.create_index("ix_notes_deleted_at", "notes", ["deleted_at"], unique=False,
                    sqlite_where=sa.text("deleted_at IS NOT NULL"), postgresql_where=sa.text("deleted_at IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_notes_deleted_at", table_name="notes")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("home_rollup_state")
    op.drop_table("home_note_days")

"""slack_queue: claimed, persisted work (the Slack queue, any process carries on) and shared rate buckets

Revision ID: 0009b
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

import swarms.db

revision = "0009b"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claimed_work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("due_at", swarms.db.UTCDateTime(), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("lease_until", swarms.db.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", swarms.db.UTCDateTime(), nullable=False),
        sa.Column("done_at", swarms.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claimed_work")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_claimed_work_dedupe_key")),
    )
    op.create_index("ix_claimed_work_state_due_at", "claimed_work", ["state", "due_at"])
    op.create_table(
        "rate_buckets",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("tat", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rate_buckets")),
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
    op.drop_index("ix_claimed_work_state_due_at", table_name="claimed_work")
    op.drop_table("claimed_work")

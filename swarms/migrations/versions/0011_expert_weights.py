"""experts: versions of the ranking weights tuned on the team's own swarms (`case-swarm experts tune`)

Revision ID: 0011
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

import swarms.db

revision = "0011"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "expert_weights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("tuned_on", sa.Integer(), nullable=False),
        sa.Column("measured_on", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("trigger", sa.String(length=12), nullable=False),
        sa.Column("created_at", swarms.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_weights")),
        sa.UniqueConstraint("version", name=op.f("uq_expert_weights_version")),
    )


def downgrade() -> None:
    op.drop_table("expert_weights")

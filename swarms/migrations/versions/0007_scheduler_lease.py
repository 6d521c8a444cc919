"""replicas: the scheduler's lease, so one replica at a time runs the scheduled jobs

Revision ID: 0007
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import swarms.db


revision = "0007"
down_revision = "0001"
branch_labels = ("replicas",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("acquired_at", swarms.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", swarms.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_leases")),
    )


def downgrade() -> None:
    op.drop_table("scheduler_leases")

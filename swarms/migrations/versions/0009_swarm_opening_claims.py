"""slack_queue: swarm opening claimed across replicas (lease, asked-for steps), waiting requests, handled triggers

Revision ID: 0009
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import swarms.db

revision = "0009"
down_revision = "0001"
branch_labels = ("slack_queue",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("swarms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opening_holder", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("opening_lease_until", swarms.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("channel_requested", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("card_requested_at", swarms.db.UTCDateTime(), nullable=True))
    op.create_table(
        "swarm_open_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("swarm_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("reply_to", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_at", swarms.db.UTCDateTime(), nullable=False),
        sa.Column("told_at", swarms.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["swarm_id"], ["swarms.id"], name=op.f("fk_swarm_open_requests_swarm_id_swarms"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_swarm_open_requests")),
    )
    op.create_index("ix_swarm_open_requests_swarm_id_state", "swarm_open_requests", ["swarm_id", "state"])
    op.create_table(
        "handled_triggers",
        sa.Column("trigger_id", sa.String(length=128), nullable=False),
        sa.Column("received_at", swarms.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("trigger_id", name=op.f("pk_handled_triggers")),
    )
    op.create_index(op.f("ix_handled_triggers_received_at"), "handled_triggers", ["received_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_handled_triggers_received_at"), table_name="handled_triggers")
    op.drop_table("handled_triggers")
    op.drop_index("ix_swarm_open_requests_swarm_id_state", table_name="swarm_open_requests")
    op.drop_table("swarm_open_requests")
    with op.batch_alter_table("swarms", schema=None) as batch_op:
        batch_op.drop_column("card_requested_at")
        batch_op.drop_column("channel_requested")
        batch_op.drop_column("opening_lease_until")
        batch_op.drop_column("opening_holder")

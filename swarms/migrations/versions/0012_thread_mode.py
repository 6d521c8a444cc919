"""thread_mode: a swarm's place is (channel, thread): a thread of a team channel under the card, or its own channel

Revision ID: 0012
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = ("thread_mode",)
depends_on = None


def upgrade() -> None:
    # A team channel holds many thread swarms: the channel is unique only among channel swarms now.
    with op.batch_alter_table("swarms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mode", sa.String(length=10), server_default="channel", nullable=False))
        batch_op.add_column(sa.Column("thread_ts", sa.String(length=32), nullable=True))
        batch_op.drop_constraint("uq_swarms_channel_id", type_="unique")
        batch_op.create_unique_constraint(op.f("uq_swarms_channel_id_thread_ts"), ["channel_id", "thread_ts"])
    op.create_index("uq_swarms_own_channel", "swarms", ["channel_id"], unique=True,
                    sqlite_where=sa.text("mode = 'channel'"), postgresql_where=sa.text("mode = 'channel'"))


def downgrade() -> None:
    op.drop_index("uq_swarms_own_channel", table_name="swarms")
    with op.batch_alter_table("swarms", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_swarms_channel_id_thread_ts"), type_="unique")
        batch_op.create_unique_constraint("uq_swarms_channel_id", ["channel_id"])
        batch_op.drop_column("thread_ts")
        batch_op.drop_column("mode")

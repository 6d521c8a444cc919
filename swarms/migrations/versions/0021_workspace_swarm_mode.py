"""workspace swarm mode: each workspace may choose where `/swarm <case>` opens a swarm (its own channel or a
thread of the channel it is typed in), who chose it and when; NULL follows the deployment's SWARM_MODE

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

import swarms.db

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("slack_workspaces") as batch:
        batch.add_column(sa.Column("swarm_mode", sa.String(10), nullable=True))
        batch.add_column(sa.Column("swarm_mode_set_by", sa.String(32), nullable=True))
        batch.add_column(sa.Column("swarm_mode_set_at", swarms.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("slack_workspaces") as batch:
        batch.drop_column("swarm_mode_set_at")
        batch.drop_column("swarm_mode_set_by")
        batch.drop_column("swarm_mode")

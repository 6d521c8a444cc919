"""teams: a swarm belongs to the Slack workspace (team) it was opened in; one live swarm per case per team

Existing swarms are given the one workspace this database served (slack_workspaces holds at most one until
now: a second install was refused). A database that never recorded its workspace keeps '' on them, and the
first workspace to claim the database adopts those rows (swarms.install.workspaces.claim_workspace).

Revision ID: 0016
Revises: 0013b
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0013b"
branch_labels = ("teams",)
depends_on = "0012"  # after the thread-mode rebuild of the swarms table

_LIVE = sa.text("status IN ('opening', 'open')")


def upgrade() -> None:
    with op.batch_alter_table("swarms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.String(length=32), server_default="", nullable=False))
    op.execute("UPDATE swarms SET team_id = (SELECT MIN(team_id) FROM slack_workspaces) "
               "WHERE (SELECT COUNT(*) FROM slack_workspaces) = 1")
    op.drop_index("uq_swarms_live_case", table_name="swarms")
    op.create_index("uq_swarms_live_case", "swarms", ["team_id", "case_system", "case_key"], unique=True,
                    sqlite_where=_LIVE, postgresql_where=_LIVE)
    op.create_index("ix_swarms_team_id_case_number", "swarms", ["team_id", "case_system", "case_number"])


def downgrade() -> None:
    op.drop_index("ix_swarms_team_id_case_number", table_name="swarms")
    op.drop_index("uq_swarms_live_case", table_name="swarms")
    op.create_index("uq_swarms_live_case", "swarms", ["case_system", "case_key"], unique=True,
                    sqlite_where=_LIVE, postgresql_where=_LIVE)
    with op.batch_alter_table("swarms", schema=None) as batch_op:
        batch_op.drop_column("team_id")

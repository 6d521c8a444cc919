"""teams: queued Slack work carries the workspace it acts in (its token, its pace, its pause)

Rows queued before are given the one workspace this database served (a second install was refused until
now); a database that never recorded its workspace keeps '' on them, which the token mode's one client serves.

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = "0014"  # claimed_work as the coalescing change left it


def upgrade() -> None:
    with op.batch_alter_table("claimed_work", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.String(length=32), server_default="", nullable=False))
    op.execute("UPDATE claimed_work SET team_id = (SELECT MIN(team_id) FROM slack_workspaces) "
               "WHERE (SELECT COUNT(*) FROM slack_workspaces) = 1")


def downgrade() -> None:
    with op.batch_alter_table("claimed_work", schema=None) as batch_op:
        batch_op.drop_column("team_id")

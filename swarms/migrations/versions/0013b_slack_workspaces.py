"""install: the workspaces served and whether the app may still reach each (uninstall, tokens revoked)

Revision ID: 0013b
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

import swarms.db

revision = "0013b"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("team_name", sa.String(length=200), nullable=False),
        sa.Column("access", sa.String(length=20), nullable=False),
        sa.Column("access_changed_at", swarms.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_slack_workspaces")),
    )


def downgrade() -> None:
    op.drop_table("slack_workspaces")

"""slack_queue: coalesced work (a Home publish superseded by a newer one for the same person is not sent)

Revision ID: 0014
Revises: 0009b
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0009b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claimed_work", sa.Column("coalesce_key", sa.String(length=200), nullable=True))
    op.create_index("ix_claimed_work_coalesce_key", "claimed_work", ["coalesce_key"])


def downgrade() -> None:
    op.drop_index("ix_claimed_work_coalesce_key", table_name="claimed_work")
    op.drop_column("claimed_work", "coalesce_key")

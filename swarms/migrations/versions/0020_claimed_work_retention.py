"""claimed work retention: finished rows are deleted after CLAIMED_WORK_KEEP_DAYS, oldest first by `done_at`;
a click's check against the person's earlier rows reads them by `(coalesce_key, created_at)`, which replaces
the index on `coalesce_key` alone (its prefix serves every lookup that one did)

Revision ID: 0020
Revises: 0019
"""
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_claimed_work_done_at", "claimed_work", ["done_at"])
    op.create_index("ix_claimed_work_coalesce_key_created_at", "claimed_work", ["coalesce_key", "created_at"])
    op.drop_index("ix_claimed_work_coalesce_key", table_name="claimed_work")


def downgrade() -> None:
    op.create_index("ix_claimed_work_coalesce_key", "claimed_work", ["coalesce_key"])
    op.drop_index("ix_claimed_work_coalesce_key_created_at", table_name="claimed_work")
    op.drop_index("ix_claimed_work_done_at", table_name="claimed_work")

"""claimed work in order: rows sharing an `order_key` (a Slack channel's posts, or a thread's) go out one at a
time in the order queued; the claim's "an earlier row of my key still to go?" reads
`(order_key, state, id)`, indexed for rows with a key only

Rows queued before this revision have no key and keep going out unordered, as they did.

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

HAS_KEY = sa.text("order_key IS NOT NULL")


def upgrade() -> None:
    op.add_column("claimed_work", sa.Column("order_key", sa.String(length=200), nullable=True))
    op.create_index("ix_claimed_work_order_key_state_id", "claimed_work", ["order_key", "state", "id"],
                    unique=False, sqlite_where=HAS_KEY, postgresql_where=HAS_KEY)


def downgrade() -> None:
    op.drop_index("ix_claimed_work_order_key_state_id", table_name="claimed_work")
    with op.batch_alter_table("claimed_work") as batch:
        batch.drop_column("order_key")

"""outbox order and leases: a per-case sequence given at capture, a lease renewed while a send runs

Revision ID: 0008
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import swarms.db

revision = "0008"
down_revision = "0001"
branch_labels = ("outbox_order",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_sequences",
        sa.Column("case_system", sa.String(length=20), nullable=False),
        sa.Column("case_key", sa.String(length=64), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("case_system", "case_key", name=op.f("pk_outbox_sequences")),
    )
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("lease_until", swarms.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=32), nullable=False, server_default=""))
    # Rows already there keep the order they had: their ids within each case.
    op.execute(
        "UPDATE outbox SET seq = (SELECT count(*) FROM outbox AS earlier WHERE earlier.case_system = outbox.case_system"
        " AND earlier.case_key = outbox.case_key AND earlier.id <= outbox.id)"
    )
    op.execute(
        "INSERT INTO outbox_sequences (case_system, case_key, last_seq)"
        " SELECT case_system, case_key, max(seq) FROM outbox GROUP BY case_system, case_key"
    )
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("claimed_by", existing_type=sa.String(length=32), server_default=None)
        batch_op.drop_index("ix_outbox_case_key_id")
        batch_op.create_unique_constraint(op.f("uq_outbox_case_system_case_key_seq"), ["case_system", "case_key", "seq"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_constraint(op.f("uq_outbox_case_system_case_key_seq"), type_="unique")
        batch_op.create_index("ix_outbox_case_key_id", ["case_key", "id"], unique=False)
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("seq")
    op.drop_table("outbox_sequences")

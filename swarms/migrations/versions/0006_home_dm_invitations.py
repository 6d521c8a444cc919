"""home: an index for invitations asked by DM, read by the never-answered and waiting lists

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = "0002"  # expert_suggestions is made by the experts branch

# The never-answered list asks for outcomes in two states (ignored; invited past the answer time) within
# the period: with `invited_at` second, each state is a range scan of the period, not every row of the
# state; the other columns it reads make the index covering.
COLUMNS = ["state", "invited_at", "answer_due_at", "mode", "swarm_id", "user_id"]


def upgrade() -> None:
    op.create_index("ix_expert_suggestions_state_invited_at", "expert_suggestions", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_expert_suggestions_state_invited_at", table_name="expert_suggestions")

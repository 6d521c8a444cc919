"""home: indexes for the contribution stats (App Home, export, digest)

Revision ID: 0004
Revises: 0001
"""
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = ("home",)
depends_on = None

INDEXES = (
    ("ix_swarms_case_closed_at", "swarms", ["case_closed_at"]),
    ("ix_swarms_status_last_activity_at", "swarms", ["status", "last_activity_at"]),
    ("ix_swarms_case_system_case_key", "swarms", ["case_system", "case_key"]),
    ("ix_swarm_members_invited_at", "swarm_members", ["invited_at"]),
    ("ix_swarm_members_joined_at", "swarm_members", ["joined_at"]),
    ("ix_notes_created_at_user_id", "notes", ["created_at", "user_id"]),
    ("ix_cases_closed_at", "cases", ["closed_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)

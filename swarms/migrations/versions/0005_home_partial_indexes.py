"""home: partial and covering indexes for the per-person and team figures; notices out of the notes rollup

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (name, table, columns, where): the where clause as the queries compare (SQLite spells a true boolean as
# `= 1`); the filtered columns are in the index too, or SQLite reads the row to check them.
INDEXES = (
    ("ix_swarms_open_id", "swarms", ["id", "last_activity_at", "opened_at"], "status = 'open'"),
    ("ix_swarm_members_credited", "swarm_members", ["swarm_id", "user_id", "credited"],
     {"sqlite": "credited = 1", "postgresql": "credited"}),
    ("ix_swarm_members_present", "swarm_members", ["swarm_id", "user_id", "left_at"], "left_at IS NULL"),
    ("ix_swarm_members_expert_joined", "swarm_members", ["swarm_id", "role", "joined_at"],
     "role = 'expert' AND joined_at IS NOT NULL"),
)


def upgrade() -> None:
    # The median time to close reads both timestamps of every case closed in the period: from the index alone.
    op.drop_index("ix_swarms_case_closed_at", table_name="swarms")
    op.create_index("ix_swarms_case_closed_at_opened_at", "swarms", ["case_closed_at", "opened_at"], unique=False)
    # The median reply time is worked out for the people shown only: their own invitations of the period.
    op.create_index("ix_swarm_members_user_id_invited_at", "swarm_members",
                    ["user_id", "invited_at", "first_reply_at", "role", "invited_by"], unique=False)
    for name, table, columns, where in INDEXES:
        spelled = where if isinstance(where, dict) else {"sqlite": where, "postgresql": where}
        op.create_index(name, table, columns, unique=False, sqlite_where=sa.text(spelled["sqlite"]),
                        postgresql_where=sa.text(spelled["postgresql"]))
    # The app's own notices (closing, marks) were rolled up as a person with no id; they count nowhere now.
    op.execute("DELETE FROM home_note_days WHERE user_id = ''")


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_swarm_members_user_id_invited_at", table_name="swarm_members")
    op.drop_index("ix_swarms_case_closed_at_opened_at", table_name="swarms")
    op.create_index("ix_swarms_case_closed_at", "swarms", ["case_closed_at"], unique=False)

"""home by team: the notes rollup keyed by workspace; the figures' swarm indexes lead with it

`home_note_days` gets `team_id` first in its key. Its rows so far are of the one workspace this database
served (a second install was refused until now), so they are given that workspace, as 0016 gave the
swarms; a database that never recorded its workspace keeps '' on them, and the first workspace to claim it
adopts those rows with its swarms (swarms.install.workspaces.claim_workspace). The rollup state is one
row for all workspaces (a run rolls up every workspace's notes) and stays as it is.

The swarm indexes the Home figures start from (opened, closed, case closed, open now) lead with team_id,
so one workspace's period is one index range; the member indexes carry swarm_id, so a member's swarm (and
its workspace) is reached from the index alone; a case's swarms carry their workspace in its index.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

import swarms.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = "0006"  # after the home branch: its indexes are replaced here

_OPEN = sa.text("status = 'open'")
_MEMBERS_BEFORE = {
    "ix_swarm_members_invited_at": ["invited_at", "user_id", "first_reply_at", "role", "invited_by"],
    "ix_swarm_members_joined_at": ["joined_at", "user_id"],
    "ix_swarm_members_user_id_invited_at": ["user_id", "invited_at", "first_reply_at", "role", "invited_by"],
}
_TEAM_INDEXES = (
    ("ix_swarms_team_id_opened_at", ["team_id", "opened_at", "status"]),
    ("ix_swarms_team_id_closed_at", ["team_id", "closed_at"]),
    ("ix_swarms_team_id_case_closed_at", ["team_id", "case_closed_at", "opened_at"]),
)


def upgrade() -> None:
    # A new key on both databases alike: the rows are copied aside, the table made again, the rows put back.
    op.execute("CREATE TABLE home_note_days_before_teams AS SELECT * FROM home_note_days")
    op.drop_table("home_note_days")
    _note_days_table(by_team=True)
    op.execute("INSERT INTO home_note_days (team_id, day, user_id, notes, outside) SELECT CASE WHEN "
               "(SELECT COUNT(*) FROM slack_workspaces) = 1 THEN (SELECT MIN(team_id) FROM slack_workspaces) "
               "ELSE '' END, day, user_id, notes, outside FROM home_note_days_before_teams")
    op.drop_table("home_note_days_before_teams")
    for name, columns in _TEAM_INDEXES:
        op.create_index(name, "swarms", columns, unique=False)
    op.drop_index("ix_swarms_case_closed_at_opened_at", table_name="swarms")
    op.drop_index("ix_swarms_open_id", table_name="swarms")
    op.create_index("ix_swarms_team_id_open", "swarms", ["team_id", "id", "last_activity_at", "opened_at"],
                    unique=False, sqlite_where=_OPEN, postgresql_where=_OPEN)
    for name, columns in _MEMBERS_BEFORE.items():
        op.drop_index(name, table_name="swarm_members")
        op.create_index(name, "swarm_members", [*columns, "swarm_id"], unique=False)
    op.drop_index("ix_swarms_case_system_case_key", table_name="swarms")
    op.create_index("ix_swarms_case_system_case_key", "swarms", ["case_system", "case_key", "team_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_swarms_case_system_case_key", table_name="swarms")
    op.create_index("ix_swarms_case_system_case_key", "swarms", ["case_system", "case_key"], unique=False)
    for name, columns in _MEMBERS_BEFORE.items():
        op.drop_index(name, table_name="swarm_members")
        op.create_index(name, "swarm_members", columns, unique=False)
    op.drop_index("ix_swarms_team_id_open", table_name="swarms")
    op.create_index("ix_swarms_open_id", "swarms", ["id", "last_activity_at", "opened_at"], unique=False,
                    sqlite_where=_OPEN, postgresql_where=_OPEN)
    op.create_index("ix_swarms_case_closed_at_opened_at", "swarms", ["case_closed_at", "opened_at"], unique=False)
    for name, _ in reversed(_TEAM_INDEXES):
        op.drop_index(name, table_name="swarms")
    # One workspace's rows per (day, person) again: the others' would collide, so they are summed.
    op.execute("CREATE TABLE home_note_days_by_team AS SELECT * FROM home_note_days")
    op.drop_table("home_note_days")
    _note_days_table(by_team=False)
    op.execute("INSERT INTO home_note_days (day, user_id, notes, outside) SELECT day, user_id, SUM(notes), "
               "SUM(outside) FROM home_note_days_by_team GROUP BY day, user_id")
    op.drop_table("home_note_days_by_team")


def _note_days_table(*, by_team: bool) -> None:
    team = [sa.Column("team_id", sa.String(length=32), nullable=False)] if by_team else []
    op.create_table(
        "home_note_days",
        *team,
        sa.Column("day", swarms.db.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Integer(), nullable=False),
        sa.Column("outside", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*(["team_id"] if by_team else []), "day", "user_id", name=op.f("pk_home_note_days")),
    )

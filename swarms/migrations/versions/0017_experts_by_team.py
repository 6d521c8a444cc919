"""teams: each workspace (team) has its own expert directory and its own tuned weights

experts.team_id, unique (team_id, user_id) instead of user_id; expert_weights.team_id, versions counted per
team (unique (team_id, version) instead of version). Skills and products hang off their expert, suggestion
outcomes off their swarm (keyed by 0016), so they follow. Existing rows are given the one workspace this
database served, as 0016 does for swarms; a database that never recorded one keeps '' on them, and the
first workspace to claim it adopts them (swarms.install.workspaces.claim_workspace).

Downgrading needs every Slack user id to be in at most one directory, and one tuned version per number.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = "0011"  # expert_weights is made by the experts branch

_ONE_WORKSPACE = "WHERE (SELECT COUNT(*) FROM slack_workspaces) = 1"


def upgrade() -> None:
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.String(length=32), server_default="", nullable=False))
        batch_op.drop_constraint("uq_experts_user_id", type_="unique")
        batch_op.create_unique_constraint(op.f("uq_experts_team_id_user_id"), ["team_id", "user_id"])
    with op.batch_alter_table("expert_weights", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.String(length=32), server_default="", nullable=False))
        batch_op.drop_constraint("uq_expert_weights_version", type_="unique")
        batch_op.create_unique_constraint(op.f("uq_expert_weights_team_id_version"), ["team_id", "version"])
    for table in ("experts", "expert_weights"):
        op.execute(f"UPDATE {table} SET team_id = (SELECT MIN(team_id) FROM slack_workspaces) {_ONE_WORKSPACE}")


def downgrade() -> None:
    with op.batch_alter_table("expert_weights", schema=None) as batch_op:
        batch_op.drop_constraint("uq_expert_weights_team_id_version", type_="unique")
        batch_op.create_unique_constraint(op.f("uq_expert_weights_version"), ["version"])
        batch_op.drop_column("team_id")
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_experts_team_id_user_id", type_="unique")
        batch_op.create_unique_constraint(op.f("uq_experts_user_id"), ["user_id"])
        batch_op.drop_column("team_id")

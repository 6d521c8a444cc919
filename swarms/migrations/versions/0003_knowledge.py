"""knowledge: marks on notes, article drafts under review

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23 11:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import swarms.db


revision = '0003'
down_revision = '0001'
branch_labels = ('knowledge',)
depends_on = None


def upgrade() -> None:
    op.create_table('note_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('mark', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('via', sa.String(length=12), nullable=False),
    sa.Column('created_at', swarms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_note_marks_note_id_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note_marks')),
    sa.UniqueConstraint('note_id', 'mark', 'user_id', 'via', name=op.f('uq_note_marks_note_id_mark_user_id_via'))
    )
    with op.batch_alter_table('note_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_marks_note_id'), ['note_id'], unique=False)

    op.create_table('knowledge_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swarm_id', sa.Integer(), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('similar', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('reviewer', sa.String(length=32), nullable=True),
    sa.Column('edited_by', sa.String(length=32), nullable=True),
    sa.Column('export_location', sa.Text(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('message_ts', sa.String(length=32), nullable=True),
    sa.Column('as_file', sa.Boolean(), nullable=False),
    sa.Column('created_at', swarms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', swarms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('publishing_since', swarms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at', swarms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('discarded_at', swarms.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['swarm_id'], ['swarms.id'], name=op.f('fk_knowledge_drafts_swarm_id_swarms'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_drafts')),
    sa.UniqueConstraint('swarm_id', name=op.f('uq_knowledge_drafts_swarm_id'))
    )


def downgrade() -> None:
    op.drop_table('knowledge_drafts')
    with op.batch_alter_table('note_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_marks_note_id'))
    op.drop_table('note_marks')

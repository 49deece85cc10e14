"""oversight

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 15:08:39.442517

Inspections and spot checks with their rectification (inspection), bulletins and the checks
they publish (bulletin, bulletin_inspection) (第十七条), training sessions and attendance
(training_session, training_attendance) (第十六条). Branches off 0003 beside the calls'
0004; the application upgrades to "heads".
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bulletin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('docx', sa.LargeBinary(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_bulletin_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['published_by_id'], ['app_user.id'], name=op.f('fk_bulletin_published_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin')),
    sa.UniqueConstraint('number', name=op.f('uq_bulletin_number'))
    )
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.create_index('ix_bulletin_state', ['state'], unique=False)

    op.create_table('inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('phone_called', sa.String(length=30), nullable=True),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('answer_seconds', sa.Integer(), nullable=True),
    sa.Column('officer_present', sa.Boolean(), nullable=True),
    sa.Column('officer_permanent', sa.Boolean(), nullable=True),
    sa.Column('log_book_complete', sa.Boolean(), nullable=True),
    sa.Column('equipment_ok', sa.Boolean(), nullable=True),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('rectification_required', sa.Boolean(), nullable=False),
    sa.Column('rectification_deadline', sa.Date(), nullable=True),
    sa.Column('rectified_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rectification_note', sa.Text(), nullable=True),
    sa.Column('rectified_by_id', sa.Integer(), nullable=True),
    sa.Column('inspector_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspector_user_id'], ['app_user.id'], name=op.f('fk_inspection_inspector_user_id_app_user')),
    sa.ForeignKeyConstraint(['rectified_by_id'], ['app_user.id'], name=op.f('fk_inspection_rectified_by_id_app_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_inspection_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_at', ['at'], unique=False)
        batch_op.create_index('ix_inspection_unit_at', ['unit_id', 'at'], unique=False)

    op.create_table('training_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('trainer', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_training_session_created_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_session'))
    )
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_session_held_on'), ['held_on'], unique=False)

    op.create_table('bulletin_inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bulletin_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletin.id'], name=op.f('fk_bulletin_inspection_bulletin_id_bulletin'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_bulletin_inspection_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_bulletin_inspection_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_inspection')),
    sa.UniqueConstraint('bulletin_id', 'inspection_id', name=op.f('uq_bulletin_inspection_bulletin_id'))
    )
    with op.batch_alter_table('bulletin_inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletin_inspection_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index('ix_bulletin_inspection_unit', ['unit_id', 'bulletin_id'], unique=False)

    op.create_table('training_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_training_attendance_person_id_person')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_training_attendance_recorded_by_id_app_user')),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_training_attendance_session_id_training_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attendance')),
    sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_training_attendance_session_id'))
    )
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_attendance_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_attendance_person_id'))

    op.drop_table('training_attendance')
    with op.batch_alter_table('bulletin_inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_bulletin_inspection_unit')
        batch_op.drop_index(batch_op.f('ix_bulletin_inspection_inspection_id'))

    op.drop_table('bulletin_inspection')
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_session_held_on'))

    op.drop_table('training_session')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_unit_at')
        batch_op.drop_index('ix_inspection_at')

    op.drop_table('inspection')
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.drop_index('ix_bulletin_state')

    op.drop_table('bulletin')

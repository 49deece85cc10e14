"""rosters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 14:21:43.622887

The duty calendar (holiday_day, special_period + special_period_unit), rosters and their
shifts (roster, shift, shift_officer), unavailability, swap requests, check-ins and the
signed handover with its open items (handover, handover_item). Branches off 0001 beside
the incidents' 0002; the application upgrades to "heads".
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('holiday_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday_day')),
    sa.UniqueConstraint('day', name=op.f('uq_holiday_day_day'))
    )
    op.create_table('special_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('starts_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('all_units', sa.Boolean(), nullable=False),
    sa.Column('double_staffing', sa.Boolean(), nullable=False),
    sa.Column('leaders_on_duty', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_special_period'))
    )
    with op.batch_alter_table('special_period', schema=None) as batch_op:
        batch_op.create_index('ix_special_period_span', ['starts_at', 'ends_at'], unique=False)

    op.create_table('special_period_unit',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['special_period.id'], name=op.f('fk_special_period_unit_period_id_special_period'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_special_period_unit_unit_id_unit')),
    sa.PrimaryKeyConstraint('period_id', 'unit_id', name=op.f('pk_special_period_unit'))
    )
    with op.batch_alter_table('special_period_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_special_period_unit_unit_id'), ['unit_id'], unique=False)

    op.create_table('roster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('template_set', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['app_user.id'], name=op.f('fk_roster_published_by_id_app_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_roster_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster')),
    sa.UniqueConstraint('unit_id', 'year', 'month', name=op.f('uq_roster_unit_id'))
    )
    op.create_table('unavailability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_unavailability_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_unavailability_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unavailability')),
    sa.UniqueConstraint('person_id', 'day', name=op.f('uq_unavailability_person_id'))
    )
    with op.batch_alter_table('unavailability', schema=None) as batch_op:
        batch_op.create_index('ix_unavailability_day', ['day'], unique=False)

    op.create_table('shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('template_code', sa.String(length=20), nullable=False),
    sa.Column('leader_person_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('on_duty_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handed_over_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['leader_person_id'], ['person.id'], name=op.f('fk_shift_leader_person_id_person')),
    sa.ForeignKeyConstraint(['roster_id'], ['roster.id'], name=op.f('fk_shift_roster_id_roster'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_shift_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift'))
    )
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_leader_person_id'), ['leader_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shift_roster_id'), ['roster_id'], unique=False)
        batch_op.create_index('ix_shift_state', ['state'], unique=False)
        batch_op.create_index('ix_shift_unit_starts', ['unit_id', 'starts_at'], unique=False)

    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_check_in_person_id_person')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_check_in_shift_id_shift'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_check_in_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in')),
    sa.UniqueConstraint('shift_id', 'person_id', name=op.f('uq_check_in_shift_id'))
    )
    op.create_table('handover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outgoing_shift_id', sa.Integer(), nullable=False),
    sa.Column('incoming_shift_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('equipment', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outgoing_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('outgoing_confirmed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('incoming_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('incoming_confirmed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_handover_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['incoming_confirmed_by_id'], ['app_user.id'], name=op.f('fk_handover_incoming_confirmed_by_id_app_user')),
    sa.ForeignKeyConstraint(['incoming_shift_id'], ['shift.id'], name=op.f('fk_handover_incoming_shift_id_shift')),
    sa.ForeignKeyConstraint(['outgoing_confirmed_by_id'], ['app_user.id'], name=op.f('fk_handover_outgoing_confirmed_by_id_app_user')),
    sa.ForeignKeyConstraint(['outgoing_shift_id'], ['shift.id'], name=op.f('fk_handover_outgoing_shift_id_shift')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover')),
    sa.UniqueConstraint('outgoing_shift_id', name=op.f('uq_handover_outgoing_shift_id'))
    )
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_incoming_shift_id'), ['incoming_shift_id'], unique=False)

    op.create_table('shift_officer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_shift_officer_person_id_person')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_shift_officer_shift_id_shift'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_officer')),
    sa.UniqueConstraint('shift_id', 'person_id', name=op.f('uq_shift_officer_shift_id'))
    )
    with op.batch_alter_table('shift_officer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_officer_person_id'), ['person_id'], unique=False)

    op.create_table('swap_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('other_shift_id', sa.Integer(), nullable=True),
    sa.Column('from_person_id', sa.Integer(), nullable=False),
    sa.Column('to_person_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['app_user.id'], name=op.f('fk_swap_request_approved_by_id_app_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_swap_request_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['from_person_id'], ['person.id'], name=op.f('fk_swap_request_from_person_id_person')),
    sa.ForeignKeyConstraint(['other_shift_id'], ['shift.id'], name=op.f('fk_swap_request_other_shift_id_shift'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['app_user.id'], name=op.f('fk_swap_request_requested_by_id_app_user')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_swap_request_shift_id_shift'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_person_id'], ['person.id'], name=op.f('fk_swap_request_to_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_swap_request'))
    )
    with op.batch_alter_table('swap_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_swap_request_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index('ix_swap_request_state', ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_swap_request_to_person_id'), ['to_person_id'], unique=False)

    op.create_table('handover_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('ref_id', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('since', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('passed_on', sa.Boolean(), nullable=False),
    sa.Column('acknowledged_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acted_on_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('responsible', sa.String(length=20), nullable=True),
    sa.Column('responsible_person_id', sa.Integer(), nullable=True),
    sa.Column('finding', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], name=op.f('fk_handover_item_handover_id_handover'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsible_person_id'], ['person.id'], name=op.f('fk_handover_item_responsible_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_item')),
    sa.UniqueConstraint('handover_id', 'kind', 'ref_id', name=op.f('uq_handover_item_handover_id'))
    )
    with op.batch_alter_table('handover_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_item_handover_id'), ['handover_id'], unique=False)
        batch_op.create_index('ix_handover_item_ref', ['kind', 'ref_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('handover_item', schema=None) as batch_op:
        batch_op.drop_index('ix_handover_item_ref')
        batch_op.drop_index(batch_op.f('ix_handover_item_handover_id'))

    op.drop_table('handover_item')
    with op.batch_alter_table('swap_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_swap_request_to_person_id'))
        batch_op.drop_index('ix_swap_request_state')
        batch_op.drop_index(batch_op.f('ix_swap_request_shift_id'))

    op.drop_table('swap_request')
    with op.batch_alter_table('shift_officer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_officer_person_id'))

    op.drop_table('shift_officer')
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_incoming_shift_id'))

    op.drop_table('handover')
    op.drop_table('check_in')
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_index('ix_shift_unit_starts')
        batch_op.drop_index('ix_shift_state')
        batch_op.drop_index(batch_op.f('ix_shift_roster_id'))
        batch_op.drop_index(batch_op.f('ix_shift_leader_person_id'))

    op.drop_table('shift')
    with op.batch_alter_table('unavailability', schema=None) as batch_op:
        batch_op.drop_index('ix_unavailability_day')

    op.drop_table('unavailability')
    op.drop_table('roster')
    with op.batch_alter_table('special_period_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_special_period_unit_unit_id'))

    op.drop_table('special_period_unit')
    with op.batch_alter_table('special_period', schema=None) as batch_op:
        batch_op.drop_index('ix_special_period_span')

    op.drop_table('special_period')
    op.drop_table('holiday_day')

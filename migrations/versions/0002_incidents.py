"""incidents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 14:21:03.266797

Incidents and their intakes, ownership transfers (第十二条), the append-only timeline
(第十三条, refused UPDATE and DELETE by trigger like the audit trail), reports (第十八、十九、
二十二条), stored deadlines with partial indexes over the open ones (第二十一条),
verification requests (第二十条) and the office's deadline table.
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _create_timeline_triggers() -> None:
    if _sqlite():
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER incident_event_no_{verb.lower()} BEFORE {verb} ON incident_event "
                "BEGIN SELECT RAISE(ABORT, 'incident_event is append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION incident_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'incident_event is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER incident_event_no_change BEFORE UPDATE OR DELETE ON incident_event "
        "FOR EACH ROW EXECUTE FUNCTION incident_event_append_only()"
    )
    op.execute(
        "CREATE TRIGGER incident_event_no_truncate BEFORE TRUNCATE ON incident_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION incident_event_append_only()"
    )


def _drop_timeline_triggers() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS incident_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS incident_event_no_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS incident_event_no_truncate ON incident_event")
    op.execute("DROP TRIGGER IF EXISTS incident_event_no_change ON incident_event")
    op.execute("DROP FUNCTION IF EXISTS incident_event_append_only()")


def upgrade() -> None:
    op.create_table('deadline_table_setting',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('district_written_minutes', sa.Integer(), nullable=False),
    sa.Column('major_phone_minutes', sa.Integer(), nullable=False),
    sa.Column('major_phone_latest_minutes', sa.Integer(), nullable=False),
    sa.Column('verification_phone_minutes', sa.Integer(), nullable=False),
    sa.Column('verification_written_minutes', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], name=op.f('fk_deadline_table_setting_updated_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_table_setting'))
    )
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_text', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('level', sa.String(length=4), nullable=True),
    sa.Column('sensitive_time', sa.Boolean(), nullable=False),
    sa.Column('sensitive_place', sa.Boolean(), nullable=False),
    sa.Column('sensitive_nature', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('classification', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('unverified', sa.Boolean(), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closure_status', sa.String(length=20), nullable=True),
    sa.Column('closure_requested_by_id', sa.Integer(), nullable=True),
    sa.Column('closure_requested_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closure_note', sa.Text(), nullable=True),
    sa.Column('closure_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('closure_decided_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closure_comment', sa.Text(), nullable=True),
    sa.Column('closed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['closure_decided_by_id'], ['app_user.id'], name=op.f('fk_incident_closure_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['closure_requested_by_id'], ['app_user.id'], name=op.f('fk_incident_closure_requested_by_id_app_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_incident_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['app_user.id'], name=op.f('fk_incident_owner_user_id_app_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_incident_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_closure_status', ['closure_status'], unique=False)
        batch_op.create_index('ix_incident_owner_state', ['owner_user_id', 'state'], unique=False)
        batch_op.create_index('ix_incident_unit_state', ['unit_id', 'state'], unique=False)

    op.create_table('incident_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['app_user.id'], name=op.f('fk_incident_event_actor_user_id_app_user')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_event_incident_id_incident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_event'))
    )
    with op.batch_alter_table('incident_event', schema=None) as batch_op:
        batch_op.create_index('ix_incident_event_incident_at', ['incident_id', 'at'], unique=False)

    op.create_table('incident_intake',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('caller', sa.String(length=100), nullable=False),
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('received_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_intake_incident_id_incident')),
    sa.ForeignKeyConstraint(['taken_by_id'], ['app_user.id'], name=op.f('fk_incident_intake_taken_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_intake'))
    )
    with op.batch_alter_table('incident_intake', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_intake_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('by_phone', sa.Boolean(), nullable=False),
    sa.Column('elements', sa.JSON(), nullable=False),
    sa.Column('deaths', sa.Integer(), nullable=True),
    sa.Column('injuries', sa.Integer(), nullable=True),
    sa.Column('missing', sa.Integer(), nullable=True),
    sa.Column('losses', sa.String(length=200), nullable=True),
    sa.Column('missing_elements', sa.JSON(), nullable=False),
    sa.Column('changed_elements', sa.JSON(), nullable=False),
    sa.Column('changes_since_last', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=True),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('classification', sa.String(length=20), nullable=False),
    sa.Column('urgency', sa.String(length=20), nullable=True),
    sa.Column('unverified', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=True),
    sa.Column('drafted_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('return_comment', sa.Text(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delay_reason', sa.Text(), nullable=True),
    sa.Column('written_owed', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['app_user.id'], name=op.f('fk_incident_report_drafted_by_id_app_user')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_report_incident_id_incident')),
    sa.ForeignKeyConstraint(['returned_by_id'], ['app_user.id'], name=op.f('fk_incident_report_returned_by_id_app_user')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['app_user.id'], name=op.f('fk_incident_report_sent_by_id_app_user')),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['app_user.id'], name=op.f('fk_incident_report_signed_off_by_id_app_user')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['app_user.id'], name=op.f('fk_incident_report_submitted_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_report')),
    sa.UniqueConstraint('incident_id', 'kind', 'number', 'by_phone', name=op.f('uq_incident_report_incident_id'))
    )
    with op.batch_alter_table('incident_report', schema=None) as batch_op:
        batch_op.create_index('ix_incident_report_status', ['status'], unique=False)

    op.create_table('ownership_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('accepted_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('declined_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('cancelled_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['from_user_id'], ['app_user.id'], name=op.f('fk_ownership_transfer_from_user_id_app_user')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_ownership_transfer_incident_id_incident')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['app_user.id'], name=op.f('fk_ownership_transfer_requested_by_id_app_user')),
    sa.ForeignKeyConstraint(['to_user_id'], ['app_user.id'], name=op.f('fk_ownership_transfer_to_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ownership_transfer'))
    )
    with op.batch_alter_table('ownership_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ownership_transfer_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ownership_transfer_to_user_id'), ['to_user_id'], unique=False)

    op.create_table('verification_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requester', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('written_required', sa.Boolean(), nullable=False),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('logged_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('phone_answered_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('phone_answered_by_id', sa.Integer(), nullable=True),
    sa.Column('phone_answer', sa.Text(), nullable=True),
    sa.Column('written_answered_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('written_answered_by_id', sa.Integer(), nullable=True),
    sa.Column('written_answer', sa.Text(), nullable=True),
    sa.Column('late_reason', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_verification_request_incident_id_incident')),
    sa.ForeignKeyConstraint(['logged_by_id'], ['app_user.id'], name=op.f('fk_verification_request_logged_by_id_app_user')),
    sa.ForeignKeyConstraint(['phone_answered_by_id'], ['app_user.id'], name=op.f('fk_verification_request_phone_answered_by_id_app_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_verification_request_unit_id_unit')),
    sa.ForeignKeyConstraint(['written_answered_by_id'], ['app_user.id'], name=op.f('fk_verification_request_written_answered_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_request'))
    )
    with op.batch_alter_table('verification_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_request_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_verification_request_unit_state', ['unit_id', 'state'], unique=False)

    op.create_table('deadline_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('verification_request_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('starts_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('latest_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('article', sa.String(length=40), nullable=False),
    sa.Column('opened_by_report_id', sa.Integer(), nullable=True),
    sa.Column('satisfied_by_report_id', sa.Integer(), nullable=True),
    sa.Column('satisfied_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('late_reason', sa.Text(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('incident_id IS NOT NULL OR verification_request_id IS NOT NULL', name=op.f('ck_deadline_record_owner')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_deadline_record_incident_id_incident')),
    sa.ForeignKeyConstraint(['opened_by_report_id'], ['incident_report.id'], name=op.f('fk_deadline_record_opened_by_report_id_incident_report')),
    sa.ForeignKeyConstraint(['satisfied_by_report_id'], ['incident_report.id'], name=op.f('fk_deadline_record_satisfied_by_report_id_incident_report')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_deadline_record_unit_id_unit')),
    sa.ForeignKeyConstraint(['verification_request_id'], ['verification_request.id'], name=op.f('fk_deadline_record_verification_request_id_verification_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_record'))
    )
    with op.batch_alter_table('deadline_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_record_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_deadline_record_open_due', ['due_at'], unique=False, sqlite_where=sa.text('satisfied_at IS NULL'), postgresql_where=sa.text('satisfied_at IS NULL'))
        batch_op.create_index('ix_deadline_record_open_unit_due', ['unit_id', 'due_at'], unique=False, sqlite_where=sa.text('satisfied_at IS NULL'), postgresql_where=sa.text('satisfied_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_deadline_record_verification_request_id'), ['verification_request_id'], unique=False)

    _create_timeline_triggers()


def downgrade() -> None:
    _drop_timeline_triggers()
    with op.batch_alter_table('deadline_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_record_verification_request_id'))
        batch_op.drop_index('ix_deadline_record_open_unit_due', sqlite_where=sa.text('satisfied_at IS NULL'), postgresql_where=sa.text('satisfied_at IS NULL'))
        batch_op.drop_index('ix_deadline_record_open_due', sqlite_where=sa.text('satisfied_at IS NULL'), postgresql_where=sa.text('satisfied_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_deadline_record_incident_id'))

    op.drop_table('deadline_record')
    with op.batch_alter_table('verification_request', schema=None) as batch_op:
        batch_op.drop_index('ix_verification_request_unit_state')
        batch_op.drop_index(batch_op.f('ix_verification_request_incident_id'))

    op.drop_table('verification_request')
    with op.batch_alter_table('ownership_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ownership_transfer_to_user_id'))
        batch_op.drop_index(batch_op.f('ix_ownership_transfer_incident_id'))

    op.drop_table('ownership_transfer')
    with op.batch_alter_table('incident_report', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_report_status')

    op.drop_table('incident_report')
    with op.batch_alter_table('incident_intake', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_intake_incident_id'))

    op.drop_table('incident_intake')
    with op.batch_alter_table('incident_event', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_event_incident_at')

    op.drop_table('incident_event')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_unit_state')
        batch_op.drop_index('ix_incident_owner_state')
        batch_op.drop_index('ix_incident_closure_status')

    op.drop_table('incident')
    op.drop_table('deadline_table_setting')

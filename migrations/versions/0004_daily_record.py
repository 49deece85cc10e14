"""daily record

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 15:09:05.223628

The daily record (issue 5): calls with their first-contact owner and accepted transfers
(第十一、十二条), leader instructions and their receivers (第五条、第八条(三)), mayor-hotline
items (第八条(六)), and the duty log book (第十三条): one log_book per shift and its
hash-chained log_entry rows. log_entry refuses UPDATE and DELETE by trigger, like the audit
trail; a sealed log_book row refuses UPDATE and DELETE too. Branches off 0003 beside the
oversight's 0005; the application upgrades to "heads".
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _create_triggers() -> None:
    if _sqlite():
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER log_entry_no_{verb.lower()} BEFORE {verb} ON log_entry "
                "BEGIN SELECT RAISE(ABORT, 'log_entry is append-only'); END"
            )
            op.execute(
                f"CREATE TRIGGER log_book_sealed_no_{verb.lower()} BEFORE {verb} ON log_book "
                "WHEN OLD.sealed_at IS NOT NULL "
                "BEGIN SELECT RAISE(ABORT, 'log_book is sealed'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION log_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'log_entry is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER log_entry_no_change BEFORE UPDATE OR DELETE ON log_entry "
        "FOR EACH ROW EXECUTE FUNCTION log_entry_append_only()"
    )
    op.execute(
        "CREATE TRIGGER log_entry_no_truncate BEFORE TRUNCATE ON log_entry "
        "FOR EACH STATEMENT EXECUTE FUNCTION log_entry_append_only()"
    )
    op.execute(
        "CREATE FUNCTION log_book_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF OLD.sealed_at IS NOT NULL THEN RAISE EXCEPTION 'log_book is sealed'; END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER log_book_sealed_no_change BEFORE UPDATE OR DELETE ON log_book "
        "FOR EACH ROW EXECUTE FUNCTION log_book_sealed()"
    )


def _drop_triggers() -> None:
    if _sqlite():
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS log_entry_no_{verb}")
            op.execute(f"DROP TRIGGER IF EXISTS log_book_sealed_no_{verb}")
        return
    op.execute("DROP TRIGGER IF EXISTS log_entry_no_truncate ON log_entry")
    op.execute("DROP TRIGGER IF EXISTS log_entry_no_change ON log_entry")
    op.execute("DROP FUNCTION IF EXISTS log_entry_append_only()")
    op.execute("DROP TRIGGER IF EXISTS log_book_sealed_no_change ON log_book")
    op.execute("DROP FUNCTION IF EXISTS log_book_sealed()")


def upgrade() -> None:
    op.create_table('hotline_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('item_no', sa.String(length=50), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('deadline', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('forwarded_to_person_id', sa.Integer(), nullable=True),
    sa.Column('forwarded_by_id', sa.Integer(), nullable=True),
    sa.Column('notified_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['done_by_id'], ['app_user.id'], name=op.f('fk_hotline_item_done_by_id_app_user')),
    sa.ForeignKeyConstraint(['forwarded_by_id'], ['app_user.id'], name=op.f('fk_hotline_item_forwarded_by_id_app_user')),
    sa.ForeignKeyConstraint(['forwarded_to_person_id'], ['person.id'], name=op.f('fk_hotline_item_forwarded_to_person_id_person')),
    sa.ForeignKeyConstraint(['received_by_id'], ['app_user.id'], name=op.f('fk_hotline_item_received_by_id_app_user')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['app_user.id'], name=op.f('fk_hotline_item_signed_by_id_app_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_hotline_item_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_item')),
    sa.UniqueConstraint('item_no', name=op.f('uq_hotline_item_item_no'))
    )
    with op.batch_alter_table('hotline_item', schema=None) as batch_op:
        batch_op.create_index('ix_hotline_item_unit_state', ['unit_id', 'state'], unique=False)

    op.create_table('instruction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('leader_name', sa.String(length=50), nullable=False),
    sa.Column('given_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('reported_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_instruction_incident_id_incident')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_instruction_recorded_by_id_app_user')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['app_user.id'], name=op.f('fk_instruction_reported_by_id_app_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_instruction_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instruction'))
    )
    with op.batch_alter_table('instruction', schema=None) as batch_op:
        batch_op.create_index('ix_instruction_given_at', ['given_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_instruction_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instruction_leader_name'), ['leader_name'], unique=False)
        batch_op.create_index('ix_instruction_unit_state', ['unit_id', 'state'], unique=False)

    op.create_table('call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('caller', sa.String(length=100), nullable=False),
    sa.Column('caller_unit', sa.String(length=100), nullable=False),
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('importance', sa.String(length=20), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('closed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('verification_request_id', sa.Integer(), nullable=True),
    sa.Column('instruction_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['app_user.id'], name=op.f('fk_call_closed_by_id_app_user')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_call_incident_id_incident')),
    sa.ForeignKeyConstraint(['instruction_id'], ['instruction.id'], name=op.f('fk_call_instruction_id_instruction')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['app_user.id'], name=op.f('fk_call_owner_user_id_app_user')),
    sa.ForeignKeyConstraint(['taken_by_id'], ['app_user.id'], name=op.f('fk_call_taken_by_id_app_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_call_unit_id_unit')),
    sa.ForeignKeyConstraint(['verification_request_id'], ['verification_request.id'], name=op.f('fk_call_verification_request_id_verification_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call'))
    )
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_instruction_id'), ['instruction_id'], unique=False)
        batch_op.create_index('ix_call_owner_state', ['owner_user_id', 'state'], unique=False)
        batch_op.create_index('ix_call_unit_at', ['unit_id', 'at'], unique=False)
        batch_op.create_index('ix_call_unit_state', ['unit_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_verification_request_id'), ['verification_request_id'], unique=False)

    op.create_table('instruction_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instruction_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('passed_on_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('passed_on_by_id', sa.Integer(), nullable=True),
    sa.Column('feedback_due', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('feedback_text', sa.Text(), nullable=True),
    sa.Column('fed_back_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fed_back_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('(unit_id IS NULL) <> (person_id IS NULL)', name=op.f('ck_instruction_target_one_receiver')),
    sa.ForeignKeyConstraint(['fed_back_by_id'], ['app_user.id'], name=op.f('fk_instruction_target_fed_back_by_id_app_user')),
    sa.ForeignKeyConstraint(['instruction_id'], ['instruction.id'], name=op.f('fk_instruction_target_instruction_id_instruction')),
    sa.ForeignKeyConstraint(['passed_on_by_id'], ['app_user.id'], name=op.f('fk_instruction_target_passed_on_by_id_app_user')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_instruction_target_person_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_instruction_target_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instruction_target'))
    )
    with op.batch_alter_table('instruction_target', schema=None) as batch_op:
        batch_op.create_index('ix_instruction_target_due', ['feedback_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_instruction_target_instruction_id'), ['instruction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instruction_target_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instruction_target_unit_id'), ['unit_id'], unique=False)

    op.create_table('log_book',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sealed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sealed_by_id', sa.Integer(), nullable=True),
    sa.Column('sealed_entries', sa.Integer(), nullable=True),
    sa.Column('seal_hash', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sealed_by_id'], ['app_user.id'], name=op.f('fk_log_book_sealed_by_id_app_user')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_log_book_shift_id_shift')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_log_book_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_book')),
    sa.UniqueConstraint('shift_id', name=op.f('uq_log_book_shift_id'))
    )
    with op.batch_alter_table('log_book', schema=None) as batch_op:
        batch_op.create_index('ix_log_book_unit_day', ['unit_id', 'day'], unique=False)

    op.create_table('call_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
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
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_transfer_call_id_call')),
    sa.ForeignKeyConstraint(['from_user_id'], ['app_user.id'], name=op.f('fk_call_transfer_from_user_id_app_user')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['app_user.id'], name=op.f('fk_call_transfer_requested_by_id_app_user')),
    sa.ForeignKeyConstraint(['to_user_id'], ['app_user.id'], name=op.f('fk_call_transfer_to_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_transfer'))
    )
    with op.batch_alter_table('call_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_transfer_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_transfer_to_user_id'), ['to_user_id'], unique=False)

    op.create_table('log_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('log_book_id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('handling', sa.Text(), nullable=False),
    sa.Column('source_kind', sa.String(length=30), nullable=True),
    sa.Column('source_id', sa.String(length=50), nullable=True),
    sa.Column('author', sa.String(length=50), nullable=False),
    sa.Column('author_user_id', sa.Integer(), nullable=True),
    sa.Column('is_addendum', sa.Boolean(), nullable=False),
    sa.Column('corrects_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['author_user_id'], ['app_user.id'], name=op.f('fk_log_entry_author_user_id_app_user')),
    sa.ForeignKeyConstraint(['corrects_entry_id'], ['log_entry.id'], name=op.f('fk_log_entry_corrects_entry_id_log_entry')),
    sa.ForeignKeyConstraint(['log_book_id'], ['log_book.id'], name=op.f('fk_log_entry_log_book_id_log_book')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_entry'))
    )
    with op.batch_alter_table('log_entry', schema=None) as batch_op:
        batch_op.create_index('ix_log_entry_at', ['at'], unique=False)
        batch_op.create_index('ix_log_entry_book_id', ['log_book_id', 'id'], unique=False)

    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table('log_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_log_entry_book_id')
        batch_op.drop_index('ix_log_entry_at')

    op.drop_table('log_entry')
    with op.batch_alter_table('call_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_transfer_to_user_id'))
        batch_op.drop_index(batch_op.f('ix_call_transfer_call_id'))

    op.drop_table('call_transfer')
    with op.batch_alter_table('log_book', schema=None) as batch_op:
        batch_op.drop_index('ix_log_book_unit_day')

    op.drop_table('log_book')
    with op.batch_alter_table('instruction_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instruction_target_unit_id'))
        batch_op.drop_index(batch_op.f('ix_instruction_target_person_id'))
        batch_op.drop_index(batch_op.f('ix_instruction_target_instruction_id'))
        batch_op.drop_index('ix_instruction_target_due')

    op.drop_table('instruction_target')
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_verification_request_id'))
        batch_op.drop_index('ix_call_unit_state')
        batch_op.drop_index('ix_call_unit_at')
        batch_op.drop_index('ix_call_owner_state')
        batch_op.drop_index(batch_op.f('ix_call_instruction_id'))
        batch_op.drop_index(batch_op.f('ix_call_incident_id'))

    op.drop_table('call')
    with op.batch_alter_table('instruction', schema=None) as batch_op:
        batch_op.drop_index('ix_instruction_unit_state')
        batch_op.drop_index(batch_op.f('ix_instruction_leader_name'))
        batch_op.drop_index(batch_op.f('ix_instruction_incident_id'))
        batch_op.drop_index('ix_instruction_given_at')

    op.drop_table('instruction')
    with op.batch_alter_table('hotline_item', schema=None) as batch_op:
        batch_op.drop_index('ix_hotline_item_unit_state')

    op.drop_table('hotline_item')

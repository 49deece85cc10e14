"""scale indexes for the oversight pages

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 18:00:00.000000

Issue 7 (data at scale): the oversight pages read a period of history by time. Without
these the compliance dashboard scanned every check-in (第十四条, late arrivals) and every
shift (unsigned handovers by end time), and the statistics every incident, call and
deadline clock of ten years, for one month's figures. Each index leads with the time the
pages filter on; the trailing columns let the statistics count from the index alone.
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# (table, index, columns): the same Index(...) lines are in the models' __table_args__.
INDEXES = (
    ("check_in", "ix_check_in_at", ["at", "late"]),                          # models/roster.py
    ("shift", "ix_shift_ends_at", ["ends_at"]),                              # models/roster.py
    ("incident", "ix_incident_occurred_at", ["occurred_at", "category", "level"]),  # models/incident.py
    ("deadline_record", "ix_deadline_record_due", ["due_at", "kind", "satisfied_at"]),  # models/incident.py
    ("call", "ix_call_at", ["at"]),                                          # models/daily.py
    ("incident_event", "ix_incident_event_at", ["at"]),  # models/incident.py: the log book
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)

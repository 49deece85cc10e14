"""statistics counted in indexes: incidents by category and level, deadlines by kind

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 07:10:00.000000

Issue 7 (data at scale): the statistics page grouped a year of incidents by (category,
level, local month) and of deadline clocks by kind: every row of the period went through
a sort, and the month was converted row by row (7 and 4 ms on SQLite on the 10-year
street, of a 20 ms first view on an empty database). Each figure is now a count over a
range of one of these indexes (and of 0006's ix_incident_occurred_at for the months).
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# (table, index, columns): the same Index(...) lines are in models/incident.py.
INDEXES = (
    ("incident", "ix_incident_category_level_at", ["category", "level", "occurred_at"]),
    ("deadline_record", "ix_deadline_record_kind_due", ["kind", "due_at", "satisfied_at"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)

"""a person's shifts near a month, without their whole history

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 21:00:00.000000

Issue 7 (data at scale): checking a month's roster (第九、二十四条) reads the unit's people's
shifts anywhere near the month. By person alone the indexes gave every shift each of them
ever had (20 people × 10 years: 14,600 rows for 67 shifts, 20 ms on SQLite). A leader's
shifts are now found by (leader_person_id, starts_at), an officer's by (person_id,
shift_id) within the ids of the shifts near the window; each replaces a one-column index.
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# (table, old one-column index, new index, its columns): the same Index(...) lines are in
# models/roster.py.
CHANGES = (
    ("shift", "ix_shift_leader_person_id", "ix_shift_leader_starts", ["leader_person_id", "starts_at"]),
    ("shift_officer", "ix_shift_officer_person_id", "ix_shift_officer_person_shift",
     ["person_id", "shift_id"]),
)


def upgrade() -> None:
    for table, old, new, columns in CHANGES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(new, columns, unique=False)
            batch_op.drop_index(old)


def downgrade() -> None:
    for table, old, new, columns in reversed(CHANGES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(old, columns[:1], unique=False)
            batch_op.drop_index(new)

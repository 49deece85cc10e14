"""a shift's log book: instructions and hotline items by the times in its window

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 07:00:00.000000

Issue 7 (data at scale): an open book is compiled from the records in its shift's window.
Instructions given, passed on, fed back or reported back in it, and hotline items signed,
forwarded or done in it, were found by an OR over columns without an index: every
instruction, target and hotline item of ten years read for one shift (2 ms each on SQLite).
Each of those times now has an index; the book reads a range of each. The same Index(...)
lines are in models/daily.py.
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

INDEXES = (
    ("instruction", "ix_instruction_reported_at", ["reported_at"]),
    ("instruction_target", "ix_instruction_target_passed_on_at", ["passed_on_at"]),
    ("instruction_target", "ix_instruction_target_fed_back_at", ["fed_back_at"]),
    ("hotline_item", "ix_hotline_item_unit_signed", ["unit_id", "signed_at"]),
    ("hotline_item", "ix_hotline_item_unit_notified", ["unit_id", "notified_at"]),
    ("hotline_item", "ix_hotline_item_unit_done", ["unit_id", "done_at"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)

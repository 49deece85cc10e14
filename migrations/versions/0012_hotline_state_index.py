"""the street's open hotline items by state, without scanning ten years of done ones

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 07:00:00.000000

Issue 7: 市长热线 for the whole street (the office's scope) found the open items through
the (unit_id, state) index without a unit: every item ever received was read from the
index (12,000 on the 10-year street, 0.4–0.8 ms twice a page run) to keep the few not done.
By state alone they are found directly. The same Index(...) line is in models/daily.py.
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hotline_item", schema=None) as batch_op:
        batch_op.create_index("ix_hotline_item_state", ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hotline_item", schema=None) as batch_op:
        batch_op.drop_index("ix_hotline_item_state")

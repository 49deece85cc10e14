"""signed handovers by outgoing shift, from the index alone

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 17:00:00.000000

Issue 7 (data at scale): the compliance dashboard counts the shifts of a period that
ended without a signed handover (第十四条): for each of a month's ~3,000 shifts on the
generated street, whether a signed handover exists. The unique index on
outgoing_shift_id found the handover but each probe then read its row for the state.
A partial index of signed handovers answers from the index alone: on the 10-year
street PostgreSQL's count went from 5.3–5.6 ms to 4.0 ms. SQLite keeps to the unique index
(an equality on a unique index wins its planner's choice), where the probe was no slower.
The same Index(...) line is in models/roster.py.
"""
import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

SIGNED = sa.text("state = 'signed'")


def upgrade() -> None:
    op.create_index("ix_handover_signed_outgoing", "handover", ["outgoing_shift_id"],
                    unique=False, sqlite_where=SIGNED, postgresql_where=SIGNED)


def downgrade() -> None:
    op.drop_index("ix_handover_signed_outgoing", table_name="handover")

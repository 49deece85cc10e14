"""late check-ins from their own index; rectification deadlines indexed

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 19:00:00.000000

Issue 7 (data at scale), the compliance dashboard's first view:
- Late arrivals (第十四条) were counted over ix_check_in_at (at, late): every check-in of
  the period read to keep the ~3 % that were late. A partial index of late check-ins
  holds only those. Its predicate is written as each dialect renders CheckIn.late.is_(True),
  which is how the planners recognise the query's WHERE as the index's.
  Nothing else reads check-ins by time (a shift's are found by shift_id).
- Overdue rectifications (第十七条) are read by deadline: without an index every
  inspection of the street's history was scanned, a cost growing with the years.
The same Index(...) lines are in models/roster.py and models/oversight.py.
"""
import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

LATE_SQLITE = sa.text("late IS 1")
LATE_POSTGRESQL = sa.text("late IS true")


def upgrade() -> None:
    op.drop_index("ix_check_in_at", table_name="check_in")
    op.create_index("ix_check_in_late_at", "check_in", ["at"], unique=False,
                    sqlite_where=LATE_SQLITE, postgresql_where=LATE_POSTGRESQL)
    op.create_index("ix_inspection_rectification_deadline", "inspection",
                    ["rectification_deadline"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inspection_rectification_deadline", table_name="inspection")
    op.drop_index("ix_check_in_late_at", table_name="check_in")
    op.create_index("ix_check_in_at", "check_in", ["at", "late"], unique=False)
